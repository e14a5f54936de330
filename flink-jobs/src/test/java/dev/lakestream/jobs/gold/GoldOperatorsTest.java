package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GoldOperatorsTest {

    private static final long SLICE = Duration.ofMinutes(15).toMillis();

    @Test
    void anEventIsLateOnceTheLastMillisecondOfItsSliceIsAtOrBeforeTheWatermark() {
        long sliceStart = 4 * SLICE;
        LateEventRouter<FulfillmentEvent> router = LateEventRouter.slices("f", SLICE);
        assertThat(router.isLate(sliceStart + 10, sliceStart + SLICE - 2)).isFalse();
        assertThat(router.isLate(sliceStart + 10, sliceStart + SLICE - 1)).isTrue();
        assertThat(router.isLate(sliceStart + SLICE - 1, sliceStart + SLICE - 1)).isTrue();
        assertThat(router.isLate(sliceStart + SLICE, sliceStart + SLICE - 1)).isFalse();
        assertThat(router.isLate(-1, Long.MIN_VALUE)).as("no watermark yet").isFalse();
    }

    @Test
    void aHeldBackWatermarkKeepsTheEndOfInputAndNeverWrapsAround() {
        assertThat(HoldBackWatermark.heldBack(100, 10)).isEqualTo(90);
        assertThat(HoldBackWatermark.heldBack(Long.MAX_VALUE, 10)).isEqualTo(Long.MAX_VALUE);
        assertThat(HoldBackWatermark.heldBack(Long.MIN_VALUE + 5, 10)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void theWatermarkIsHeldBackInTheChainOfTheOperatorBeforeIt() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        HoldBackWatermark.on(env.fromSequence(0, 9).map(i -> i * 2).returns(Types.LONG), Duration.ofHours(1), "held-back")
                .keyBy(i -> i % 3).reduce(Long::sum).sinkTo(new DiscardingSink<>());
        List<String> vertices = new ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        // Chained, its records need no serialization and no hand-over to another thread.
        assertThat(vertices).hasSize(2).anySatisfy(name -> assertThat(name).contains("Map -> Hold back watermark"));
    }

    private static RowData row(String key, long value, boolean isFinal) {
        return GenericRowData.of(StringData.fromString(key), value, isFinal);
    }

    @Test
    void aFinalRowIsNeverFollowedByAProvisionalOne() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, RowData, RowData> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new KeepFinal(2, Duration.ofHours(1))),
                        r -> r.getString(0).toString(), Types.STRING)) {
            harness.open();
            harness.processElement(row("a", 1, false), 0);
            harness.processElement(row("a", 2, true), 0);
            harness.processElement(row("a", 3, false), 0);
            harness.processElement(row("b", 4, true), 0);
            harness.processElement(row("c", 5, false), 0);

            assertThat(harness.extractOutputValues().stream().map(r -> r.getString(0) + "=" + r.getLong(1))
                    .collect(Collectors.toList())).containsExactly("a=1", "a=2", "b=4", "c=5");
        }
    }
}
