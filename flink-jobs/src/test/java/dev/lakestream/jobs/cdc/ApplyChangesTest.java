package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;
import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.ChangeOp;
import dev.lakestream.cdc.SourcePosition;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Applying one table's changes: retractions with the full old row, the version guard, quarantine. */
class ApplyChangesTest {

    private static final CdcTableSchema ORDERS = new CdcTableSchema("public.orders", List.of(
            new Column("order_id", ColumnType.LONG, 0, 0, false, "bigint"),
            new Column("status", ColumnType.STRING, 0, 0, false, "text"),
            new Column("total", ColumnType.DECIMAL, 12, 2, false, "numeric(12,2)")), List.of("order_id"));

    private static KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, SilverChange> harness() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, SilverChange> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ApplyChanges(ORDERS, SchemaSource.none(), "postgres_shop")),
                new CdcJob.KeyOf(), Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static ChangeEvent change(ChangeOp op, long lsn, String after) {
        String before = op == ChangeOp.DELETE ? "{\"order_id\":7,\"status\":null,\"total\":null}" : null;
        return new ChangeEvent(op, "public.orders", "{\"order_id\":7}", before, after,
                lsn == 0 ? SourcePosition.snapshot(SourcePosition.Kind.POSTGRES) : SourcePosition.postgres(lsn),
                1_000L, lsn == 0, "{}");
    }

    private static String order(String status, String total) {
        return "{\"order_id\":7,\"status\":\"" + status + "\",\"total\":\"" + total + "\"}";
    }

    /** Emitted changes as the rows silver gets: kind, then the typed columns. */
    private static List<String> emitted(KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, SilverChange> h) {
        ChangeRowConverter converter = new ChangeRowConverter(ORDERS);
        return h.extractOutputValues().stream().map(c -> {
            try {
                RowData r = converter.toRow(c.image, c.op, c.position, null);
                return c.rowKind().shortString() + " " + r.getLong(0) + " " + r.getString(1) + " " + r.getDecimal(2, 12, 2);
            } catch (ChangeRowConverter.ConversionException e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toList());
    }

    @Test
    void snapshotThenUpdateThenDeleteWithOnlyTheKey() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(change(ChangeOp.READ, 0, order("placed", "10.00")), 0);
            h.processElement(change(ChangeOp.UPDATE, 100, order("paid", "10.50")), 0);
            h.processElement(change(ChangeOp.DELETE, 200, null), 0);

            assertThat(emitted(h)).containsExactly(
                    "+I 7 placed 10.00",
                    "-U 7 placed 10.00", "+U 7 paid 10.50",
                    // The delete's before image has only the key; the retraction carries the whole row.
                    "-D 7 paid 10.50");
        }
    }

    @Test
    void aChangeAtOrBeforeTheLastAppliedPositionIsDropped() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(change(ChangeOp.INSERT, 100, order("placed", "10.00")), 0);
            h.processElement(change(ChangeOp.UPDATE, 300, order("shipped", "10.00")), 0);
            h.processElement(change(ChangeOp.UPDATE, 200, order("paid", "10.00")), 0);
            h.processElement(change(ChangeOp.UPDATE, 300, order("shipped", "10.00")), 0);

            assertThat(emitted(h)).containsExactly("+I 7 placed 10.00", "-U 7 placed 10.00", "+U 7 shipped 10.00");
        }
    }

    @Test
    void theGuardAndTheRowSurviveARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(change(ChangeOp.INSERT, 100, order("placed", "10.00")), 0);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(change(ChangeOp.INSERT, 100, order("placed", "10.00")), 0);
            h.processElement(change(ChangeOp.DELETE, 150, null), 0);

            assertThat(emitted(h)).containsExactly("-D 7 placed 10.00");
        }
    }

    @Test
    void aColumnAddedUpstreamIsReadFromTheSourceAndKept() throws Exception {
        CdcTableSchema withDiscount = new CdcTableSchema("public.orders", List.of(
                new Column("order_id", ColumnType.LONG, 0, 0, false, "bigint"),
                new Column("status", ColumnType.STRING, 0, 0, false, "text"),
                // Upstream re-typed total too: the job keeps its decimal type.
                new Column("total", ColumnType.STRING, 0, 0, false, "text"),
                new Column("discount", ColumnType.DECIMAL, 5, 2, true, "numeric(5,2)")), List.of("order_id"));
        int[] lookups = {0};
        SchemaSource source = table -> {
            lookups[0]++;
            return withDiscount;
        };
        TableColumns columns = new TableColumns(ORDERS, source);

        assertThat(columns.accommodate(ChangeRowConverter.parse(order("paid", "10.00")))).isFalse();
        assertThat(columns.accommodate(ChangeRowConverter.parse("{\"order_id\":7,\"status\":\"paid\",\"total\":\"10.00\",\"discount\":\"1.50\"}"))).isTrue();
        assertThat(columns.schema().columns()).extracting(Column::name).containsExactly("order_id", "status", "total", "discount");
        assertThat(columns.schema().columns().get(2).type()).isEqualTo(ColumnType.DECIMAL);
        assertThat(columns.converter().toRow("{\"order_id\":7,\"status\":\"paid\",\"total\":\"10.00\",\"discount\":\"1.50\"}",
                "u", "pg:1", null).getDecimal(3, 5, 2).toString()).isEqualTo("1.50");
        // A field the source does not declare either costs one lookup, not one per row.
        assertThat(columns.accommodate(ChangeRowConverter.parse("{\"order_id\":7,\"ghost\":1}"))).isFalse();
        assertThat(columns.accommodate(ChangeRowConverter.parse("{\"order_id\":8,\"ghost\":2}"))).isFalse();
        assertThat(lookups[0]).isEqualTo(2);
    }

    @Test
    void aRowThatDoesNotFitGoesToQuarantineAndIsNotApplied() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(change(ChangeOp.INSERT, 100, order("placed", "10.00")), 0);
            h.processElement(change(ChangeOp.UPDATE, 200, order("paid", "ten")), 0);
            h.processElement(change(ChangeOp.UPDATE, 300, order("paid", "10.25")), 0);

            assertThat(emitted(h)).containsExactly("+I 7 placed 10.00", "-U 7 placed 10.00", "+U 7 paid 10.25");
            List<RowData> quarantined = h.getSideOutput(ParseChanges.QUARANTINE).stream()
                    .map(StreamRecord::getValue).collect(Collectors.toList());
            assertThat(quarantined).singleElement().satisfies(r -> {
                assertThat(r.getString(5).toString()).isEqualTo("WRONG_TYPE");
                assertThat(r.getString(6).toString()).isEqualTo("total");
                assertThat(r.getString(7).toString()).contains("total (numeric(12,2)) cannot hold string \"ten\"");
                assertThat(r.getString(2).toString()).isEqualTo(SourcePosition.postgres(200).sortable());
            });
        }
    }
}
