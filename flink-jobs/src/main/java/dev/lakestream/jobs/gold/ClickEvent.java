package dev.lakestream.jobs.gold;

import org.apache.flink.table.data.RowData;

/** A silver clickstream event as the gold session windows read it. A Flink POJO. */
public final class ClickEvent implements GoldEvent {

    public String eventId;
    public long userId;
    public String eventType;
    public long eventTsMillis;
    public String sourceName;
    public String sourcePartition;
    public String sourcePosition;

    public ClickEvent() {}

    /** From a row of {@code silver.clickstream_events} (declared fields, then the common silver columns). */
    public static ClickEvent of(RowData silver) {
        ClickEvent e = new ClickEvent();
        e.eventId = silver.getString(0).toString();
        e.userId = silver.getLong(1);
        e.eventType = silver.getString(4).toString();
        e.eventTsMillis = silver.getTimestamp(5, 6).getMillisecond();
        e.sourceName = silver.getString(8).toString();
        e.sourcePartition = silver.getString(9).toString();
        e.sourcePosition = silver.getString(10).toString();
        return e;
    }

    @Override
    public String eventId() {
        return eventId;
    }

    @Override
    public long eventTsMillis() {
        return eventTsMillis;
    }

    @Override
    public String sourceName() {
        return sourceName;
    }

    @Override
    public String sourcePartition() {
        return sourcePartition;
    }

    @Override
    public String sourcePosition() {
        return sourcePosition;
    }
}
