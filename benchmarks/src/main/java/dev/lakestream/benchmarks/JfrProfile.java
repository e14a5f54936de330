package dev.lakestream.benchmarks;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A JDK Flight Recorder profile of one run (the JDK's own sampler; async-profiler is not available
 * here): Java execution samples every 10 ms per thread, aggregated by the sampled (top) method and
 * by the first frame of our own code ({@code dev.lakestream.*}) on the stack.
 */
final class JfrProfile implements AutoCloseable {

    /** Sample counts, highest first. */
    static final class Hotspots {
        long samples;
        long nativeSamples;
        /** Native samples by the Java method that made the native call. */
        Map<String, Long> nativeFrames = new LinkedHashMap<>();
        Map<String, Long> topFrames = new LinkedHashMap<>();
        Map<String, Long> ourFrames = new LinkedHashMap<>();
        Map<String, Long> packages = new LinkedHashMap<>();
    }

    private final Recording recording;
    private final Path file;

    JfrProfile(Path file) throws Exception {
        this.file = file;
        recording = new Recording(Configuration.getConfiguration("profile"));
        recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(10));
        // Threads in native code (RocksDB's JNI calls, zstd, sockets) are not execution samples.
        recording.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(20));
        recording.start();
    }

    /** Stops the recording, writes it to the file and aggregates the samples. */
    Hotspots stop(int top) throws Exception {
        recording.stop();
        recording.dump(file);
        Hotspots h = new Hotspots();
        Map<String, Long> topFrames = new HashMap<>();
        Map<String, Long> ours = new HashMap<>();
        Map<String, Long> packages = new HashMap<>();
        Map<String, Long> nativeFrames = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            RecordedStackTrace stack = e.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            if (e.getEventType().getName().equals("jdk.NativeMethodSample")) {
                h.nativeSamples++;
                nativeFrames.merge(name(stack.getFrames().get(0)), 1L, Long::sum);
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            h.samples++;
            List<RecordedFrame> frames = stack.getFrames();
            topFrames.merge(name(frames.get(0)), 1L, Long::sum);
            packages.merge(area(frames.get(0).getMethod().getType().getName()), 1L, Long::sum);
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("dev.lakestream.")) {
                    ours.merge(name(f), 1L, Long::sum);
                    break;
                }
            }
        }
        h.topFrames = highest(topFrames, top);
        h.ourFrames = highest(ours, top);
        h.packages = highest(packages, top);
        h.nativeFrames = highest(nativeFrames, top);
        return h;
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName() + " (" + type.substring(0,
                Math.max(0, type.lastIndexOf('.'))) + ")";
    }

    /** A coarse owner of a class: the first three package segments. */
    private static String area(String type) {
        String[] parts = type.split("\\.");
        int n = Math.min(3, parts.length - 1);
        return String.join(".", java.util.Arrays.copyOf(parts, Math.max(1, n)));
    }

    private static Map<String, Long> highest(Map<String, Long> counts, int top) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    @Override
    public void close() {
        recording.close();
    }
}
