package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.catalog.tables.CurrentStateTable;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.CdcJob;
import dev.lakestream.jobs.config.InvalidConfigurationException;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.iceberg.Schema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.iceberg.types.Types.DecimalType;
import org.apache.iceberg.types.Types.LongType;
import org.apache.iceberg.types.Types.NestedField;
import org.apache.iceberg.types.Types.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DebeziumKafkaSourcesTest {

    private static Configuration shop(Map<String, String> more) {
        Map<String, String> raw = DebeziumKafkaOptionsTest.shop();
        raw.putAll(more);
        return Configuration.fromMap(raw);
    }

    @Test
    void noCaptureWithoutTopics() {
        assertThat(DebeziumKafkaSources.capture(new Configuration())).isEmpty();
    }

    @Test
    void theCaptureIsNamedAfterItsGroupAndHoldsTheDeclaredTables() {
        Configuration config = shop(Map.of(
                "cdc.kafka.group-id", "shop-cdc.v2",
                "cdc.kafka.table-prefix", "shop_",
                "cdc.kafka.silver-partition-columns", "public.customers=region"));

        CdcCapture capture = DebeziumKafkaSources.capture(config).orElseThrow();

        assertThat(capture.name()).isEqualTo("kafka_shop_cdc_v2");
        assertThat(capture.uid()).isEqualTo("cdc-kafka-source-shop-cdc.v2");
        assertThat(capture.tables()).containsOnlyKeys("public.customers", "public.orders");
        assertThat(capture.tables().get("public.orders").primaryKey()).containsExactly("order_id");
        assertThat(capture.partitionColumn("public.customers")).isEqualTo("region");
        assertThat(capture.partitionColumn("public.orders")).isNull();
        assertThat(capture.changelogTable("public.orders").identifier().toString()).isEqualTo("bronze.cdc_shop_orders");
        assertThat(capture.silverTable("public.orders").identifier().toString()).isEqualTo("silver.shop_orders");
        assertThat(CdcJob.quarantineTable(capture).identifier().toString())
                .isEqualTo("bronze.cdc_kafka_shop_cdc_v2_quarantine");
        assertThat(capture.silverTable("public.customers").partitionSpec().fields())
                .singleElement().satisfies(f -> assertThat(f.transform().toString()).isEqualTo("identity"));
    }

    @Test
    void silverTypesFollowTheDeclaration() {
        CdcCapture capture = DebeziumKafkaSources.capture(shop(Map.of())).orElseThrow();
        Schema orders = capture.silverTable("public.orders").schema();

        assertThat(orders.findField("order_id").type()).isEqualTo(LongType.get());
        assertThat(orders.findField("order_id").isRequired()).isTrue();
        assertThat(orders.findField("total").type()).isEqualTo(DecimalType.of(12, 2));
        assertThat(orders.findField("total").isOptional()).isTrue();
        assertThat(orders.findField("created_at").type()).isEqualTo(TimestampType.withoutZone());
        assertThat(orders.identifierFieldNames()).containsExactly("order_id");
        assertThat(orders.columns()).extracting(NestedField::name).endsWith(
                CurrentStateTable.CDC_OP, CurrentStateTable.CDC_POSITION, CurrentStateTable.CDC_SOURCE_TS);
    }

    @Test
    void anInvalidConfigurationStopsBeforeAnythingIsBuilt() {
        Configuration config = shop(Map.of("cdc.kafka.primary-keys", "public.customers=customer_id"));
        config.removeConfig(KafkaBronzeOptions.BOOTSTRAP_SERVERS);

        assertThatThrownBy(() -> DebeziumKafkaSources.capture(config))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'kafka.bootstrap-servers' is required when cdc.kafka.topics is set")
                .hasMessageContaining("table 'public.orders' has no primary key in key 'cdc.kafka.primary-keys'");
    }

    @Test
    void theSourceIsAnUnboundedKafkaSourceOfEnvelopeStringsCommittingOffsetsOnCheckpoints() {
        KafkaSource<String> source = DebeziumKafkaSources.forTopics(shop(Map.of()));

        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(source.getProducedType()).isEqualTo(Types.STRING);

        Properties properties = KafkaBronzeOptions.consumerProperties(shop(Map.of(
                "kafka.isolation-level", "READ_UNCOMMITTED", "kafka.partition-discovery-interval", "1 min")));
        assertThat(properties).containsEntry("commit.offsets.on.checkpoint", "true")
                .containsEntry("isolation.level", "read_uncommitted")
                .containsEntry("partition.discovery.interval.ms", "60000");
        assertThat(KafkaBronzeOptions.consumerProperties(shop(Map.of())))
                .containsEntry("isolation.level", "read_committed");
    }

    @Test
    void startingOffsetsFollowTheOption() {
        // COMMITTED falls back to the earliest offset for partitions the group has not committed yet.
        assertThat(DebeziumKafkaSources.startingOffsets(shop(Map.of())).getAutoOffsetResetStrategy())
                .isEqualTo(OffsetResetStrategy.EARLIEST);
        assertThat(DebeziumKafkaSources.startingOffsets(shop(Map.of("cdc.kafka.starting-offsets", "LATEST")))
                .getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.LATEST);
        assertThat(DebeziumKafkaSources.startingOffsets(shop(Map.of("cdc.kafka.starting-offsets", "TIMESTAMP",
                "cdc.kafka.starting-timestamp", "1772438400000"))).getClass().getSimpleName())
                .isEqualTo("TimestampOffsetsInitializer");
    }
}
