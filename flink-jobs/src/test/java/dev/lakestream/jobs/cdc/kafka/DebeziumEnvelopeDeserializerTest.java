package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.cdc.DebeziumEnvelopes;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DebeziumEnvelopeDeserializerTest {

    private static final Map<String, List<String>> KEYS =
            Map.of("public.orders", List.of("order_id"), "inventory.stock", List.of("facility_id", "sku"));

    private static final String ORDER_7 = "{\"before\":null,\"after\":{\"order_id\":7,\"customer_id\":3,\"status\":\"paid\","
            + "\"note\":\"Zo\u00eb's \u6ce8\u6587\"},\"source\":{\"connector\":\"postgresql\",\"schema\":\"public\","
            + "\"table\":\"orders\",\"lsn\":24023928,\"snapshot\":\"false\"},\"op\":\"c\",\"ts_ms\":1772438400412}";

    private final List<String> out = new ArrayList<>();

    private static ConsumerRecord<byte[], byte[]> record(String topic, long offset, String key, String value) {
        return new ConsumerRecord<>(topic, 1, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private void read(DebeziumEnvelopeDeserializer deserializer, ConsumerRecord<byte[], byte[]> record) throws IOException {
        deserializer.deserialize(record, new ListCollector<>(out));
    }

    @Test
    void aNullValueFlowsAsTheLiteralNullWhichTheParserCountsAsATombstone() throws Exception {
        read(new DebeziumEnvelopeDeserializer(KEYS, true), record("shop.public.orders", 3, "{\"order_id\":7}", null));

        assertThat(out).containsExactly("null");
        assertThat(new DebeziumEnvelopes(KEYS).parse(out.get(0)).isTombstone()).isTrue();
    }

    @Test
    void valuesPassUnchangedAsUtf8Text() throws Exception {
        DebeziumEnvelopeDeserializer deserializer = new DebeziumEnvelopeDeserializer(KEYS, true);

        read(deserializer, record("shop.public.orders", 0, "{\"order_id\":7}", ORDER_7));
        read(deserializer, record("shop.public.orders", 1, "{\"order_id\":8}", "{\"before\":null,\"after\":"));
        read(deserializer, record("shop.public.orders", 2, null, ""));

        // Bad values are the parser's to quarantine, with the bytes as they came.
        assertThat(out).containsExactly(ORDER_7, "{\"before\":null,\"after\":", "");
        assertThat(deserializer.getProducedType()).isEqualTo(Types.STRING);
    }

    @Test
    void aRecordKeyWithOtherColumnsThanTheDeclaredKeyFailsNamingTheFix() {
        DebeziumEnvelopeDeserializer deserializer = new DebeziumEnvelopeDeserializer(
                Map.of("public.orders", List.of("customer_id")), true);

        assertThatThrownBy(() -> read(deserializer, record("shop.public.orders", 41, "{\"order_id\":7}", ORDER_7)))
                .isInstanceOf(IOException.class)
                .hasMessage("The record key of topic shop.public.orders (partition 1, offset 41) has the columns"
                        + " [order_id], but 'cdc.kafka.primary-keys' declares [customer_id] for public.orders. Debezium"
                        + " keys records by the primary key: declare public.orders=order_id in 'cdc.kafka.primary-keys',"
                        + " or set 'cdc.kafka.verify-record-keys' to false if the connector keys these records by other"
                        + " columns on purpose (message.key.columns).");
        assertThat(out).isEmpty();
    }

    @Test
    void keysWithEmbeddedSchemaAndCompositeKeysInAnyOrderMatch() throws Exception {
        DebeziumEnvelopeDeserializer deserializer = new DebeziumEnvelopeDeserializer(KEYS, true);
        String key = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"sku\"},"
                + "{\"type\":\"int32\",\"optional\":false,\"field\":\"facility_id\"}],\"optional\":false,"
                + "\"name\":\"wms.inventory.stock.Key\"},\"payload\":{\"sku\":\"A-1\",\"facility_id\":12}}";
        String value = "{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":{\"before\":null,\"after\":"
                + "{\"facility_id\":12,\"sku\":\"A-1\",\"units\":5},\"source\":{\"connector\":\"mysql\",\"db\":\"inventory\","
                + "\"table\":\"stock\",\"file\":\"binlog.000003\",\"pos\":1544},\"op\":\"c\"}}";

        read(deserializer, record("wms.inventory.stock", 0, key, value));

        assertThat(out).containsExactly(value);
    }

    @Test
    void onlyTheFirstComparableRecordOfATopicIsChecked() throws Exception {
        DebeziumEnvelopeDeserializer deserializer = new DebeziumEnvelopeDeserializer(KEYS, true);

        read(deserializer, record("shop.public.orders", 0, "{\"order_id\":7}", ORDER_7));
        // Checked once per topic: later records are not parsed twice.
        read(deserializer, record("shop.public.orders", 1, "{\"id\":7}", ORDER_7));

        assertThat(out).hasSize(2);
        assertThatThrownBy(() -> read(deserializer, record("other.public.orders", 0, "{\"id\":7}", ORDER_7)))
                .isInstanceOf(IOException.class).hasMessageContaining("topic other.public.orders");
    }

    @Test
    void recordsThatCannotTellTheKeyAreSkippedForABoundedNumberOfRecords() throws Exception {
        DebeziumEnvelopeDeserializer deserializer = new DebeziumEnvelopeDeserializer(KEYS, true);
        String payment = ORDER_7.replace("\"table\":\"orders\"", "\"table\":\"payments\"");

        // A tombstone, a string key, a malformed value and a table that is not captured say nothing about the key.
        read(deserializer, record("shop.public.orders", 0, "{\"id\":7}", null));
        read(deserializer, record("shop.public.orders", 1, "order-7", ORDER_7));
        read(deserializer, record("shop.public.orders", 2, "{\"id\":7}", "{\"before\":"));
        read(deserializer, record("shop.public.orders", 3, "{\"id\":7}", payment));
        assertThatThrownBy(() -> read(deserializer, record("shop.public.orders", 4, "{\"id\":7}", ORDER_7)))
                .isInstanceOf(IOException.class);

        DebeziumEnvelopeDeserializer unkeyed = new DebeziumEnvelopeDeserializer(KEYS, true);
        for (int i = 0; i < DebeziumEnvelopeDeserializer.KEY_CHECK_ATTEMPTS; i++) {
            read(unkeyed, record("shop.public.orders", i, "order-" + i, ORDER_7));
        }
        read(unkeyed, record("shop.public.orders", 99, "{\"id\":7}", ORDER_7));
        assertThat(out).hasSize(4 + DebeziumEnvelopeDeserializer.KEY_CHECK_ATTEMPTS + 1);
    }

    @Test
    void theCheckCanBeTurnedOff() throws Exception {
        read(new DebeziumEnvelopeDeserializer(KEYS, false), record("shop.public.orders", 0, "{\"customer_id\":3}", ORDER_7));

        assertThat(out).containsExactly(ORDER_7);
    }

    @Test
    void survivesSerializationAsTheSourceShipsIt() throws Exception {
        DebeziumEnvelopeDeserializer copy = InstantiationUtil.clone(new DebeziumEnvelopeDeserializer(KEYS, true));

        read(copy, record("shop.public.orders", 0, "{\"order_id\":7}", ORDER_7));
        assertThatThrownBy(() -> read(copy, record("shop.public.orders2", 0, "{\"id\":7}", ORDER_7)))
                .isInstanceOf(IOException.class);
        assertThat(out).containsExactly(ORDER_7);
    }
}
