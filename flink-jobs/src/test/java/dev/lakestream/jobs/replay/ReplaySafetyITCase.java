package dev.lakestream.jobs.replay;

import dev.lakestream.catalog.commits.SourceRanges;
import dev.lakestream.catalog.tables.BronzeKafkaTable;
import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.BackfillApplication;
import dev.lakestream.jobs.localrun.DomainEventGenerator;
import dev.lakestream.jobs.silver.EventStreamsToSilverITCase;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.testing.BronzeTableContents;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.SilverContents;
import dev.lakestream.jobs.testing.SourceCoordinate;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores, restarts and replays that today's Iceberg sinks get wrong, against bronze, silver and
 * quarantine of a Kafka clickstream (2 partitions, with retries, malformed and invalid records):
 * each run ends with every produced record exactly once in bronze and accounted for exactly once in
 * silver or quarantine, checked row by row against the generator's own record.
 */
class ReplaySafetyITCase {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    /** (a) An older savepoint restored after newer commits: what those commits hold is skipped, the rest lands. */
    @Test
    void restoringAnOlderSavepointAfterNewerCommitsNeitherLosesNorDuplicates() throws Exception {
        Fixture f = new Fixture("replay_older_savepoint", Map.of());
        f.produce(1_500);
        String s1 = f.pipeline.catchUpAndStop(f.start(null), TIMEOUT);
        f.produce(1_500);
        f.pipeline.catchUpAndStop(f.start(s1), TIMEOUT);
        long bronzeAfterTwo = EventStreamsToSilverITCase.rows(f.bronze());
        f.produce(1_000);

        // Restore the first savepoint again: its offsets are before everything the second run committed.
        f.pipeline.catchUpAndStop(f.start(s1), TIMEOUT);

        assertThat(bronzeAfterTwo).isEqualTo(3_000);
        f.assertExactlyOnce();
        f.assertRangesCoverEverything();
    }

    /**
     * (a) with gold: the append-only sessions table and the late-events table of a clickstream get
     * no row twice when an older savepoint is restored after newer commits, and lose none.
     */
    @Test
    void restoringAnOlderSavepointAddsNoGoldRowTwice() throws Exception {
        Fixture f = new Fixture("replay_gold", Map.of(
                "gold.enabled", "true",
                "gold.allowed-lateness", "1 min",
                "watermarks.events.idle-timeout", "2 s"));
        f.produce(1_500, Duration.ZERO);
        String s1 = f.pipeline.catchUpAndStop(f.start(null), TIMEOUT);
        f.produce(1_500, Duration.ofHours(2));
        f.pipeline.catchUpAndStop(f.start(s1), TIMEOUT);
        Table sessions = f.pipeline.table(GoldTables.userSessions(f.pipeline.config().get(GoldOptions.TABLE_PREFIX)));
        Table late = f.pipeline.table(GoldTables.lateEvents(f.pipeline.config().get(GoldOptions.TABLE_PREFIX)));
        List<String> sessionsBefore = keys(sessions, GoldTables.USER_ID, GoldTables.SESSION_START);
        List<String> lateBefore = keys(late, GoldTables.DATASET, GoldTables.SOURCE_NAME, GoldTables.SOURCE_PARTITION,
                GoldTables.SOURCE_POSITION);
        assertThat(sessionsBefore).as("sessions closed by the first two runs").isNotEmpty();
        f.produce(1_000, Duration.ofHours(4));

        f.pipeline.catchUpAndStop(f.start(s1), TIMEOUT);

        f.assertExactlyOnce();
        List<String> sessionsAfter = keys(sessions, GoldTables.USER_ID, GoldTables.SESSION_START);
        assertThat(sessionsAfter).as("sessions, by (user_id, session_start)").doesNotHaveDuplicates()
                .containsAll(sessionsBefore).hasSizeGreaterThan(sessionsBefore.size());
        List<String> lateAfter = keys(late, GoldTables.DATASET, GoldTables.SOURCE_NAME, GoldTables.SOURCE_PARTITION,
                GoldTables.SOURCE_POSITION);
        assertThat(lateAfter).as("late events, by dataset and source coordinate").doesNotHaveDuplicates().containsAll(lateBefore);
    }

