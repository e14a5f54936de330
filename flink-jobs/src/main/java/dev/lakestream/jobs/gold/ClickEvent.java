package dev.lakestream.jobs.gold;

import dev.lakestream.jobs.serialization.Utf8Strings;

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
        e.eventId = Utf8Strings.of(silver.getString(0));
        e.userId = silver.getLong(1);
        e.eventType = Utf8Strings.of(silver.getString(4));
        e.eventTsMillis = silver.getTimestamp(5, 6).getMillisecond();
        e.sourceName = Utf8Strings.of(silver.getString(8));
        e.sourcePartition = Utf8Strings.of(silver.getString(9));
        e.sourcePosition = Utf8Strings.of(silver.getString(10));
        return e;
    }
}
