package dev.lakestream.cdc.postgres;

import org.apache.flink.configuration.ReadableConfig;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes sure the publication the source streams from covers every captured table, before the job
 * starts. Debezium's own "filtered" publication management is switched off: Flink CDC's snapshot
 * backfill tasks each reset the publication to their one table, and changes of the other tables
 * made meanwhile are never decoded (seen here: a table's streamed changes silently missing; see
 * FLINK-38907). A publication we create once, for all tables, has no such window.
 */
public final class PostgresPublications {

    private PostgresPublications() {}

    /** The publication's name: {@code <slot>_publication}. */
    public static String name(ReadableConfig config) {
        return config.get(PostgresCdcOptions.SLOT_NAME) + "_publication";
    }

    /**
     * Creates the publication for the configured tables, or adds the tables it lacks. Fails with
     * the SQL to run when the user may not (publications need table ownership or superuser).
     */
    public static void ensure(ReadableConfig config) {
        String publication = name(config);
        List<String> tables = PostgresCdcOptions.tables(config);
        try (Connection c = DriverManager.getConnection(PostgresTableSchemas.jdbcUrl(config),
                config.get(PostgresCdcOptions.USERNAME), config.getOptional(PostgresCdcOptions.PASSWORD).orElse(""))) {
            Set<String> covered = covered(c, publication);
            if (covered == null) {
                execute(c, "CREATE PUBLICATION " + quote(publication) + " FOR TABLE " + list(tables));
                return;
            }
            List<String> missing = new ArrayList<>();
            for (String table : tables) {
                if (!covered.contains(table)) {
                    missing.add(table);
                }
            }
            if (!missing.isEmpty()) {
                execute(c, "ALTER PUBLICATION " + quote(publication) + " ADD TABLE " + list(missing));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot prepare publication " + publication + " on "
                    + PostgresTableSchemas.jdbcUrl(config) + " for " + tables + ": " + e.getMessage()
                    + ". If the CDC user may not create publications, have an owner run: CREATE PUBLICATION "
                    + quote(publication) + " FOR TABLE " + list(tables), e);
        }
    }

    /** The tables a publication covers as schema.table; null when it does not exist. */
    static Set<String> covered(Connection c, String publication) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        Set<String> tables = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return tables;
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String list(List<String> tables) {
        return tables.stream()
                .map(t -> quote(t.substring(0, t.indexOf('.'))) + "." + quote(t.substring(t.indexOf('.') + 1)))
                .collect(Collectors.joining(", "));
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
