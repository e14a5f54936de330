package dev.lakestream.jobs.gold;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;
import dev.lakestream.jobs.cdc.SilverChange;

import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrderTransitionsTest {

    static final CdcTableSchema ORDERS = new CdcTableSchema("public.orders", List.of(
            new Column("order_id", ColumnType.LONG, 0, 0, false, "int8"),
            new Column("customer_id", ColumnType.LONG, 0, 0, false, "int8"),
            new Column("status", ColumnType.STRING, 0, 0, false, "text"),
            new Column("total", ColumnType.DECIMAL, 12, 2, false, "numeric(12,2)"),
            new Column("updated_at", ColumnType.TIMESTAMP_UTC, 6, 0, false, "timestamptz")), List.of("order_id"));

    private static final long COMMIT = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();

    private final OrderTransitions transitions = new OrderTransitions(ORDERS, "postgres_shop");
    private final List<OrderFact> out = new ArrayList<>();
    private final Collector<OrderFact> collector = new Collector<>() {
        @Override
        public void collect(OrderFact record) {
            out.add(record);
        }

        @Override
        public void close() {}
    };

    private static SilverChange change(RowKind kind, String op, String status, String total, long ts) {
        SilverChange c = new SilverChange();
        c.kind = kind.toByteValue();
        c.op = op;
        c.position = "pg:" + ts;
        c.sourceTsMillis = ts;
        c.image = "{\"order_id\":7,\"customer_id\":3,\"status\":\"" + status + "\",\"total\":\"" + total
                + "\",\"updated_at\":\"2026-11-01T08:00:00Z\"}";
        return c;
    }

    private List<String> facts() {
        List<String> s = new ArrayList<>();
        out.forEach(f -> s.add(f.eventId + " " + f.customerId + " " + f.total + " " + Instant.ofEpochMilli(f.eventTsMillis)
                + " " + f.sourcePartition + " " + f.sourcePosition));
        return s;
    }

    @Test
    void aNewOrderAndEachStatusItEntersAreFactsAtTheirCommitTime() throws Exception {
        transitions.flatMap(change(RowKind.INSERT, "c", "placed", "10.50", COMMIT), collector);
        transitions.flatMap(change(RowKind.UPDATE_BEFORE, "u", "placed", "10.50", COMMIT + 1000), collector);
        transitions.flatMap(change(RowKind.UPDATE_AFTER, "u", "Paid", "10.50", COMMIT + 1000), collector);
        assertThat(facts()).containsExactly(
                "7:PLACED 3 10.50 2026-11-20T10:00:00Z public.orders pg:" + COMMIT,
                "7:PAID 3 10.50 2026-11-20T10:00:01Z public.orders pg:" + (COMMIT + 1000));
    }

    @Test
    void updatesThatKeepTheStatusAndDeletesAreNoFacts() throws Exception {
        transitions.flatMap(change(RowKind.UPDATE_BEFORE, "u", "paid", "10.50", COMMIT), collector);
        transitions.flatMap(change(RowKind.UPDATE_AFTER, "u", "PAID ", "11.50", COMMIT), collector);
        transitions.flatMap(change(RowKind.DELETE, "d", "paid", "11.50", COMMIT + 1), collector);
        assertThat(out).isEmpty();
    }

    @Test
    void testOrdersAreNotCounted() throws Exception {
        transitions.flatMap(change(RowKind.INSERT, "c", "test", "1.00", COMMIT), collector);
        transitions.flatMap(change(RowKind.UPDATE_BEFORE, "u", "placed", "1.00", COMMIT), collector);
        transitions.flatMap(change(RowKind.UPDATE_AFTER, "u", "test", "1.00", COMMIT), collector);
        assertThat(out).isEmpty();
    }

    @Test
    void factsSayWhetherTheOrderIsNewAndWhenItWasPlaced() throws Exception {
        transitions.flatMap(change(RowKind.INSERT, "c", "placed", "10.50", COMMIT), collector);
        transitions.flatMap(change(RowKind.UPDATE_BEFORE, "u", "placed", "10.50", COMMIT + 1000), collector);
        transitions.flatMap(change(RowKind.UPDATE_AFTER, "u", "cancelled", "10.50", COMMIT + 1000), collector);
        assertThat(out).extracting(f -> f.newOrder).containsExactly(true, false);
        // Without a created_at column an order counts as placed at its event time.
        assertThat(out).extracting(f -> f.placedAtMillis).containsExactly(COMMIT, COMMIT + 1000);

        List<Column> columns = new ArrayList<>(ORDERS.columns());
        columns.add(new Column("created_at", ColumnType.TIMESTAMP_UTC, 6, 0, false, "timestamptz"));
        OrderTransitions withCreatedAt = new OrderTransitions(new CdcTableSchema("public.orders", columns, List.of("order_id")), "pg");
        out.clear();
        SilverChange cancel = change(RowKind.UPDATE_AFTER, "u", "cancelled", "10.50", COMMIT + 1000);
        SilverChange before = change(RowKind.UPDATE_BEFORE, "u", "placed", "10.50", COMMIT + 1000);
        for (SilverChange c : List.of(before, cancel)) {
            c.image = c.image.replace("}", ",\"created_at\":\"2026-10-30T12:00:00Z\"}");
        }
        withCreatedAt.flatMap(before, collector);
        withCreatedAt.flatMap(cancel, collector);
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.newOrder).isFalse();
            assertThat(Instant.ofEpochMilli(f.placedAtMillis)).isEqualTo(Instant.parse("2026-10-30T12:00:00Z"));
        });
    }

    @Test
    void aSnapshotReadEnteredItsStatusWhenTheRowLastChanged() throws Exception {
        transitions.flatMap(change(RowKind.INSERT, "r", "shipped", "5.00", 0), collector);
        assertThat(facts()).containsExactly("7:SHIPPED 3 5.00 2026-11-01T08:00:00Z public.orders pg:0");
    }

    @Test
    void anUnpairedRetractionIsABugNotData() throws Exception {
        assertThatThrownBy(() -> transitions.flatMap(change(RowKind.UPDATE_AFTER, "u", "paid", "1.00", COMMIT), collector))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without the -U");
        transitions.flatMap(change(RowKind.UPDATE_BEFORE, "u", "paid", "1.00", COMMIT), collector);
        assertThatThrownBy(() -> transitions.flatMap(change(RowKind.INSERT, "c", "paid", "1.00", COMMIT), collector))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not followed by its +U");
    }

    @Test
    void aTableWithoutTheColumnsStopsTheJobBeforeItStarts() {
        CdcTableSchema noTotal = new CdcTableSchema("public.orders", List.of(
                new Column("order_id", ColumnType.LONG, 0, 0, false, "int8"),
                new Column("status", ColumnType.LONG, 0, 0, false, "int8")), List.of("order_id"));
        assertThatThrownBy(() -> new OrderTransitions(noTotal, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.orders")
                .hasMessageContaining("no column 'total'")
                .hasMessageContaining("column 'status' is int8, not STRING");
        assertThat(ImageColumns.indexes(ORDERS, Map.of("total", ColumnType.DECIMAL))).containsEntry("total", 3);
    }
}
