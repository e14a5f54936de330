package dev.lakestream.jobs.gold;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.ChangeRowConverter;
import dev.lakestream.jobs.cdc.SilverChange;

import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.util.Locale;
import java.util.Map;

/**
 * Turns the row changes of silver {@code orders} into the facts daily revenue counts: one {@link
 * OrderFact} each time an order enters a status (a new order, or an update whose status differs
 * from the row it replaces). Updates that keep the status, and deletes (GDPR erasure), enter no
 * status and make no fact; neither does a change into status {@code test}, so test orders are not
 * counted from the moment they are marked.
 *
 * <p>Runs right after {@code ApplyChanges}, which emits an update as {@code -U} (the row as it
 * was) immediately followed by {@code +U} (the row as it is) on the same channel, so the two are
 * paired here without state.
 */
public final class OrderTransitions extends RichFlatMapFunction<SilverChange, OrderFact> {

    private static final long serialVersionUID = 1L;

    /** The columns of {@code orders} daily revenue reads, with the types they must have. */
    static final Map<String, ColumnType> COLUMNS = Map.of(
            "order_id", ColumnType.LONG, "customer_id", ColumnType.LONG, "status", ColumnType.STRING,
            "total", ColumnType.DECIMAL, "updated_at", ColumnType.TIMESTAMP_UTC);

    private final String sourceName;
    private final String table;
    private final ChangeRowConverter converter;
    private final int orderId;
    private final int customerId;
    private final int status;
    private final int total;
    private final int updatedAt;
    /** -1 when the table has no {@code created_at} timestamp: orders then count as placed at their event time. */
    private final int createdAt;
    private final int totalPrecision;
    private final int totalScale;

    private transient SilverChange before;

    /** @throws IllegalArgumentException when {@code orders} lacks a column of {@link #COLUMNS} */
    public OrderTransitions(CdcTableSchema orders, String sourceName) {
        Map<String, Integer> at = ImageColumns.indexes(orders, COLUMNS);
        this.orderId = at.get("order_id");
        this.customerId = at.get("customer_id");
        this.status = at.get("status");
        this.total = at.get("total");
        this.updatedAt = at.get("updated_at");
        this.createdAt = ImageColumns.optional(orders, "created_at", ColumnType.TIMESTAMP_UTC);
        this.totalPrecision = orders.columns().get(total).precision();
        this.totalScale = orders.columns().get(total).scale();
        this.converter = new ChangeRowConverter(orders);
        this.sourceName = sourceName;
        this.table = orders.table();
    }

    /** The facts of {@code table}'s changes in {@code capture}; one operator per table, shared by whatever reads them. */
    public static DataStream<OrderFact> of(CdcCapture capture, String table, DataStream<SilverChange> changes) {
        return changes.flatMap(new OrderTransitions(capture.tables().get(table), capture.name()))
                .returns(OrderFact.class)
                .uid("gold-order-transitions-" + capture.name() + "-" + table).name("Order transitions of " + table);
    }

    @Override
    public void flatMap(SilverChange change, Collector<OrderFact> out) throws Exception {
        RowKind kind = change.rowKind();
        if (kind == RowKind.UPDATE_BEFORE) {
            pairless(before);
            before = change;
            return;
        }
        if (kind == RowKind.UPDATE_AFTER) {
            if (before == null) {
                throw new IllegalStateException("+U of " + table + " at " + change.position
                        + " without the -U before it: ApplyChanges emits them as a pair, on one channel");
            }
            GenericRowData was = row(before);
            before = null;
            GenericRowData is = row(change);
            if (!statusOf(was).equals(statusOf(is))) {
                emit(is, change, false, out);
            }
            return;
        }
        pairless(before);
        if (kind == RowKind.INSERT) {
            emit(row(change), change, true, out);
        }
    }

    private void pairless(SilverChange pending) {
        if (pending != null) {
            throw new IllegalStateException("-U of " + table + " at " + pending.position + " not followed by its +U");
        }
    }

    private GenericRowData row(SilverChange change) throws Exception {
        // ApplyChanges converted this image already (rejects went to quarantine), so it converts.
        return converter.toRow(change.image, change.op, change.position, TimestampData.fromEpochMillis(change.sourceTsMillis));
    }

    private String statusOf(GenericRowData row) {
        Object s = row.getField(status);
        return s == null ? "" : s.toString().trim().toUpperCase(Locale.ROOT);
    }

    private void emit(GenericRowData row, SilverChange change, boolean newOrder, Collector<OrderFact> out) {
        String s = statusOf(row);
        if (s.isEmpty() || "TEST".equals(s) || row.getField(total) == null) {
            return;
        }
        OrderFact fact = new OrderFact();
        fact.orderId = row.getLong(orderId);
        fact.customerId = row.isNullAt(customerId) ? -1 : row.getLong(customerId);
        fact.status = s;
        fact.total = ((DecimalData) row.getField(total)).toBigDecimal();
        if ("r".equals(change.op)) {
            // A snapshot read has no commit time: the row's last change is when it entered its status.
            TimestampData updated = (TimestampData) row.getField(updatedAt);
            fact.eventTsMillis = updated == null ? 0 : updated.getMillisecond();
        } else {
            fact.eventTsMillis = change.sourceTsMillis;
        }
        fact.newOrder = newOrder;
        TimestampData created = createdAt < 0 ? null : (TimestampData) row.getField(createdAt);
        fact.placedAtMillis = created == null ? fact.eventTsMillis : created.getMillisecond();
        fact.eventId = fact.orderId + ":" + s;
        fact.sourceName = sourceName;
        fact.sourcePartition = table;
        fact.sourcePosition = change.position;
        out.collect(fact);
    }
}
