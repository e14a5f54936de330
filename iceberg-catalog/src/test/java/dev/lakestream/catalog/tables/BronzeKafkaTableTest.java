package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableSpec;

import org.junit.jupiter.api.Test;

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
}
