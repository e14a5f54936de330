package dev.lakestream.jobs.gold.features;

import dev.lakestream.jobs.gold.LateEventRouter;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * State written before the firing interval still restores: {@value #SNAPSHOT} (heap) and {@value
 * #ROCKSDB_SNAPSHOT} are snapshots of the facility features taken by the code of commit 7bc5b3f
 * (inputs waiting per event time in state {@code pending}, a timer per event time), after the first
 * {@value #BEFORE} of {@link #inputs()} with a watermark every 50 inputs ({@link #watermarkAfter}),
 * at most 2 entities open and 40 event times in memory (so waiting inputs had been spilled too). Restored into the current operator,
 * with later inputs at the same times as restored ones and in the same intervals, it must give the
 * rows of a recomputation.
 */
class RollingFeaturesMigrationTest {

    static final String SNAPSHOT = "dev/lakestream/jobs/gold/features/rolling-features-pending-by-time.snapshot";
    static final String ROCKSDB_SNAPSHOT = "dev/lakestream/jobs/gold/features/rolling-features-pending-by-time-rocksdb.snapshot";
    static final int COUNT = 800;
    static final int BEFORE = 500;
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long DAY0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    /** Facility inputs over 4 days, three facilities and a hot one, every tenth at the time of the one before. */
    static List<FeatureInput> inputs() {
        Random random = new Random(20261123);
        List<FeatureInput> inputs = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            long ts = DAY0 + (long) (random.nextDouble() * 4 * DAY);
            if (i % 10 == 0 && !inputs.isEmpty()) {
                ts = inputs.get(inputs.size() - 1).eventTsMillis;
            }
            String entity = random.nextInt(3) == 0 ? "FC-" + random.nextInt(3) : "FC-HOT";
            inputs.add(FeatureOracle.input(entity, ts, 1 + random.nextInt(20)));
        }
        inputs.sort(Comparator.comparingLong(in -> in.eventTsMillis));
        return inputs;
    }

    /** The watermark sent after input {@code i}: 3 hours behind it, so inputs wait. */
    static long watermarkAfter(List<FeatureInput> inputs, int i) {
        return inputs.get(i).eventTsMillis - 3 * HOUR;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void inputsWaitingByEventTimeInOldStateFireWithTheNewOnesInOrder(boolean rocksDb) throws Exception {
        FeatureSet<?> set = FeatureDefinitions.FACILITY;
        List<FeatureInput> inputs = inputs();
        long snapshotWatermark = watermarkAfter(inputs, BEFORE - BEFORE % 50 - 1);
        // After the restore: the remaining inputs, plus one at each of a few restored waiting times.
        List<FeatureInput> after = new ArrayList<>(inputs.subList(BEFORE, COUNT));
        List<FeatureInput> all = new ArrayList<>(inputs);
        for (int i = BEFORE - 20; i < BEFORE; i += 4) {
            FeatureInput again = FeatureOracle.input(inputs.get(i).entity, inputs.get(i).eventTsMillis, 100);
            after.add(0, again);
            all.add(again);
        }
        assertThat(after).allMatch(in -> in.eventTsMillis > snapshotWatermark);
        long end = DAY0 + 120 * DAY;

        // A checkpoint restores into the backend that took it.
        String file = rocksDb ? ROCKSDB_SNAPSHOT : SNAPSHOT;
        URL resource = getClass().getClassLoader().getResource(file);
        assertThat(resource).as(file).isNotNull();
        OperatorSubtaskState snapshot = OperatorSnapshotUtil.readStateHandle(Path.of(resource.toURI()).toString());
        try (KeyedOneInputStreamOperatorTestHarness<String, FeatureInput, RowData> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new RollingFeatures.Operator(new RollingFeatures(set, "fulfillment", RollingFeatures.MAX_OPEN,
                        RollingFeatures.DEFAULT_MAX_WAITING, RollingFeatures.DEFAULT_FIRE_INTERVAL.toMillis())),
                in -> in.entity, Types.STRING)) {
            if (rocksDb) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            h.initializeState(snapshot);
            h.open();
            KeyedStateBackend<String> backend = ((RollingFeatures.Operator) h.getOperator()).getKeyedStateBackend();
            try (Stream<String> keys = backend.getKeys("pending", VoidNamespace.INSTANCE)) {
                assertThat(keys).as("entities with inputs waiting by time in the old state").isNotEmpty();
            }
            for (FeatureInput in : after) {
                h.processElement(in, in.eventTsMillis);
            }
            h.processWatermark(end);
            assertThat(h.getSideOutput(LateEventRouter.LATE)).as("late inputs").isNull();

            List<String> rows = h.extractOutputValues().stream().map(FeatureOracle::format).sorted(byEntity())
                    .collect(Collectors.toList());
            List<String> expected = FeatureOracle.rows(set, sorted(all), end).stream()
                    .filter(r -> time(r) > snapshotWatermark).collect(Collectors.toList());
            assertThat(rows).hasSizeGreaterThan(300).isEqualTo(expected);
            for (String state : new String[] {"pending", "pending-by-interval", "buckets", "summary"}) {
                try (Stream<String> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                    assertThat(keys).as(state).isEmpty();
                }
            }
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    private static List<FeatureInput> sorted(List<FeatureInput> inputs) {
        List<FeatureInput> sorted = new ArrayList<>(inputs);
        sorted.sort(Comparator.comparingLong(in -> in.eventTsMillis));
        return sorted;
    }

    /** The oracle lists entity by entity, each in time order; the operator interleaves entities. */
    private static Comparator<String> byEntity() {
        return Comparator.comparing((String r) -> r.split(" ")[0]);
    }

    private static long time(String row) {
        return LocalDateTime.parse(row.split(" ")[1]).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
