package dev.lakestream.jobs.silver;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.catalog.tables.QuarantineTable;
import dev.lakestream.catalog.tables.SilverEventTable;
import dev.lakestream.jobs.silver.datasets.ClickstreamEvents;
import dev.lakestream.jobs.silver.datasets.FulfillmentEvents;
import dev.lakestream.jobs.silver.schema.EventSchema;

import org.apache.flink.table.types.logical.RowType;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A silver event stream: its declared schema, its silver table ({@code silver.<name>}) and its
 * quarantine table ({@code bronze.<name>_quarantine}).
 */
public final class SilverDataset implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Clickstream events (Kafka topic {@code clickstream} in the reference deployment). */
    public static final SilverDataset CLICKSTREAM_EVENTS = new SilverDataset(ClickstreamEvents.SCHEMA);

    /** Fulfillment events (Kinesis stream {@code fulfillment-events} in the reference deployment). */
    public static final SilverDataset FULFILLMENT_EVENTS = new SilverDataset(FulfillmentEvents.SCHEMA);

    private final EventSchema schema;

    public SilverDataset(EventSchema schema) {
        this.schema = Objects.requireNonNull(schema);
    }

    public static List<SilverDataset> all() {
        return List.of(CLICKSTREAM_EVENTS, FULFILLMENT_EVENTS);
    }

    /** Table name in the silver namespace, e.g. {@code clickstream_events}. */
    public String name() {
        return schema.name();
    }

    public EventSchema schema() {
        return schema;
    }

    public TableSpec silverTable() {
        return SilverEventTable.spec(schema.name(), schema.icebergColumns(), schema.eventTimeField());
    }

    public TableSpec quarantineTable() {
        return QuarantineTable.spec(schema.name());
    }

    public RowType silverRowType() {
        return FlinkSchemaUtil.convert(schema.silverSchema());
    }

    public static RowType quarantineRowType() {
        return FlinkSchemaUtil.convert(QuarantineTable.schema());
    }

    @Override
    public String toString() {
        return schema.name();
    }
}
