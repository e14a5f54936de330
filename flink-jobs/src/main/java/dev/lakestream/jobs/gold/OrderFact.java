package dev.lakestream.jobs.gold;

import java.math.BigDecimal;

/**
 * An order entering a status: what gold daily revenue counts. Its event time ({@link
 * #eventTsMillis}) is when the change that moved the order there was committed; for rows read by
 * the initial snapshot, which have no commit, the row's own {@code updated_at}. A Flink POJO.
 */
public final class OrderFact extends GoldEvent {

    public long orderId;
    public long customerId;
    /** Upper-case, e.g. {@code PLACED}, {@code CANCELLED}. */
    public String status;
    public BigDecimal total;
    /** Whether the order is new: its insert, or its row as the initial snapshot read it. */
    public boolean newOrder;
    /** When the order was placed ({@code created_at}; the event time if the table has none). */
    public long placedAtMillis;
    /** The customer's region as of {@link #eventTsMillis}; null until gold has looked it up. */
    public String region;

    public OrderFact() {}
}
