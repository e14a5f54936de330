package dev.lakestream.cdc.mysql;

import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Decimal;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Schema;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.data.Struct;
import org.apache.flink.cdc.connectors.shaded.org.apache.kafka.connect.source.SourceRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlCdcSourcesTest {

    private static Configuration config() {
        return Configuration.fromMap(Map.of(
                "cdc.mysql.hostname", "127.0.0.1",
                "cdc.mysql.database", "shop",
                "cdc.mysql.username", "cdc",
                "cdc.mysql.tables", "shop.customers;shop.orders"));
    }

    @Test
    void theSourceUidIsStablePerDatabase() {
        assertThat(MySqlCdcSources.sourceUid(config())).isEqualTo("cdc-mysql-source-shop");
    }

    @Test
    void decimalsAreExactStrings() {
        assertThat(MySqlCdcSources.debeziumProperties()).containsEntry("decimal.handling.mode", "string");
    }

    @Test
    void connectDecimalsBecomeJsonNumbersNotBase64() throws Exception {
        // BIGINT UNSIGNED as Flink CDC reads it (Debezium's precise mode): a Kafka Connect decimal of scale 0.
        Schema value = SchemaBuilder.struct().field("id", Decimal.schema(0)).build();
        Struct row = new Struct(value).put("id", new BigDecimal("18446744073709551615"));
        List<String> out = new ArrayList<>();

        MySqlCdcSources.deserializer().deserialize(new SourceRecord(Map.of(), Map.of(), "t", value, row), new Collector<>() {
            @Override
            public void collect(String record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });

        assertThat(out).containsExactly("{\"id\":18446744073709551615}");
    }
}
