package dev.lakestream.jobs.gold;

import dev.lakestream.jobs.serialization.Utf8Strings;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.table.data.RowData;

/** A silver fulfillment event as the gold windows read it. Serialized by {@link GoldEventSerializer}. */
@TypeInfo(GoldEventSerializer.FulfillmentTypeInfo.class)
public final class FulfillmentEvent extends GoldEvent {

    public String facilityId;
    public String eventType;
    public int units;

    public FulfillmentEvent() {}

    /** From a row of {@code silver.fulfillment_events} (declared fields, then the common silver columns). */
    public static FulfillmentEvent of(RowData silver) {
        FulfillmentEvent e = new FulfillmentEvent();
        e.eventId = Utf8Strings.of(silver.getString(0));
        e.facilityId = Utf8Strings.of(silver.getString(1));
        e.eventType = Utf8Strings.of(silver.getString(2));
        e.units = silver.getInt(3);
        e.eventTsMillis = silver.getTimestamp(4, 6).getMillisecond();
        e.sourceName = Utf8Strings.of(silver.getString(6));
        e.sourcePartition = Utf8Strings.of(silver.getString(7));
        e.sourcePosition = Utf8Strings.of(silver.getString(8));
        return e;
    }
}
