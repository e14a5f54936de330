package dev.lakestream.cdc.mysql;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cdc.connectors.mysql.source.MySqlSource;
import org.apache.flink.cdc.connectors.mysql.table.StartupOptions;
import org.apache.flink.cdc.debezium.JsonDebeziumDeserializationSchema;
import org.apache.flink.configuration.ReadableConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Flink CDC's incremental MySQL source over the configured tables, emitting each change as a
 * Debezium JSON envelope (without the embedded schema), the same form {@code DebeziumEnvelopes}
 * reads from Kafka. The snapshot is read in chunks in parallel and hands over to streaming from the
 * binlog without a global read lock; both are exactly-once with Flink's checkpoints, as long as the
 * server keeps the binlog files from the last completed checkpoint's position on.
 */
public final class MySqlCdcSources {

    private MySqlCdcSources() {}

    /** Stable uid of the source operator; it holds the snapshot progress and the binlog position. */
    public static String sourceUid(ReadableConfig config) {
        return "cdc-mysql-source-" + config.get(MySqlCdcOptions.DATABASE);
    }

    public static Source<String, ?, ?> forTables(ReadableConfig config) {
        List<String> tables = MySqlCdcOptions.tables(config);
        return MySqlSource.<String>builder()
                .hostname(config.get(MySqlCdcOptions.HOSTNAME))
                .port(config.get(MySqlCdcOptions.PORT))
                .databaseList(config.get(MySqlCdcOptions.DATABASE))
                .tableList(tables.toArray(new String[0]))
                .username(config.get(MySqlCdcOptions.USERNAME))
                .password(config.getOptional(MySqlCdcOptions.PASSWORD).orElse(""))
                .serverId(config.get(MySqlCdcOptions.SERVER_ID).trim())
                .serverTimeZone(config.get(MySqlCdcOptions.SERVER_TIME_ZONE))
                .splitSize(config.get(MySqlCdcOptions.SNAPSHOT_CHUNK_SIZE))
                .heartbeatInterval(config.get(MySqlCdcOptions.HEARTBEAT_INTERVAL))
                .startupOptions(config.get(MySqlCdcOptions.STARTUP_MODE) == MySqlCdcOptions.StartupMode.LATEST
                        ? StartupOptions.latest() : StartupOptions.initial())
                .debeziumProperties(debeziumProperties())
                .deserializer(deserializer())
                .build();
    }

    /**
     * Envelopes without the embedded schema. Decimal values that stay Kafka Connect decimals as
     * JSON numbers: Flink CDC reads BIGINT UNSIGNED in Debezium's "precise" mode (a decimal of
     * scale 0, which decimal.handling.mode does not turn into a string), and the JSON converter
     * would otherwise write base64 of the unscaled bytes.
     */
    static JsonDebeziumDeserializationSchema deserializer() {
        Map<String, Object> converter = new HashMap<>();
        converter.put("decimal.format", "NUMERIC");
        return new JsonDebeziumDeserializationSchema(false, converter);
    }

    static Properties debeziumProperties() {
        Properties debezium = new Properties();
        // Decimals as exact strings ("12.30"), not Kafka Connect's base64 of the unscaled bytes.
        debezium.setProperty("decimal.handling.mode", "string");
        return debezium;
    }
}
