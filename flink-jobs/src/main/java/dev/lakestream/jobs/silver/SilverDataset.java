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
 * A silver event stream: its declared schema, its silver table ({@code silver.<table>}) and its
 * quarantine table ({@code bronze.<table>_quarantine}). The table name defaults to the schema's
 * name; the deduplication state's uids follow the schema's name, so renaming the table keeps it.
 */
public final class SilverDataset implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Clickstream events (Kafka topic {@code clickstream} in the reference deployment). */
    public static final SilverDataset CLICKSTREAM_EVENTS = new SilverDataset(ClickstreamEvents.SCHEMA);

    /** Fulfillment events (Kinesis stream {@code fulfillment-events} in the reference deployment). */
    public static final SilverDataset FULFILLMENT_EVENTS = new SilverDataset(FulfillmentEvents.SCHEMA);

    private final EventSchema schema;
    private final String tableName;

    public SilverDataset(EventSchema schema) {
        this(schema, schema.name());
    }

    public SilverDataset(EventSchema schema, String tableName) {
        this.schema = Objects.requireNonNull(schema);
        this.tableName = Objects.requireNonNull(tableName);
    }

    /** The same stream written to another table. */
    public SilverDataset withTableName(String table) {
        return new SilverDataset(schema, table);
    }

    public static List<SilverDataset> all() {
        return List.of(CLICKSTREAM_EVENTS, FULFILLMENT_EVENTS);
    }

    /** The stream's name, e.g. {@code clickstream_events}; operator uids derive from it. */
    public String name() {
        return schema.name();
    }

    /** Table name in the silver namespace. */
    public String tableName() {
        return tableName;
    }

    public EventSchema schema() {
        return schema;
    }

    public TableSpec silverTable() {
        return SilverEventTable.spec(tableName, schema.icebergColumns(), schema.eventTimeField());
    }

    public TableSpec quarantineTable() {
        return QuarantineTable.spec(tableName);
    }

    public RowType silverRowType() {
        return FlinkSchemaUtil.convert(schema.silverSchema());
    }

    public static RowType quarantineRowType() {
        return FlinkSchemaUtil.convert(QuarantineTable.schema());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SilverDataset
                && ((SilverDataset) o).schema.name().equals(schema.name())
                && ((SilverDataset) o).tableName.equals(tableName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema.name(), tableName);
    }

    @Override
    public String toString() {
        return tableName.equals(schema.name()) ? tableName : schema.name() + " -> silver." + tableName;
    }
}