    private static List<String> keys(Table table, String... columns) throws Exception {
        table.refresh();
        List<String> out = new ArrayList<>();
        try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> rows =
                org.apache.iceberg.data.IcebergGenerics.read(table).build()) {
            for (org.apache.iceberg.data.Record r : rows) {
                StringBuilder key = new StringBuilder();
                for (String c : columns) {
                    key.append(r.getField(c)).append('|');
                }
                out.add(key.toString());
            }
        }
        return out;
    }

    /** (b) A job started without state against tables that already hold commits continues without loss or duplicate. */
    @Test
    void aStatelessRestartContinuesWithoutLossOrDuplicate() throws Exception {
        Fixture f = new Fixture("replay_stateless", Map.of());
        f.produce(2_000);
        JobClient first = f.start(null);
        f.pipeline.catchUpAndStop(first, TIMEOUT);
        f.produce(1_000);

        // No savepoint: the new job reads both partitions from the earliest offset again.
        f.pipeline.catchUpAndStop(f.start(null), TIMEOUT);

        f.assertExactlyOnce();
        f.assertRangesCoverEverything();
    }

    /** (c) A bounded replay of an offset range the tables already hold adds no row. */
    @Test
    void replayingAnAlreadyCommittedOffsetRangeAddsNothing() throws Exception {
        Fixture f = new Fixture("replay_committed_range", Map.of());
        f.produce(2_000);
        f.pipeline.catchUpAndStop(f.start(null), TIMEOUT);
        Map<String, Long> before = f.rowCounts();

        Fixture replay = f.withSettings(Map.of("kafka.stopping-offsets", "LATEST"));
        replay.start(null).getJobExecutionResult().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(f.rowCounts()).as("rows per table after replaying committed offsets").isEqualTo(before);
        f.assertExactlyOnce();
    }

    /**
     * (d) A live job started at a timestamp misses what came before; a backfill from an earlier
     * timestamp into a branch (overlapping the live job's range, which it skips) is checked and
     * published after the live job has committed more to main.
     */
    @Test
    void aBackfillFromATimestampIntoABranchIsCheckedAndPublished() throws Exception {
        Fixture live = new Fixture("replay_backfill", Map.of());
        long beforeHistory = System.currentTimeMillis() - 1;
        live.produce(1_500);
        TimeUnit.MILLISECONDS.sleep(50);
        long liveStart = System.currentTimeMillis();
        TimeUnit.MILLISECONDS.sleep(50);
        live.produce(1_000);
        Fixture liveFromTimestamp = live.withSettings(Map.of(
                "kafka.starting-offsets", "TIMESTAMP", "kafka.starting-timestamp", Long.toString(liveStart)));
        String liveSavepoint = liveFromTimestamp.pipeline.catchUpAndStop(liveFromTimestamp.start(null), TIMEOUT);
        assertThat(EventStreamsToSilverITCase.rows(live.bronze())).as("the live job missed the history").isEqualTo(1_000);

        Fixture backfill = live.withSettings(Map.of(
                "kafka.starting-offsets", "TIMESTAMP", "kafka.starting-timestamp", Long.toString(beforeHistory),
                "kafka.stopping-offsets", "LATEST",
                "kafka.group-id", live.services.uniqueName("backfill"),
                "sink.branch", "backfill_history"));
        backfill.start(null).getJobExecutionResult().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Table bronze = live.bronze();
        assertThat(bronze.refs()).containsKey("backfill_history");
        assertThat(EventStreamsToSilverITCase.rows(bronze)).as("main is untouched by the backfill").isEqualTo(1_000);

        // Main moves on while the branch waits.
        live.produce(500);
        liveFromTimestamp.pipeline.catchUpAndStop(liveFromTimestamp.start(liveSavepoint), TIMEOUT);

        var checks = BackfillApplication.run(backfill.pipeline.config(), false, true);
        assertThat(checks).allSatisfy(c -> assertThat(c.problems).isEmpty());
        var bronzeCheck = checks.stream().filter(c -> c.table.endsWith(live.bronzeName)).findFirst().orElseThrow();
        assertThat(bronzeCheck.addedRows).as("bronze rows the backfill adds, the history only: %s; snapshots %s", bronzeCheck,
                bronzeCheck.added.stream().map(s -> s.summary()).collect(Collectors.toList())).isEqualTo(1_500);
        BackfillApplication.run(backfill.pipeline.config(), true, true);

        live.assertExactlyOnce();
        live.assertRangesCoverEverything();
        bronze.refresh();
        assertThat(bronze.refs()).doesNotContainKey("backfill_history");
        // The branch is gone: nothing is left to publish twice.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BackfillApplication.run(backfill.pipeline.config(), false, true))
                .hasMessageContaining("no branch backfill_history");
    }

    /** One topic, its pipeline (bronze + clickstream silver, no gold), and everything produced to it. */
    private static final class Fixture {
        final LocalServices services;
        final String topic;
        final String bronzeName;
        final PipelineUnderTest pipeline;
        final DomainEventGenerator generator;
        final List<SilverContents.Sent> sent;
        final List<KafkaTestTopics.Produced> produced;
        private final Map<String, String> settings;

        Fixture(String name, Map<String, String> extra) throws Exception {
            this(LocalServices.shared(), null, extra, null, new ArrayList<>(), new ArrayList<>(), name);
        }

        private Fixture(LocalServices services, String topic, Map<String, String> extra, DomainEventGenerator generator,
                List<SilverContents.Sent> sent, List<KafkaTestTopics.Produced> produced, String name) throws Exception {
            this.services = services;
            if (topic == null) {
                topic = services.uniqueName(name);
                KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 2);
            }
            this.topic = topic;
            this.bronzeName = BronzeKafkaTable.spec(topic).identifier().name();
            this.settings = new HashMap<>(Map.of(
                    "silver.clickstream.source", topic,
                    "silver.clickstream.table", topic + "_events",
                    "pipeline.checkpoint-interval", "500 ms",
                    "gold.enabled", "false"));
            this.settings.putAll(extra);
            this.pipeline = new PipelineUnderTest(services, List.of(topic), settings);
            this.generator = generator != null ? generator
                    : new DomainEventGenerator(topic.hashCode(), Instant.parse("2026-11-20T09:00:00Z"));
            this.sent = sent;
            this.produced = produced;
        }

        /** The same topic and produced records, with other settings (the group id stays unless overridden). */
        Fixture withSettings(Map<String, String> extra) throws Exception {
            Map<String, String> all = new HashMap<>(settings);
            all.put("kafka.group-id", pipeline.config().get(dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions.GROUP_ID));
            all.put("gold.table-prefix", pipeline.config().get(dev.lakestream.jobs.gold.GoldOptions.TABLE_PREFIX));
            all.putAll(extra);
            return new Fixture(services, topic, all, generator, sent, produced, topic);
        }

        void produce(int clicks) throws Exception {
            produce(clicks, Duration.ZERO);
        }

        /** Clicks spread over the hour starting {@code shift} after the generator's start. */
        void produce(int clicks, Duration shift) throws Exception {
            List<DomainEventGenerator.Event> events = generator.clickstream(clicks, shift);
            List<byte[][]> keyValues = new ArrayList<>();
            events.forEach(e -> keyValues.add(new byte[][] {e.key.getBytes(java.nio.charset.StandardCharsets.UTF_8), e.value}));
            List<KafkaTestTopics.Produced> batch = KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, keyValues);
            produced.addAll(batch);
            for (int i = 0; i < events.size(); i++) {
                SourceCoordinate c = batch.get(i).coordinate;
                sent.add(new SilverContents.Sent(events.get(i), c.topic, String.valueOf(c.partition), String.valueOf(c.offset)));
            }
        }

        JobClient start(String savepoint) throws Exception {
            return pipeline.start(2, UnaryOperator.identity(), savepoint);
        }

        Table bronze() {
            return pipeline.bronzeTable(topic);
        }

        SilverDataset dataset() {
            return EventStreamsToSilverITCase.dataset(pipeline);
        }

        Map<String, Long> rowCounts() {
            Map<String, Long> counts = new HashMap<>();
            counts.put("bronze", EventStreamsToSilverITCase.rows(bronze()));
            counts.put("silver", EventStreamsToSilverITCase.rows(pipeline.table(dataset().silverTable())));
            counts.put("quarantine", EventStreamsToSilverITCase.rows(pipeline.table(dataset().quarantineTable())));
            return counts;
        }

        /** Bronze's newest commit records source ranges covering exactly every produced offset. */
        void assertRangesCoverEverything() {
            Table bronze = bronze();
            bronze.refresh();
            SourceRanges ranges = SourceRanges.committed(bronze, "main");
            long covered = 0;
            for (String p : ranges.partitions()) {
                for (java.math.BigInteger[] r : ranges.ranges(p)) {
                    covered += r[1].subtract(r[0]).longValueExact() + 1;
                }
            }
            assertThat(covered).as("bronze's recorded source ranges %s cover every produced record", ranges)
                    .isEqualTo(produced.size());
            assertThat(ranges.partitions()).hasSize(2);
        }

        /** Bronze: every produced coordinate once; silver and quarantine: exactly the generator's expectation. */
        void assertExactlyOnce() throws Exception {
            BronzeTableContents.read(bronze()).assertExactlyOnce(produced);
            Table silver = pipeline.table(dataset().silverTable());
            Table quarantine = pipeline.table(dataset().quarantineTable());
            List<String> silverLines = SilverContents.silverLines(silver);
            List<String> quarantineLines = SilverContents.quarantineLines(quarantine);
            assertThat(silverLines).as("silver rows").containsExactlyInAnyOrderElementsOf(SilverContents.expectedSilver(sent));
            assertThat(quarantineLines).as("quarantine rows")
                    .containsExactlyInAnyOrderElementsOf(SilverContents.expectedQuarantine(sent));
            assertThat((long) produced.size()).as("bronze = silver + quarantine + duplicates")
                    .isEqualTo(silverLines.size() + quarantineLines.size() + SilverContents.expectedDuplicates(sent));
            assertThat(silverLines.stream().map(l -> l.substring(0, l.indexOf('@'))).distinct().count())
                    .as("distinct silver events").isEqualTo(silverLines.size());
        }
    }
}
