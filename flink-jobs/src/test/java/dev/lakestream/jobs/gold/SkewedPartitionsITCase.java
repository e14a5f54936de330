package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.gold.features.FeatureDefinitions;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gold facility throughput from a Kafka topic whose partitions are read at very different speeds
 * in event time: a backlog partition with three hours of dense events, and three partitions that
 * cover the same three hours with 2, 8 and 100 times fewer events (the last one a trickle). Read
 * from the start, the sparse partitions race hours ahead of the backlog in event time.
 *
 * <p>With {@code watermarks.alignment.group} set (max drift 10 min) the sparse partitions are
 * paused once every source subtask has a watermark, while the backlog catches up; without it they
 * are read to their end at once. Either way the watermark is per partition and the backlog
 * partition holds it back, so both runs must give the same answer: every final window equals a
 * plain-Java computation over the same events (including some 10 to 20 minutes out of order, late
 * for the provisional firing only), and the late-events table holds exactly the events planted as
 * late after the final firings, never an on-time event of the backlog partition.
 *
 * <p>What alignment changes is how far ahead of the watermark events reach the windows, i.e. how
 * much event time the window state holds while the backlog catches up: measured at the silver sink
 * and logged, a note rather than an assertion. In this test it changes little, and the numbers
 * vary from run to run: a source subtask has no watermark until each of its partitions has
 * delivered a record, and a Kafka reader drains up to 1 MB of one partition
 * ({@code max.partition.fetch.bytes}) before the next, so most of a small backlog is read before
 * alignment can pause anything (in runs so far, 1,900 to 9,200 of the 9,826 phase-1 events reached
 * silver before the first watermark, aligned or not). Once aligned, the backlog partition itself is
 * held to the catch-up cap, at most the max drift per update interval.
 */
class SkewedPartitionsITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SkewedPartitionsITCase.class);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final Instant START = Instant.parse("2026-11-20T09:00:00Z");
    private static final Duration SPAN = Duration.ofHours(3);
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration LATENESS = Duration.ofMinutes(30);
    private static final Duration MAX_DRIFT = Duration.ofMinutes(10);
    /**
     * Below Flink's 1 s default: until Flink 2.3 an aligned backlog advances at most the max drift of
     * event time per update interval, so 3 h at 10 min per 1 s would take at least 18 s.
     */
    private static final Duration UPDATE_INTERVAL = Duration.ofMillis(250);
    /** Events per partition over the whole span: the backlog, then ever sparser partitions. */
    private static final int[] EVENTS_PER_PARTITION = {6_000, 3_000, 750, 60};
    private static final String[] TYPES = {"RECEIVED", "PICKED", "PACKED", "SHIPPED", "DAMAGED"};

    /** One generated event and the partition it is produced to. */
    private static final class Sent {
        final String id;
        final int partition;
        final String facility;
        final String type;
        final int units;
        final long ts;

        Sent(String id, int partition, String facility, String type, int units, long ts) {
            this.id = id;
            this.partition = partition;
            this.facility = facility;
            this.type = type;
            this.units = units;
            this.ts = ts;
        }

        byte[] json() {
            return String.format(Locale.ROOT,
                    "{\"event_id\":\"%s\",\"facility_id\":\"%s\",\"event_type\":\"%s\",\"units\":%d,\"event_ts\":\"%s\"}",
                    id, facility, type, units, Instant.ofEpochMilli(ts)).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What one run produced, for the assertions and the note. */
    private static final class Run {
        Map<String, String> goldRows;
        Map<String, String> lateRows;
        long millis;
        long beforeFirstWatermark;
        long maxLeadMillis;
        long farAhead;
    }

    @Test
    void alignedBacklogGivesExactWindowsAndOnlyThePlantedLateEvents() throws Exception {
        Events events = new Events();
        Run run = run(events, true);

        assertThat(run.goldRows).containsExactlyEntriesOf(FacilityWindows.expected(FacilityWindows.events(events.onTime, e -> e.facility, e -> e.type, e -> e.units, e -> e.ts)));
        assertThat(run.lateRows).containsExactlyInAnyOrderEntriesOf(events.plantedLate());
    }

    @Test
    void unalignedBacklogIsAsExactWithWatermarksPerPartition() throws Exception {
        Events events = new Events();
        Run run = run(events, false);

        assertThat(run.goldRows).containsExactlyEntriesOf(FacilityWindows.expected(FacilityWindows.events(events.onTime, e -> e.facility, e -> e.type, e -> e.units, e -> e.ts)));
        assertThat(run.lateRows).containsExactlyInAnyOrderEntriesOf(events.plantedLate());
    }

    /** The events of both runs: the same seed, so the same events. */
    private static final class Events {
        final long maxTs = START.plus(SPAN).toEpochMilli();
        final List<List<Sent>> backlog = new ArrayList<>();
        final List<Sent> onTime = new ArrayList<>();
        final List<List<Sent>> phase2 = new ArrayList<>();
        final List<Sent> late = new ArrayList<>();

        Events() {
            SplittableRandom random = new SplittableRandom(11);
            for (int p = 0; p < EVENTS_PER_PARTITION.length; p++) {
                int n = EVENTS_PER_PARTITION[p];
                List<Sent> partition = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long ts = START.toEpochMilli() + i * SPAN.toMillis() / n;
                    if (random.nextInt(100) < 10) {
                        ts -= random.nextInt(3_000);
                    } else if (random.nextInt(100) < 2) {
                        // Late for the provisional firing, within the allowed lateness for the final one.
                        ts -= Duration.ofMinutes(10 + random.nextInt(10)).toMillis();
                    }
                    partition.add(event("p" + p + "-" + i, p, random, ts));
                }
                // Every partition reaches the newest time.
                for (int i = 0; i < 4; i++) {
                    partition.add(event("m-" + p + "-" + i, p, random, maxTs));
                }
                backlog.add(partition);
                onTime.addAll(partition);
            }
            // Phase 2, after the final firings of phase 1: late events on the backlog partition and on
            // two sparse ones, then on every partition events far ahead that close every window
            // (produced after the late ones, so each late event meets at least phase 1's watermark).
            long flushTs = maxTs + LATENESS.toMillis() + Duration.ofHours(2).toMillis();
            Map<Integer, Duration> lateBy = Map.of(0, Duration.ofHours(1), 2, Duration.ofHours(2), 3, Duration.ofMinutes(90));
            for (int p = 0; p < EVENTS_PER_PARTITION.length; p++) {
                List<Sent> partition = new ArrayList<>();
                if (lateBy.containsKey(p)) {
                    Sent e = event("late-" + p, p, random, maxTs - lateBy.get(p).toMillis());
                    partition.add(e);
                    late.add(e);
                }
                for (int i = 0; i < 4; i++) {
                    partition.add(new Sent("flush-" + p + "-" + i, p, "FLUSH", "PICKED", 1, flushTs));
                }
                phase2.add(partition);
            }
        }

        private static Sent event(String id, int partition, SplittableRandom random, long ts) {
            return new Sent(id, partition, "FC-00" + (1 + random.nextInt(4)), TYPES[random.nextInt(TYPES.length)],
                    1 + random.nextInt(30), ts);
        }

        /**
         * Dataset and event id to source partition of every event planted as late: late for the
         * windows (silver dataset) and for the facility features (feature set), which hold back the
         * same lateness.
         */
        Map<String, String> plantedLate() {
            Map<String, String> out = new TreeMap<>();
            for (String dataset : List.of(SilverDataset.FULFILLMENT_EVENTS.name(), FeatureDefinitions.FACILITY.name())) {
                late.forEach(e -> out.put(dataset + "/" + e.id, String.valueOf(e.partition)));
            }
            return out;
        }

        int produced() {
            return onTime.size() + phase2.stream().mapToInt(List::size).sum();
        }
    }

    private static Run run(Events events, boolean aligned) throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName(aligned ? "skew_aligned" : "skew_unaligned");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, EVENTS_PER_PARTITION.length);
        for (int p = 0; p < events.backlog.size(); p++) {
            produce(services, topic, p, events.backlog.get(p));
        }
        Map<String, String> settings = new HashMap<>(Map.of(
                "silver.fulfillment-events.source", topic,
                "silver.fulfillment-events.table", topic + "_events",
                "gold.table-prefix", topic + "_",
                "watermarks.events.max-out-of-orderness", BOUND.toMillis() + " ms",
                "gold.allowed-lateness", LATENESS.toMinutes() + " min",
                // Not a few seconds: in Flink 1.20.3 a partition's idleness clock starts when its split
                // is assigned and runs while the task is busy with other partitions' records (it stops
                // only under back-pressure or an alignment pause). A partition whose first records come
                // later than the timeout is idle before it has a watermark, the others move the
                // watermark, and its backlog comes out late: with 2 s, 595 of the backlog's 6,000
                // events in one unaligned run. Alignment cannot prevent it (it pauses only partitions
                // that have a watermark). Nothing here needs idleness: every partition reaches the
                // newest time, and phase 2 flushes every one.
                "watermarks.events.idle-timeout", "1 min"));
        if (aligned) {
            settings.put("watermarks.alignment.group", "skew");
            settings.put("watermarks.alignment.max-drift", MAX_DRIFT.toMinutes() + " min");
            settings.put("watermarks.alignment.update-interval", UPDATE_INTERVAL.toMillis() + " ms");
        }
        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), settings);
        String silverTable = topic + "_events";
        WatermarkLead.reset();
        long started = System.nanoTime();
        JobClient job = pipeline.start(2, iceberg -> (table, rows) -> iceberg.write(table,
                table.identifier().name().equals(silverTable)
                        ? rows.process(new WatermarkLead()).returns(rows.getType()).name("Watermark lead")
                        : rows));
        Table gold = pipeline.table(GoldTables.facilityThroughputHourly(topic + "_"));
        Table late = pipeline.table(GoldTables.lateEvents(topic + "_"));
        // Every phase-1 window whose final firing the newest phase-1 time allows.
        FacilityWindows.awaitFinalWindow(gold, events.maxTs - BOUND.toMillis() - LATENESS.toMillis() - Duration.ofMinutes(15).toMillis(), job);
        Run run = new Run();
        run.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        run.beforeFirstWatermark = WatermarkLead.BEFORE_WATERMARK.get();
        run.maxLeadMillis = WatermarkLead.MAX_LEAD.get();
        run.farAhead = WatermarkLead.FAR_AHEAD.get();

        for (int p = 0; p < events.phase2.size(); p++) {
            produce(services, topic, p, events.phase2.get(p));
        }
        FacilityWindows.awaitFinalWindow(gold, events.maxTs, job);
        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(),
                        pipeline.config().get(KafkaBronzeOptions.GROUP_ID), List.of(topic))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        run.goldRows = goldRows(gold);
        run.lateRows = lateRows(late);
        LOG.info("Skewed partitions, {}: phase 1 ({} events) read and its windows final in {} ms; at the silver sink"
                        + " {} rows before the first watermark, the others at most {} ahead of it and {} more than"
                        + " 30 min ahead; {} late rows in all (planted: {})",
                aligned ? "aligned (max drift " + MAX_DRIFT.toMinutes() + " min, update interval "
                        + UPDATE_INTERVAL.toMillis() + " ms)" : "unaligned",
                events.onTime.size(), run.millis, run.beforeFirstWatermark, Duration.ofMillis(run.maxLeadMillis),
                run.farAhead, run.lateRows.size(), events.late.size());
        assertThat(WatermarkLead.ROWS.get()).as("every produced event reaches silver once").isEqualTo(events.produced());
        return run;
    }

    /**
     * Passes silver rows on, measuring how far ahead of the watermark each arrives: event time the
     * windows downstream have to keep in state. JVM-wide counters (the MiniCluster runs in this JVM).
     */
    static final class WatermarkLead extends ProcessFunction<RowData, RowData> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong ROWS = new AtomicLong();
        static final AtomicLong BEFORE_WATERMARK = new AtomicLong();
        static final AtomicLong FAR_AHEAD = new AtomicLong();
        static final LongAccumulator MAX_LEAD = new LongAccumulator(Math::max, Long.MIN_VALUE);

        static void reset() {
            ROWS.set(0);
            BEFORE_WATERMARK.set(0);
            FAR_AHEAD.set(0);
            MAX_LEAD.reset();
        }

        @Override
        public void processElement(RowData row, Context ctx, Collector<RowData> out) {
            ROWS.incrementAndGet();
            long watermark = ctx.timerService().currentWatermark();
            Long ts = ctx.timestamp();
            if (ts == null || watermark == Long.MIN_VALUE) {
                BEFORE_WATERMARK.incrementAndGet();
            } else {
                long lead = ts - watermark;
                MAX_LEAD.accumulate(lead);
                if (lead > Duration.ofMinutes(30).toMillis()) {
                    FAR_AHEAD.incrementAndGet();
                }
            }
            out.collect(row);
        }
    }


    /** Gold rows of the phase-1 facilities, by facility and window start. */
    private static Map<String, String> goldRows(Table gold) throws Exception {
        gold.refresh();
        Map<String, String> out = new TreeMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(gold).build()) {
            for (Record r : rows) {
                if ("FLUSH".equals(r.getField(GoldTables.FACILITY_ID))) {
                    continue;
                }
                String key = r.getField(GoldTables.FACILITY_ID) + " " + r.getField(GoldTables.WINDOW_START);
                String previous = out.put(key, r.getField(GoldTables.UNITS) + " " + r.getField(GoldTables.EVENTS) + " "
                        + r.getField(GoldTables.UNITS_SHIPPED) + " " + r.getField(GoldTables.UNITS_DAMAGED) + " "
                        + (Boolean.TRUE.equals(r.getField(GoldTables.IS_FINAL)) ? "final" : "provisional"));
                assertThat(previous).as("one row per facility and window: %s", key).isNull();
            }
        }
        return out;
    }

    /** Late rows, dataset/event id to source partition; each row's lateness is its watermark minus its event time. */
    private static Map<String, String> lateRows(Table late) throws Exception {
        late.refresh();
        Map<String, String> out = new TreeMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(late).build()) {
            for (Record r : rows) {
                String id = (String) r.getField(GoldTables.EVENT_ID);
                long watermark = ((LocalDateTime) r.getField(GoldTables.WATERMARK_TS)).toInstant(ZoneOffset.UTC).toEpochMilli();
                long ts = ((LocalDateTime) r.getField(GoldTables.EVENT_TS)).toInstant(ZoneOffset.UTC).toEpochMilli();
                assertThat((Long) r.getField(GoldTables.LATENESS_MS)).as("lateness of %s", id).isEqualTo(watermark - ts);
                assertThat(watermark - ts).as("lateness of %s", id).isPositive();
                assertThat(out.put(r.getField(GoldTables.DATASET) + "/" + id, String.valueOf(r.getField(GoldTables.SOURCE_PARTITION))))
                        .as("one late row per event and dataset: %s", id).isNull();
            }
        }
        return out;
    }



    /** Produces {@code events} to {@code partition}, keyed by facility, and checks where they landed. */
    private static void produce(LocalServices services, String topic, int partition, List<Sent> events) throws Exception {
        List<byte[][]> keyValues = new ArrayList<>();
        for (Sent e : events) {
            keyValues.add(new byte[][] {e.facility.getBytes(StandardCharsets.UTF_8), e.json()});
        }
        TreeSet<Integer> partitions = new TreeSet<>();
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, partition, keyValues)
                .forEach(p -> partitions.add(p.coordinate.partition));
        assertThat(partitions).containsExactly(partition);
    }
}
