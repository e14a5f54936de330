package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.postgres.PostgresCdcOptions;
import dev.lakestream.cdc.postgres.PostgresTableSchemas;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.util.HashMap;
import java.util.Map;

/** Reads a captured PostgreSQL table's columns again from the database's catalog. */
public final class PostgresSchemaSource implements SchemaSource {

    private static final long serialVersionUID = 1L;

    /** The connection keys only: the task needs no more of the job's configuration. */
    private final Map<String, String> connection = new HashMap<>();

    public PostgresSchemaSource(ReadableConfig config) {
        connection.put(PostgresCdcOptions.HOSTNAME.key(), config.get(PostgresCdcOptions.HOSTNAME));
        connection.put(PostgresCdcOptions.PORT.key(), String.valueOf(config.get(PostgresCdcOptions.PORT)));
        connection.put(PostgresCdcOptions.DATABASE.key(), config.get(PostgresCdcOptions.DATABASE));
        connection.put(PostgresCdcOptions.USERNAME.key(), config.get(PostgresCdcOptions.USERNAME));
        config.getOptional(PostgresCdcOptions.PASSWORD).ifPresent(p -> connection.put(PostgresCdcOptions.PASSWORD.key(), p));
    }

    @Override
    public CdcTableSchema current(String table) {
        Configuration config = Configuration.fromMap(connection);
        config.set(PostgresCdcOptions.TABLES, java.util.List.of(table));
        return PostgresTableSchemas.read(config).get(table);
    }
}
