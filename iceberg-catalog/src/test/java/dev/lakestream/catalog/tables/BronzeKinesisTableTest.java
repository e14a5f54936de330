package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BronzeKinesisTableTest {

    @Test
    void streamNamesBecomeLowerCaseTableNames() {
        assertThat(BronzeKinesisTable.tableName("clickstream")).isEqualTo("kinesis_clickstream");
        assertThat(BronzeKinesisTable.tableName("Shop.Orders-v1")).isEqualTo("kinesis_shop_orders_v1");
    }

    @Test
    void columnsInRowLayoutOrderWithRequiredCoordinates() {
        assertThat(BronzeKinesisTable.schema().columns())
                .extracting(Types.NestedField::name)
                .containsExactly(
                        BronzeKinesisTable.STREAM,
                        BronzeKinesisTable.SHARD_ID,
                        BronzeKinesisTable.SEQUENCE_NUMBER,
                        BronzeKinesisTable.APPROXIMATE_ARRIVAL_TS,
                        BronzeKinesisTable.PARTITION_KEY,
                        BronzeKinesisTable.RECORD_DATA,
                        BronzeKinesisTable.INGEST_TS);
        assertThat(BronzeKinesisTable.schema().columns())
                .filteredOn(Types.NestedField::isRequired)
                .extracting(Types.NestedField::name)
                .containsExactly(
                        BronzeKinesisTable.STREAM,
                        BronzeKinesisTable.SHARD_ID,
                        BronzeKinesisTable.SEQUENCE_NUMBER,
                        BronzeKinesisTable.INGEST_TS);
        assertThat(BronzeKinesisTable.schema().findType(BronzeKinesisTable.RECORD_DATA))
                .isEqualTo(Types.BinaryType.get());
        assertThat(BronzeKinesisTable.schema().findType(BronzeKinesisTable.APPROXIMATE_ARRIVAL_TS))
                .isEqualTo(Types.TimestampType.withoutZone());
    }

    @Test
    void bronzeIsPartitionedByIngestDayAndReadable() {
        TableSpec spec = BronzeKinesisTable.spec("orders");

        assertThat(spec.identifier().toString()).isEqualTo("bronze.kinesis_orders");
        assertThat(spec.partitionSpec().fields()).singleElement()
                .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("day"));
        assertThat(spec.schema().findColumnName(spec.partitionSpec().fields().get(0).sourceId()))
                .isEqualTo(BronzeKinesisTable.INGEST_TS);
        assertThat(LakehouseTableRules.violations(spec.schema(), spec.partitionSpec(), spec.properties()))
                .isEmpty();
    }

    @Test
    void bothBronzeTablesCarryTheSameProperties() {
        // The same but for the payload column each names (written without statistics).
        Map<String, String> kafka = new HashMap<>(BronzeKafkaTable.spec("orders").properties());
        kafka.remove(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + BronzeKafkaTable.RECORD_VALUE);
        kafka.put(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + BronzeKinesisTable.RECORD_DATA, "false");
        assertThat(BronzeKinesisTable.spec("orders").properties())
                .isEqualTo(kafka)
                .containsEntry("write.upsert.enabled", "false")
                .containsEntry("write.metadata.delete-after-commit.enabled", "true");
    }
}
