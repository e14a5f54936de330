package dev.lakestream.jobs;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every table the pipeline declares, for a configuration with every kind of source (Kafka and
 * Kinesis bronze, both silver datasets, Debezium CDC with a table holding every column type a CDC
 * source can produce) and gold on, is what Athena and Redshift read (lakehouse rules 1, 2 and 8),
 * checked on the table metadata as the provisioner creates it. The PostgreSQL and MySQL captures
 * map their columns onto the same column types, so the CDC table here stands for them too.
 */
class EveryTableReadableTest {

    private static Configuration everything() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders;clickstream");
        raw.put("kinesis.streams", "arn:aws:kinesis:eu-west-1:123456789012:stream/fulfillment");
        raw.put("silver.clickstream.source", "clickstream");
        raw.put("silver.fulfillment-events.source", "fulfillment");
        raw.put("cdc.kafka.topics", "shop.public.customers;shop.public.orders;shop.public.kinds");
        raw.put("cdc.kafka.tables", "public.customers;public.orders;public.kinds");
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id;public.kinds=id");
        raw.put("cdc.kafka.column-types", "public.customers=customer_id LONG, region STRING;"
                + "public.orders=order_id LONG, customer_id LONG, status STRING, total DECIMAL(12,2),"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC;"
                + "public.kinds=id LONG, i INT, d DECIMAL(38,10), s STRING, utc TIMESTAMP_UTC(6), local TIMESTAMP_LOCAL(3),"
                + " day DATE, flag BOOLEAN, x DOUBLE, y FLOAT");
        raw.put("cdc.kafka.silver-partition-columns", "public.customers=region");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    @Test
    void everyDeclaredTableIsFormatV2ParquetZstdWithReadableColumns() {
        List<TableSpec> specs = IngestionPipeline.tables(everything());
        assertThat(specs.stream().map(s -> s.identifier().toString()).collect(Collectors.toList()))
                .as("every layer, every kind of table")
                .contains("bronze.kafka_orders", "bronze.kinesis_fulfillment", "bronze.cdc_orders",
                        "bronze.clickstream_events_quarantine", "silver.clickstream_events", "silver.fulfillment_events",
                        "silver.orders", "silver.kinds", "gold.facility_throughput_hourly", "gold.user_sessions",
                        "gold.daily_revenue", "gold.customer_features_log", "gold.customer_features_latest",
                        "gold.facility_features_log", "gold.facility_features_latest", "gold.late_events");
        assertThat(specs.stream().map(TableSpec::layer).collect(Collectors.toSet())).containsOnly(Layer.values());

        InMemoryCatalog catalog = new InMemoryCatalog();
        catalog.initialize("rules", Map.of());
        TableProvisioner provisioner = new TableProvisioner(catalog);
        Set<String> typesSeen = new TreeSet<>();
        for (TableSpec spec : specs) {
            Table table = provisioner.ensure(spec);
            String name = spec.identifier().toString();
            assertThat(((HasTableOperations) table).operations().current().formatVersion()).as("%s format version", name)
                    .isEqualTo(2);
            assertThat(table.properties()).as("%s properties", name)
                    .containsEntry(TableProperties.DEFAULT_FILE_FORMAT, "parquet")
                    .containsEntry(TableProperties.PARQUET_COMPRESSION, "zstd");
            long target = Long.parseLong(table.properties().get(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES));
            assertThat(target).as("%s target file size (rule 8)", name).isBetween(128L << 20, 512L << 20);
            List<String> unreadable = new ArrayList<>();
            for (Types.NestedField field : TypeUtil.indexById(table.schema().asStruct()).values()) {
                Type type = field.type();
                typesSeen.add(type.typeId().toString());
                boolean zoned = type.typeId() == Type.TypeID.TIMESTAMP && ((Types.TimestampType) type).shouldAdjustToUTC();
                if (zoned || type.typeId() == Type.TypeID.FIXED || type.typeId() == Type.TypeID.UUID
                        || type.typeId() == Type.TypeID.TIME || type.typeId() == Type.TypeID.TIMESTAMP_NANO) {
                    unreadable.add(field.name() + " " + type);
                }
            }
            assertThat(unreadable).as("%s columns Athena or Redshift cannot read", name).isEmpty();
            assertThat(LakehouseTableRules.violations(table)).as("%s", name).isEmpty();
        }
        assertThat(typesSeen).as("column types the pipeline writes").contains("TIMESTAMP", "BINARY", "DECIMAL", "DATE",
                "BOOLEAN", "DOUBLE", "FLOAT", "INTEGER", "LONG", "STRING", "LIST", "STRUCT");
    }
}
