package dev.lakestream.jobs.sink;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LatestRowPerKeyTest {

    /** (facility string, hour int, units bigint); key facility and hour. */
    private static final RowType ROW = RowType.of(new VarCharType(VarCharType.MAX_LENGTH), new IntType(), new BigIntType());

    private static OneInputStreamOperatorTestHarness<RowData, RowData> harness(int maxKeys) throws Exception {
        OneInputStreamOperatorTestHarness<RowData, RowData> h =
                new OneInputStreamOperatorTestHarness<>(new LatestRowPerKey(ROW, new int[] {0, 1}, maxKeys));
        h.open();
        return h;
    }

    private static GenericRowData row(String facility, int hour, long units) {
        return GenericRowData.of(StringData.fromString(facility), hour, units);
    }

    private static List<String> out(OneInputStreamOperatorTestHarness<RowData, RowData> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            RowData r = (RowData) ((StreamRecord<?>) o).getValue();
            out.add(r.getRowKind().shortString() + r.getString(0) + "/" + r.getInt(1) + "=" + r.getLong(2));
        }
        return out;
    }

    @Test
    void onlyTheLastRowOfEachKeyReachesTheWritersAndAllOfThemBeforeTheBarrier() throws Exception {
        try (var h = harness(100)) {
            h.processElement(row("f1", 9, 1), 0);
            h.processElement(row("f2", 9, 5), 0);
            h.processElement(row("f1", 10, 7), 0);
            h.processElement(row("f1", 9, 2), 0);
            GenericRowData before = row("f2", 9, 5);
            before.setRowKind(RowKind.UPDATE_BEFORE);
            h.processElement(before, 0);
            GenericRowData deleted = row("f1", 10, 7);
            deleted.setRowKind(RowKind.DELETE);
            h.processElement(deleted, 0);
            assertThat(out(h)).as("nothing before the checkpoint").isEmpty();

            h.prepareSnapshotPreBarrier(1);
            assertThat(out(h)).containsExactlyInAnyOrder("+If1/9=2", "+If2/9=5", "-Df1/10=7");
            h.getOutput().clear();
            h.prepareSnapshotPreBarrier(2);
            assertThat(out(h)).as("an empty buffer after each checkpoint").isEmpty();
        }
    }

    @Test
    void aBufferedRowIsACopyThatTheEmitterCanReuse() throws Exception {
        try (var h = harness(100)) {
            GenericRowData reused = row("f1", 9, 1);
            h.processElement(reused, 0);
            reused.setField(0, StringData.fromString("f9"));
            reused.setField(2, 99L);
            h.processElement(reused, 0);
            h.prepareSnapshotPreBarrier(1);
            assertThat(out(h)).containsExactlyInAnyOrder("+If1/9=1", "+If9/9=99");
        }
    }

    @Test
    void aFullBufferIsHandedOnEarlyAndTheRestAtTheEndOfInput() throws Exception {
        var h = harness(2);
        h.processElement(row("a", 1, 1), 0);
        h.processElement(row("b", 1, 1), 0);
        h.processElement(row("a", 1, 2), 0);
        assertThat(out(h)).isEmpty();
        h.processElement(row("c", 1, 1), 0);
        assertThat(out(h)).containsExactlyInAnyOrder("+Ia/1=2", "+Ib/1=1", "+Ic/1=1");
        h.getOutput().clear();
        h.processElement(row("d", 1, 1), 0);
        h.close();
        assertThat(out(h)).containsExactly("+Id/1=1");
    }
}
