package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.tables.QuarantineTable;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

/** Rows of a quarantine table ({@link QuarantineTable#schema()}), for every stage that rejects records. */
public final class QuarantineRows {

    private QuarantineRows() {}

    public static RowData of(String source, String partition, String position, byte[] payload, String reason,
            String field, String rule, String eventId, long ingestMillis, long quarantinedMillis) {
        return GenericRowData.of(
                StringData.fromString(source),
                StringData.fromString(partition),
                StringData.fromString(position),
                payload,
                payload == null ? null : payload.length,
                StringData.fromString(reason),
                field == null ? null : StringData.fromString(field),
                StringData.fromString(rule),
                eventId == null ? null : StringData.fromString(eventId),
                TimestampData.fromEpochMillis(ingestMillis),
                TimestampData.fromEpochMillis(quarantinedMillis));
    }
}
