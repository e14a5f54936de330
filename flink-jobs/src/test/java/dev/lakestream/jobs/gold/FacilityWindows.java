package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;

import org.apache.flink.core.execution.JobClient;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** The facility-throughput oracle and waits shared by the gold ITCases. */
final class FacilityWindows {

    /** A fulfillment event as the oracle reads it. */
    record Event(String facility, String type, int units, long ts) {}

    private FacilityWindows() {}

    static <T> List<Event> events(List<T> sent, Function<T, String> facility, Function<T, String> type,
            ToIntFunction<T> units, ToLongFunction<T> ts) {
        List<Event> out = new ArrayList<>();
        sent.forEach(e -> out.add(new Event(facility.apply(e), type.apply(e), units.applyAsInt(e), ts.applyAsLong(e))));
        return out;
    }

    /** Plain Java: every event of phase 1 in each 1-hour window every 15 minutes that holds it. */
    static Map<String, String> expected(List<Event> events) {
        Map<String, long[]> sums = new TreeMap<>();
        long slide = Duration.ofMinutes(15).toMillis();
        long size = Duration.ofHours(1).toMillis();
        for (Event e : events) {
            for (long start = Math.floorDiv(e.ts(), slide) * slide; start > e.ts() - size; start -= slide) {
                long[] s = sums.computeIfAbsent(e.facility() + " " + utc(start), k -> new long[4]);
                s[0] += e.units();
                s[1]++;
                s[2] += "SHIPPED".equals(e.type()) ? e.units() : 0;
                s[3] += "DAMAGED".equals(e.type()) ? e.units() : 0;
            }
        }
        Map<String, String> out = new TreeMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] + " " + s[1] + " " + s[2] + " " + s[3] + " final"));
        return out;
    }

    static String utc(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).toString();
    }

    /** Waits until gold has a final row for a window ending at or after {@code endMillis}. */
    static void awaitFinalWindow(Table gold, long endMillis, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        LocalDateTime end = LocalDateTime.ofInstant(Instant.ofEpochMilli(endMillis), ZoneOffset.UTC);
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            gold.refresh();
            if (gold.currentSnapshot() != null) {
                try (CloseableIterable<Record> rows = IcebergGenerics.read(gold).build()) {
                    for (Record r : rows) {
                        if (Boolean.TRUE.equals(r.getField(GoldTables.IS_FINAL))
                                && !((LocalDateTime) r.getField(GoldTables.WINDOW_END)).isBefore(end)) {
                            return;
                        }
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("No final window ending at or after " + end + " within 3 minutes");
    }

}
