package dev.lakestream.jobs.gold;

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
        e.eventId = silver.getString(0).toString();
        e.facilityId = silver.getString(1).toString();
        e.eventType = silver.getString(2).toString();
        e.units = silver.getInt(3);
        e.eventTsMillis = silver.getTimestamp(4, 6).getMillisecond();
        e.sourceName = silver.getString(6).toString();
        e.sourcePartition = silver.getString(7).toString();
        e.sourcePosition = silver.getString(8).toString();
        return e;
    }
}
