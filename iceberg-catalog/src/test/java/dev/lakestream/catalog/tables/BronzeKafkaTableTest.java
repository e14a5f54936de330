package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BronzeKafkaTableTest {

    @Test
    void topicNamesBecomeLowerCaseTableNames() {
        assertThat(BronzeKafkaTable.tableName("clickstream")).isEqualTo("kafka_clickstream");
        assertThat(BronzeKafkaTable.tableName("Shop.Orders-v1")).isEqualTo("kafka_shop_orders_v1");
    }

    @Test
    void bronzeIsPartitionedByIngestDayAndReadable() {
        TableSpec spec = BronzeKafkaTable.spec("orders");

        assertThat(spec.identifier().toString()).isEqualTo("bronze.kafka_orders");
        assertThat(spec.partitionSpec().fields()).singleElement()
                .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("day"));
        assertThat(spec.schema().findColumnName(spec.partitionSpec().fields().get(0).sourceId()))
                .isEqualTo(BronzeKafkaTable.INGEST_TS);
        assertThat(LakehouseTableRules.violations(spec.schema(), spec.partitionSpec(), spec.properties()))
                .isEmpty();
    }

    @Test
    void bronzeFilesAreWrittenWithoutDictionaries(@TempDir File dir) throws Exception {
        TableSpec spec = BronzeKafkaTable.spec("orders");
        Map<String, String> withDefaults = new HashMap<>(spec.properties());
        withDefaults.remove(BronzeTables.PARQUET_DICTIONARY);

        // The property reaches Iceberg's Parquet writer: no column chunk of a bronze file has a dictionary
        // page, where the same rows with the writer's default get one for the repeated topic column.
        assertThat(ParquetTestFiles.dictionaryColumns(write(new File(dir, "bronze.parquet"), spec, spec.properties()))).isEmpty();
        assertThat(ParquetTestFiles.dictionaryColumns(write(new File(dir, "default.parquet"), spec, withDefaults))).contains("topic");
    }

    @Test
    void payloadsAreWrittenWithoutStatistics(@TempDir File dir) throws Exception {
        TableSpec spec = BronzeKafkaTable.spec("orders");
        Map<String, String> withDefaults = new HashMap<>(spec.properties());
        withDefaults.keySet().removeIf(k -> k.startsWith(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX));

        // The property reaches Iceberg's Parquet writer: the payload column has no min/max, every other one keeps
        // its statistics; with the writer's default the payload has them too.
        List<String> withStatistics = ParquetTestFiles.columnsWithStatistics(write(new File(dir, "bronze.parquet"), spec, spec.properties()));
        assertThat(withStatistics).doesNotContain(BronzeKafkaTable.RECORD_VALUE)
                .contains(BronzeKafkaTable.TOPIC, BronzeKafkaTable.OFFSET, BronzeKafkaTable.INGEST_TS);
        assertThat(ParquetTestFiles.columnsWithStatistics(write(new File(dir, "default.parquet"), spec, withDefaults)))
                .contains(BronzeKafkaTable.RECORD_VALUE);
    }

    /** 1,000 rows of one topic: the topic column repeats, payload, offset and ingest time do not. */
    private static URI write(File file, TableSpec spec, Map<String, String> properties) throws Exception {
        return ParquetTestFiles.write(file, spec, properties, 1000, (i, row) -> {
            row.setField(BronzeKafkaTable.TOPIC, "orders");
            row.setField(BronzeKafkaTable.PARTITION, i % 3);
            row.setField(BronzeKafkaTable.OFFSET, (long) i);
            row.setField(BronzeKafkaTable.RECORD_VALUE,
                    ByteBuffer.wrap(("{\"order_id\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
            row.setField(BronzeKafkaTable.HEADERS, List.of());
            row.setField(BronzeKafkaTable.INGEST_TS, LocalDateTime.of(2026, 11, 22, 10, 0).plusNanos(i * 1000L));
        });
    }
}
