package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.table.data.RowData;

/** A silver clickstream event as the gold session windows read it. Serialized by {@link GoldEventSerializer}. */
@TypeInfo(GoldEventSerializer.ClicksTypeInfo.class)
public final class ClickEvent extends GoldEvent {

    public long userId;
    public String eventType;

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
}
