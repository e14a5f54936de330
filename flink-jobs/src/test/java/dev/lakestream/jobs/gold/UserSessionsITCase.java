package dev.lakestream.jobs.gold;

import dev.lakestream.catalog.tables.GoldTables;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.KafkaTestTopics;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.jobs.testing.SnapshotWatermarks;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gold user sessions from a Kafka clickstream: every session equals a plain-Java sessionization
 * (30 minutes without events end one) of the same events, and the event that arrived after its
 * session could have closed is in the late table with its lateness. Every commit records the
 * watermark it is complete up to, and holds exactly the sessions that closed by then.
 */
class UserSessionsITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final Instant START = Instant.parse("2026-11-20T09:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final Duration LATENESS = Duration.ofMinutes(20);
    private static final long GAP = Duration.ofMinutes(30).toMillis();
    private static final String[] TYPES = {"view", "view", "add_to_cart", "checkout", "purchase"};
    private static final long FLUSH_USER = 999_999;

    /** One generated click. */
    private static final class Click {
        final String id;
        final long user;
        final String type;
        final long ts;

        Click(String id, long user, String type, long ts) {
            this.id = id;
            this.user = user;
            this.type = type;
            this.ts = ts;
        }

        byte[] json() {
            return String.format(Locale.ROOT,
                    "{\"event_id\":\"%s\",\"user_id\":%d,\"page\":\"/\",\"event_type\":\"%s\",\"event_ts\":\"%s\"}",
                    id, user, type, Instant.ofEpochMilli(ts)).getBytes(StandardCharsets.UTF_8);
        }
    }

    @Test
    void sessionsEqualAnIndependentSessionizationAndTooLateClicksAreKept() throws Exception {
        LocalServices services = LocalServices.shared();
        String topic = services.uniqueName("clicks_gold");
        KafkaTestTopics.create(services.kafkaBootstrapServers(), topic, 1);
        SplittableRandom random = new SplittableRandom(9);
        List<Click> phase1 = new ArrayList<>();
        long[] clock = new long[20];
        java.util.Arrays.fill(clock, START.toEpochMilli());
        for (int i = 0; i < 800; i++) {
            int user = random.nextInt(clock.length);
            // Mostly a few minutes between a user's clicks, sometimes a pause long enough to end a session.
            clock[user] += random.nextInt(100) < 15 ? Duration.ofMinutes(31 + random.nextInt(60)).toMillis()
                    : Duration.ofSeconds(5 + random.nextInt(600)).toMillis();
            phase1.add(new Click("c-" + i, 1 + user, TYPES[random.nextInt(TYPES.length)], clock[user]));
        }
        // Produced in event-time order, a few seconds out of order here and there.
        phase1.sort(Comparator.comparingLong(c -> c.ts + (c.id.hashCode() % 3) * 1_000L));
        long maxTs = phase1.stream().mapToLong(c -> c.ts).max().orElseThrow() + 1_000;
        for (int i = 0; i < 16; i++) {
            phase1.add(new Click("m-" + i, 1, "view", maxTs));
        }
        produce(services, topic, phase1);

        PipelineUnderTest pipeline = new PipelineUnderTest(services, List.of(topic), Map.of(
                "silver.clickstream.source", topic,
                "silver.clickstream.table", topic + "_events",
                "watermarks.events.max-out-of-orderness", BOUND.toMillis() + " ms",
                "watermarks.events.idle-timeout", "2 s",
                "gold.allowed-lateness", LATENESS.toMinutes() + " min",
                // Timers on the heap here; the other gold ITCases keep the default (RocksDB).
                "pipeline.timers", "HEAP"));
        String prefix = pipeline.config().get(GoldOptions.TABLE_PREFIX);
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table sessions = pipeline.table(GoldTables.userSessions(prefix));
        Table late = pipeline.table(GoldTables.lateEvents(prefix));
        long finalWatermark = maxTs - BOUND.toMillis() - LATENESS.toMillis() - 1;
        List<String> expected = expected(phase1);
        // Every session that closed before the final watermark is written: the watermark got there.
        long closed = expected.stream().filter(line -> sessionEndMillis(line) - 1 <= finalWatermark).count();
        awaitSessions(sessions, closed, job);

        Click tooLate = new Click("late-1", 3, "purchase", finalWatermark - GAP - Duration.ofMinutes(5).toMillis());
        // Alone, so that its lateness is exact: produced with the flush clicks, the sessions operator's
        // watermark could already count theirs (its input channels may resume from idle in any order).
        produce(services, topic, List.of(tooLate));
        await("late rows", 1, job, () -> lateRows(late).size());
        List<Click> phase2 = new ArrayList<>();
        long flushTs = maxTs + LATENESS.toMillis() + 3 * GAP;
        for (int i = 0; i < 16; i++) {
            phase2.add(new Click("flush-" + i, FLUSH_USER, "view", flushTs));
        }
        produce(services, topic, phase2);
        awaitSessions(sessions, expected.size(), job);
        CatchUpThenStop.atCurrentEnd(services.kafkaBootstrapServers(),
                        pipeline.config().get(KafkaBronzeOptions.GROUP_ID), List.of(topic))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        assertThat(sessionRows(sessions)).containsExactlyElementsOf(expected);
        // Every commit records the watermark it is complete up to, and holds exactly the sessions
        // that closed by then (Flink fires a session [start, end) at watermark end - 1).
        List<SnapshotWatermarks.Entry> snapshots = SnapshotWatermarks.ofEverySnapshot(sessions);
        for (SnapshotWatermarks.Entry snapshot : snapshots) {
            assertThat(sessionRows(sessions, snapshot.snapshotId)).as("sessions of %s", snapshot)
                    .containsExactlyInAnyOrderElementsOf(expected.stream()
                            .filter(line -> sessionEndMillis(line) - 1 <= snapshot.watermark).collect(Collectors.toList()));
        }
        assertThat(snapshots.get(snapshots.size() - 1).watermark).as("the last commit's watermark")
                .isGreaterThanOrEqualTo(expected.stream().mapToLong(UserSessionsITCase::sessionEndMillis).max().orElseThrow() - 1);
        SnapshotWatermarks.assertCommittedStampsDeleted(sessions);
        assertThat(lateRows(late)).containsExactly("clickstream_events late-1 " + (finalWatermark - tooLate.ts));
    }

    /** Plain Java: per user, events less than the gap apart are one session [first, last + gap). */
    private static List<String> expected(List<Click> clicks) {
        Map<Long, List<Click>> byUser = new TreeMap<>(clicks.stream().collect(Collectors.groupingBy(c -> c.user)));
        List<String> out = new ArrayList<>();
        byUser.forEach((user, list) -> {
            list.sort(Comparator.comparingLong(c -> c.ts));
            int from = 0;
            for (int i = 1; i <= list.size(); i++) {
                if (i == list.size() || list.get(i).ts - list.get(i - 1).ts >= GAP) {
                    List<Click> s = list.subList(from, i);
                    out.add(user + " " + utc(s.get(0).ts) + " " + utc(s.get(s.size() - 1).ts + GAP) + " " + s.size() + " "
                            + count(s, "view") + " " + count(s, "add_to_cart") + " " + count(s, "purchase"));
                    from = i;
                }
            }
        });
        return out;
    }

    private static long count(List<Click> session, String type) {
        return session.stream().filter(c -> c.type.equals(type)).count();
    }

    private static List<String> sessionRows(Table sessions) throws Exception {
        sessions.refresh();
        return sessionRows(sessions, sessions.currentSnapshot().snapshotId());
    }

    /** The sessions of the generated users as of {@code snapshotId}, as expected lines. */
    private static List<String> sessionRows(Table sessions, long snapshotId) throws Exception {
        Map<String, String> byKey = new TreeMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(sessions).useSnapshot(snapshotId).build()) {
            for (Record r : rows) {
                long user = (Long) r.getField(GoldTables.USER_ID);
                if (user == FLUSH_USER) {
                    continue;
                }
                String key = String.format(Locale.ROOT, "%09d %s", user, r.getField(GoldTables.SESSION_START));
                byKey.put(key, user + " " + r.getField(GoldTables.SESSION_START) + " " + r.getField(GoldTables.SESSION_END) + " "
                        + r.getField(GoldTables.EVENTS) + " " + r.getField(GoldTables.PAGE_VIEWS) + " "
                        + r.getField(GoldTables.ADDS_TO_CART) + " " + r.getField(GoldTables.PURCHASES));
            }
        }
        return new ArrayList<>(byKey.values());
    }

    private static String utc(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).toString();
    }

    /** The session end in an expected line: user, start, end, counts. */
    private static long sessionEndMillis(String line) {
        return LocalDateTime.parse(line.split(" ")[2]).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    /** The late-events rows: dataset, event id, lateness. */
    private static List<String> lateRows(Table late) throws Exception {
        late.refresh();
        List<String> lateRows = new ArrayList<>();
        if (late.currentSnapshot() != null) {
            try (CloseableIterable<Record> rows = IcebergGenerics.read(late).build()) {
                rows.forEach(r -> lateRows.add(r.getField(GoldTables.DATASET) + " " + r.getField(GoldTables.EVENT_ID) + " "
                        + r.getField(GoldTables.LATENESS_MS)));
            }
        }
        return lateRows;
    }

    /** Counts rows of a table. */
    @FunctionalInterface
    private interface RowCount {
        int get() throws Exception;
    }

    /** Waits until {@code rows} counts at least {@code count} while the job runs, for 3 minutes at most. */
    private static void await(String what, long count, JobClient job, RowCount rows) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        int seen = 0;
        while (System.nanoTime() < deadline) {
            assertThat(job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            seen = rows.get();
            if (seen >= count) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Gold holds " + seen + " " + what + ", not " + count + ", after 3 minutes");
    }

    /** Waits until gold holds at least {@code count} sessions of the generated users. */
    private static void awaitSessions(Table sessions, long count, JobClient job) throws Exception {
        await("sessions", count, job, () -> sessions.currentSnapshot() != null || refreshed(sessions)
                ? sessionRows(sessions).size() : 0);
    }

    private static boolean refreshed(Table table) {
        table.refresh();
        return table.currentSnapshot() != null;
    }

    private static void produce(LocalServices services, String topic, List<Click> clicks) throws Exception {
        List<byte[][]> keyValues = new ArrayList<>();
        for (Click c : clicks) {
            keyValues.add(new byte[][] {("user-" + c.user).getBytes(StandardCharsets.UTF_8), c.json()});
        }
        KafkaTestTopics.produce(services.kafkaBootstrapServers(), topic, keyValues);
    }
}
