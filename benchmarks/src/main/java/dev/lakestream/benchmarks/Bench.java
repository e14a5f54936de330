package dev.lakestream.benchmarks;

import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.iceberg.IcebergBuild;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What every benchmark here needs: its arguments, progress lines, CPU time, medians and the machine it ran on. */
final class Bench {

    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);

    private Bench() {}

    /** A benchmark's body, run by {@link #exitWith}. */
    @FunctionalInterface
    interface Body {
        void run(String[] args) throws Exception;
    }

    /**
     * Runs a benchmark's main and ends the JVM with its outcome: 0 once the report is written, 1 with
     * the failure logged (stack trace included) otherwise. A failed run must never look like a finished
     * one, and a client library's leftover non-daemon thread must not keep the JVM (and run.sh) waiting.
     */
    static void exitWith(String benchmark, String[] args, Body body) {
        try {
            body.run(args);
        } catch (Throwable t) {
            LOG.error("{} FAILED, no report written", benchmark, t);
            System.exit(1);
        }
        System.exit(0);
    }

    /** What the repetitions of one candidate measured, against the raw baseline's repetitions. */
    static final class Rates {
        final double median;
        final double min;
        final double max;
        /** (max - min) / median. */
        final double spread;
        /** This candidate's median over the baseline's median. */
        final double ratioOfMedians;
        /** The median of each repetition's own ratio to the baseline's run of the same repetition. */
        final double medianOfRatios;

        /**
         * @param rates this candidate's rate per repetition
         * @param rawRates the baseline's rate in the same repetitions, index by index
         */
        Rates(double[] rates, double[] rawRates, double rawMedian) {
            median = median(rates);
            min = Arrays.stream(rates).min().orElse(Double.NaN);
            max = Arrays.stream(rates).max().orElse(Double.NaN);
            spread = (max - min) / median;
            ratioOfMedians = median / rawMedian;
            double[] ratios = new double[rates.length];
            for (int i = 0; i < rates.length; i++) {
                ratios[i] = rates[i] / rawRates[i];
            }
            medianOfRatios = median(ratios);
        }
    }

    /**
     * {@code --name value} pairs; a name outside {@code known} (or one without a value) fails with the
     * list of known names, so a typo never silently runs the defaults.
     */
    static Map<String, String> options(String[] args, List<String> known) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].isBlank()) {
                continue;
            }
            String key = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (key == null || !known.contains(key) || i + 1 >= args.length) {
                throw new IllegalArgumentException("Unknown or incomplete argument '" + args[i] + "'. Arguments: --"
                        + String.join(" N, --", known) + " (each with a value)");
            }
            o.put(key, args[++i]);
        }
        return o;
    }

    /** A progress line on stdout, prefixed with the benchmark's name, flushed at once. */
    static void progress(String benchmark, String line) {
        System.out.println("[" + benchmark + "] " + line);
        System.out.flush();
    }

    /** CPU time of this process in seconds (native threads such as RocksDB's included); -1 where the JVM cannot tell. */
    static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() / 1e9 : -1;
    }

    /**
     * Time the JIT compilers have spent on compilations so far, in seconds, summed over the compiler
     * threads (elapsed, not CPU time: on a busy machine it includes waiting for a core); 0 where the
     * JVM cannot tell.
     */
    static double jitSeconds() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() / 1000.0 : 0;
    }

    /** Time spent in garbage collection so far, every collector together, in seconds. */
    static double gcSeconds() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime)
                .filter(t -> t > 0).sum() / 1000.0;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static double median(double[] values) {
        return percentile(values, 50);
    }

    /** The nearest-rank percentile ({@code p} in 0..100) of the values; NaN for none. */
    static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        if (p == 50 && v.length % 2 == 0) {
            return (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /** One Markdown line on the machine and the versions, for a report's header. */
    static String machine() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, "%d cores, %s %s (%s), max heap %d MiB, %s %s; Flink %s, Iceberg %s;"
                        + " load average %.2f when written (it counts the runnable threads of the benchmark itself, the pipeline's included, and of any other process)",
                rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("java.vendor"), rt.maxMemory() >> 20, System.getProperty("os.name"),
                System.getProperty("os.arch"), EnvironmentInformation.getVersion(), IcebergBuild.version(), loadAverage());
    }
}
