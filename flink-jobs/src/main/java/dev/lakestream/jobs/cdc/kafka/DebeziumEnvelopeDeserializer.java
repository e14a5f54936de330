package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.cdc.DebeziumEnvelopes;


import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Debezium topic's record value as the envelope string {@code DebeziumEnvelopes} parses. A null
 * value (the tombstone Kafka Connect writes after a delete) becomes the JSON literal {@code null},
 * which the parser counts as a tombstone: a Flink record cannot be null. Other values are decoded
 * as UTF-8 and passed on unchanged; the parser quarantines what it cannot apply, so this never
 * throws on record content.
 *
 * <p>The one exception is the record-key check: until the key of one envelope of a configured
 * table has been compared in a topic (at most {@link #KEY_CHECK_ATTEMPTS} records per topic), the
 * columns of the Kafka record key are compared with the configured primary key of the envelope's
 * table, and a difference fails the job. A wrong primary key would otherwise merge distinct rows
 * in silver without any error.
 */
final class DebeziumEnvelopeDeserializer implements KafkaRecordDeserializationSchema<String> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumEnvelopeDeserializer.class);

    /** What a tombstone is passed on as. */
    static final String TOMBSTONE = "null";

    /** Records per topic looked at for a key to compare, so that a topic without one costs nothing after. */
    static final int KEY_CHECK_ATTEMPTS = 16;

    private final Map<String, List<String>> primaryKeys;
    private final boolean verifyKeys;

    /** Per topic: records looked at so far; absent before the first, -1 once a key was compared. */
    private transient Map<String, Integer> keyChecks;
    private transient ObjectMapper mapper;

    /** @param primaryKeys key columns by table, as the envelopes name tables; checked when {@code verifyKeys} */
    DebeziumEnvelopeDeserializer(Map<String, List<String>> primaryKeys, boolean verifyKeys) {
        this.primaryKeys = new LinkedHashMap<>(primaryKeys);
        this.verifyKeys = verifyKeys;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        init();
    }

    private void init() {
        keyChecks = new HashMap<>();
        mapper = new ObjectMapper();
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<String> out) throws IOException {
        if (record.value() == null) {
            out.collect(TOMBSTONE);
            return;
        }
        String envelope = new String(record.value(), StandardCharsets.UTF_8);
        if (verifyKeys) {
            checkKey(record, envelope);
        }
        out.collect(envelope);
    }

    private void checkKey(ConsumerRecord<byte[], byte[]> record, String envelope) throws IOException {
        if (keyChecks == null) {
            init();
        }
        int seen = keyChecks.getOrDefault(record.topic(), 0);
        if (seen < 0 || seen >= KEY_CHECK_ATTEMPTS) {
            return;
        }
        if (compareKey(record, envelope)) {
            keyChecks.put(record.topic(), -1);
            return;
        }
        keyChecks.put(record.topic(), seen + 1);
        if (seen + 1 == KEY_CHECK_ATTEMPTS) {
            LOG.warn("Record keys of topic {} not checked against cdc.kafka.primary-keys: none of its first {} records"
                    + " had a JSON key and an envelope of a configured table", record.topic(), KEY_CHECK_ATTEMPTS);
        }
    }

    /**
     * True when the key was compared and matches; false when this record cannot tell (no JSON object
     * key, not an envelope of a configured table); throws when the key columns differ.
     */
    private boolean compareKey(ConsumerRecord<byte[], byte[]> record, String envelope) throws IOException {
        JsonNode key = payload(readJson(record.key()));
        JsonNode value = payload(readJson(record.value()));
        if (key == null || !key.isObject() || value == null || !value.isObject()) {
            return false;
        }
        String table = tableOf(value.get("source"));
        List<String> declared = table == null ? null : primaryKeys.get(table);
        if (declared == null) {
            return false;
        }
        Set<String> keyColumns = new TreeSet<>();
        key.fieldNames().forEachRemaining(keyColumns::add);
        if (!keyColumns.equals(new HashSet<>(declared))) {
            throw new IOException("The record key of topic " + record.topic() + " (partition " + record.partition()
                    + ", offset " + record.offset() + ") has the columns " + keyColumns + ", but '"
                    + DebeziumKafkaOptions.PRIMARY_KEYS.key() + "' declares " + declared + " for " + table
                    + ". Debezium keys records by the primary key: declare " + table + "="
                    + String.join(",", keyColumns) + " in '" + DebeziumKafkaOptions.PRIMARY_KEYS.key() + "', or set '"
                    + DebeziumKafkaOptions.VERIFY_RECORD_KEYS.key() + "' to false if the connector keys these records"
                    + " by other columns on purpose (message.key.columns).");
        }
        LOG.info("Record keys of topic {} match the primary key {} declared for {}", record.topic(), declared, table);
        return true;
    }

    private JsonNode readJson(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Not JSON: this record cannot tell the key columns; the envelope parser quarantines a bad value.
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("Reading JSON from a byte array cannot fail with I/O", e);
        }
    }

    /** The payload of JsonConverter's {@code {"schema":..., "payload":...}} form, or the node itself. */
    private static JsonNode payload(JsonNode node) {
        if (node != null && node.isObject() && node.has("schema") && node.has("payload")) {
            return node.get("payload");
        }
        return node;
    }

    /** The table an envelope names, by the same rule {@code DebeziumEnvelopes} routes with. */
    static String tableOf(JsonNode source) {
        return DebeziumEnvelopes.tableOf(source);
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
