package dev.lakestream.cdc.postgres;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.debezium.JsonDebeziumDeserializationSchema;
import org.apache.flink.configuration.ReadableConfig;

import java.util.List;
import java.util.Properties;

/**
 * Flink CDC's incremental PostgreSQL source over the configured tables, emitting each change as a
 * Debezium JSON envelope (without the embedded schema), the same form {@code DebeziumEnvelopes}
 * reads from Kafka. The snapshot is read in chunks in parallel and hands over to streaming from the
 * replication slot without a lock; both are exactly-once with Flink's checkpoints.
 *
 * <p>The publication must exist first: {@link PostgresPublications#ensure}.
 */
public final class PostgresCdcSources {

    private PostgresCdcSources() {}

    /** Stable uid of the source operator; it holds the snapshot progress and the stream position. */
    public static String sourceUid(ReadableConfig config) {
        return "cdc-postgres-source-" + config.get(PostgresCdcOptions.DATABASE);
    }

    public static Source<String, ?, ?> forTables(ReadableConfig config) {
        List<String> tables = PostgresCdcOptions.tables(config);
        Properties debezium = new Properties();
        // Decimals as exact strings ("12.30"), not Kafka Connect's base64 of the unscaled bytes.
        debezium.setProperty("decimal.handling.mode", "string");
        // The publication is ours (PostgresPublications.ensure, before the job starts): Debezium's
        // "filtered" mode lets snapshot backfills narrow it to one table and loses the others' changes.
        debezium.setProperty("publication.autocreate.mode", "disabled");
        debezium.setProperty("publication.name", PostgresPublications.name(config));
        return PostgresSourceBuilder.PostgresIncrementalSource.<String>builder()
                .hostname(config.get(PostgresCdcOptions.HOSTNAME))
                .port(config.get(PostgresCdcOptions.PORT))
                .database(config.get(PostgresCdcOptions.DATABASE))
                .schemaList(tables.stream().map(t -> t.substring(0, t.indexOf('.'))).distinct().toArray(String[]::new))
                .tableList(tables.toArray(new String[0]))
                .username(config.get(PostgresCdcOptions.USERNAME))
                .password(config.getOptional(PostgresCdcOptions.PASSWORD).orElse(""))
                .slotName(config.get(PostgresCdcOptions.SLOT_NAME))
                .decodingPluginName("pgoutput")
                .splitSize(config.get(PostgresCdcOptions.SNAPSHOT_CHUNK_SIZE))
                .heartbeatInterval(config.get(PostgresCdcOptions.HEARTBEAT_INTERVAL))
                .startupOptions(config.get(PostgresCdcOptions.STARTUP_MODE) == PostgresCdcOptions.StartupMode.LATEST
                        ? StartupOptions.latest() : StartupOptions.initial())
                .debeziumProperties(debezium)
                .deserializer(new JsonDebeziumDeserializationSchema(false))
                .build();
    }
}
