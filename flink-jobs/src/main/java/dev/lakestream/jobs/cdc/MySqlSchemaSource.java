package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.mysql.MySqlCdcOptions;
import dev.lakestream.cdc.mysql.MySqlTableSchemas;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a captured MySQL table's columns again from information_schema. */
public final class MySqlSchemaSource implements SchemaSource {

    private static final long serialVersionUID = 1L;

    /** The connection keys only: the task needs no more of the job's configuration. */
    private final Map<String, String> connection = new HashMap<>();

    public MySqlSchemaSource(ReadableConfig config) {
        connection.put(MySqlCdcOptions.HOSTNAME.key(), config.get(MySqlCdcOptions.HOSTNAME));
        connection.put(MySqlCdcOptions.PORT.key(), String.valueOf(config.get(MySqlCdcOptions.PORT)));
        connection.put(MySqlCdcOptions.DATABASE.key(), config.get(MySqlCdcOptions.DATABASE));
        connection.put(MySqlCdcOptions.USERNAME.key(), config.get(MySqlCdcOptions.USERNAME));
        config.getOptional(MySqlCdcOptions.PASSWORD).ifPresent(p -> connection.put(MySqlCdcOptions.PASSWORD.key(), p));
        connection.put(MySqlCdcOptions.SERVER_TIME_ZONE.key(), config.get(MySqlCdcOptions.SERVER_TIME_ZONE));
    }

    @Override
    public CdcTableSchema current(String table) {
        Configuration config = Configuration.fromMap(connection);
        config.set(MySqlCdcOptions.TABLES, List.of(table));
        return MySqlTableSchemas.read(config).get(table);
    }
}
