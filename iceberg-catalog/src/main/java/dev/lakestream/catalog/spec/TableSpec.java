package dev.lakestream.catalog.spec;

import dev.lakestream.catalog.Layer;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A declared table: where it lives, its schema, partitioning, sort order and properties. Tables
 * are created and evolved from specs by {@link TableProvisioner}; sinks never create tables.
 *
 * <p>Construction checks {@link LakehouseTableRules}, so a spec that Athena or Redshift could not
 * read never reaches the catalog.
 */
public final class TableSpec {

    private final Layer layer;
    private final TableIdentifier identifier;
    private final Schema schema;
    private final PartitionSpec partitionSpec;
    private final SortOrder sortOrder;
    private final Map<String, String> properties;

    private TableSpec(Builder builder) {
        this.layer = builder.layer;
        this.identifier = TableIdentifier.of(Namespace.of(builder.layer.namespace()), builder.name);
        this.schema = builder.schema;
        this.partitionSpec = builder.partitioning.apply(schema);
        this.sortOrder = builder.sortOrder == null ? SortOrder.unsorted() : builder.sortOrder.apply(schema);
        Map<String, String> props = new LinkedHashMap<>(LakehouseTableRules.REQUIRED_PROPERTIES);
        props.putAll(builder.properties);
        this.properties = Collections.unmodifiableMap(props);
        LakehouseTableRules.requireReadable(identifier.toString(), schema, partitionSpec, properties);
    }

    public static Builder builder(Layer layer, String name) {
        return new Builder(layer, name);
    }

    public Layer layer() {
        return layer;
    }

    public TableIdentifier identifier() {
        return identifier;
    }

    public Schema schema() {
        return schema;
    }

    public PartitionSpec partitionSpec() {
        return partitionSpec;
    }

    public SortOrder sortOrder() {
        return sortOrder;
    }

    public Map<String, String> properties() {
        return properties;
    }

    @Override
    public String toString() {
        return "TableSpec{" + identifier + ", partitioned by " + partitionSpec.fields() + "}";
    }

    /** Builds a {@link TableSpec}; partitioning and sort order are declared against the schema. */
    public static final class Builder {
        private final Layer layer;
        private final String name;
        private Schema schema;
        private Function<Schema, PartitionSpec> partitioning = s -> PartitionSpec.unpartitioned();
        private Function<Schema, SortOrder> sortOrder;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(Layer layer, String name) {
            this.layer = Objects.requireNonNull(layer, "layer");
            if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException(
                        "Table name '" + name + "' must match [a-z][a-z0-9_]* (Glue and Athena lower-case names).");
            }
            this.name = name;
        }

        public Builder schema(Schema schema) {
            this.schema = schema;
            return this;
        }

        public Builder partitioning(Function<Schema, PartitionSpec> partitioning) {
            this.partitioning = Objects.requireNonNull(partitioning);
            return this;
        }

        public Builder sortOrder(Function<Schema, SortOrder> sortOrder) {
            this.sortOrder = sortOrder;
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public TableSpec build() {
            if (schema == null) {
                throw new IllegalStateException("Table spec " + layer.namespace() + "." + name + " needs a schema.");
            }
            return new TableSpec(this);
        }
    }
}
