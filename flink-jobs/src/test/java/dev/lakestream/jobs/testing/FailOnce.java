package dev.lakestream.jobs.testing;

import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.table.data.RowData;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Passes rows through, paced, and throws once per JVM and name: on the first row that matches
 * {@code when}. The MiniCluster runs in the test JVM, so the test reads {@link #firedAt(String)}.
 */
public final class FailOnce extends RichMapFunction<RowData, RowData> {

    private static final long serialVersionUID = 1L;

    /** Wall-clock time each named failure fired. */
    private static final Map<String, Long> FIRED = new ConcurrentHashMap<>();

    /** Which row triggers the failure. */
    @FunctionalInterface
    public interface Trigger extends Serializable {
        boolean test(RowData row);
    }

    private final String name;
    private final Trigger when;
    private final int maxRowsPerSecond;

    private transient long startNanos;
    private transient long rows;

    public FailOnce(String name, Trigger when, int maxRowsPerSecond) {
        this.name = name;
        this.when = when;
        this.maxRowsPerSecond = maxRowsPerSecond;
    }

    /** When {@code name} fired, epoch millis; null if it has not. */
    public static Long firedAt(String name) {
        return FIRED.get(name);
    }

    @Override
    public RowData map(RowData row) {
        if (startNanos == 0) {
            startNanos = System.nanoTime();
        }
        if (!FIRED.containsKey(name) && when.test(row)) {
            FIRED.put(name, System.currentTimeMillis());
            throw new IllegalStateException("Injected failure '" + name + "' at " + row);
        }
        rows++;
        long wait = startNanos + TimeUnit.SECONDS.toNanos(1) * rows / maxRowsPerSecond - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        return row;
    }
}
