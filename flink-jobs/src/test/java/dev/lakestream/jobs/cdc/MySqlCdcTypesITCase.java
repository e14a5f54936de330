package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.jobs.testing.CdcCaptureJob;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every MySQL type the capture maps to a typed silver column, at its edges (unsigned maxima,
 * negative epoch days and times, 0/3/6 fraction digits, NULLs), through the snapshot and the
 * binlog: silver equals {@code SELECT *}, and the bronze changelog shows how Debezium 1.9's MySQL
 * connector encodes each type in its JSON (the same in both paths).
 */
class MySqlCdcTypesITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 2);

    private static final List<String> COLUMNS = List.of("id", "big_u", "i", "i_u", "s", "t", "m_u", "y", "flag",
            "flag_bit", "amount", "wide", "d", "f", "dt", "dt3", "dt6", "ts", "ts3", "ts6", "day", "name", "code",
            "body", "doc", "e");
    private static final String EDGES = "18446744073709551615, -2147483648, 4294967295, -32768, -128, 16777215, 2155,"
            + " TRUE, b'1', 9999999999.99, 12345678901234567890.0123456789, 1.5e300, 0.1, '9999-12-31 23:59:59',"
            + " '2026-03-04 05:06:07.123', '1970-01-01 00:00:00.000001', '2038-01-19 03:14:07', '2026-03-04 05:06:07.123',"
            + " '1970-01-01 00:00:01.000001', '1969-12-31', 'ünïcødé ✓', 'USD', 'text', '{\"a\": [1, 2]}', 'b'";
    private static final String BEFORE_1970 = "0, 0, 0, 0, 0, 0, 1901, FALSE, b'0', -0.01, -0.0000000001, -2.5, -3.25,"
            + " '1969-07-20 20:17:40', '1969-07-20 20:17:40.5', '1969-07-20 20:17:40.123456', '1970-01-01 00:00:01',"
            + " '2000-02-29 12:00:00.999', '2000-02-29 12:00:00.999999', '1000-01-01', '', 'EUR', '', '{}', 'a'";
    private static final String NULLS = String.join(", ", java.util.Collections.nCopies(COLUMNS.size() - 1, "NULL"));

    @Test
    void everyMappedTypeArrivesInSilverAsTheSourceHoldsIt() throws Exception {
        LocalServices services = LocalServices.shared();
        MySqlShopDatabase db = MySqlShopDatabase.empty(services.mariaDb(), services.uniqueName("types"));
        String types = db.table("types");
        services.mariaDb().execute(db.database(), "CREATE TABLE types (id BIGINT PRIMARY KEY, big_u BIGINT UNSIGNED,"
                + " i INT, i_u INT UNSIGNED, s SMALLINT, t TINYINT, m_u MEDIUMINT UNSIGNED, y YEAR, flag BOOLEAN,"
                + " flag_bit BIT(1), amount DECIMAL(12,2), wide DECIMAL(50,10), d DOUBLE, f FLOAT, dt DATETIME,"
                + " dt3 DATETIME(3), dt6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL,"
                + " day DATE, name VARCHAR(20), code CHAR(3), body TEXT, doc JSON, e ENUM('a', 'b'))");
        db.execute(types, "INSERT INTO types VALUES (1, " + EDGES + "), (2, " + NULLS + "), (3, " + BEFORE_1970 + ")");

        CdcCapture capture = MySqlCdcITCase.capture(services.mariaDb(), db.database(), "5410-5411",
                Map.of("cdc.mysql.tables", types));
        assertThat(capture.tables().get(types).columns()).extracting(c -> c.name() + " " + c.type()).containsExactly(
                "id LONG", "big_u DECIMAL", "i INT", "i_u LONG", "s INT", "t INT", "m_u INT", "y INT", "flag BOOLEAN",
                "flag_bit BOOLEAN", "amount DECIMAL", "wide STRING", "d DOUBLE", "f FLOAT", "dt TIMESTAMP_LOCAL",
                "dt3 TIMESTAMP_LOCAL", "dt6 TIMESTAMP_LOCAL", "ts TIMESTAMP_UTC", "ts3 TIMESTAMP_UTC", "ts6 TIMESTAMP_UTC",
                "day DATE", "name STRING", "code STRING", "body STRING", "doc STRING", "e STRING");
        CdcCaptureJob pipeline = CdcCaptureJob.forLocalServices(services, List.of(capture));
        JobClient job = pipeline.start(1, "mysql-cdc-types-test");
        Table changelog = pipeline.table(capture.changelogTable(types));
        CatchUpThenStop.whenCommitted(changelog, 3).await(job, Duration.ofMinutes(3), () -> {});

        db.execute(types, "INSERT INTO types VALUES (4, " + EDGES + "), (5, " + NULLS + "), (6, " + BEFORE_1970 + ")");
        // A tinyint(1) holding 2 is true, as MySQL and Connector/J read it.
        db.execute(types, "UPDATE types SET flag = 2, amount = amount - 0.01, dt6 = '2001-02-03 04:05:06.7' WHERE id = 4");
        db.execute(types, "UPDATE types SET flag = TRUE, name = 'was null' WHERE id = 5");
        db.execute(types, "DELETE FROM types WHERE id = 6");
        CatchUpThenStop.whenCommitted(changelog, db.changes(types))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        assertThat(ShopDatabase.silverRows(pipeline.table(capture.silverTable(types)), "id", COLUMNS))
                .containsExactlyElementsOf(db.sourceRows("types", "id"));
        assertThat(MySqlCdcITCase.rows(pipeline.table(CdcJob.quarantineTable(capture)))).as("quarantined changes").isEmpty();

        JsonNode snapshot = image(changelog, "r", 1);
        JsonNode streamed = image(changelog, "c", 4);
        for (JsonNode row : List.of(snapshot, streamed)) {
            assertThat(row.get("big_u").isIntegralNumber()).as("BIGINT UNSIGNED: a JSON number").isTrue();
            assertThat(row.get("big_u").bigIntegerValue()).hasToString("18446744073709551615");
            assertThat(row.get("i_u").asLong()).isEqualTo(4294967295L);
            assertThat(row.get("flag").isInt()).as("BOOLEAN (tinyint(1)): a number").isTrue();
            assertThat(row.get("flag_bit").isBoolean()).as("BIT(1): a boolean").isTrue();
            assertThat(row.get("amount").textValue()).as("DECIMAL: a string").isEqualTo("9999999999.99");
            assertThat(row.get("wide").textValue()).isEqualTo("12345678901234567890.0123456789");
            assertThat(row.get("dt").asLong()).as("DATETIME: epoch millis").isEqualTo(253402300799000L);
            assertThat(row.get("dt3").asLong()).as("DATETIME(3): epoch millis").isEqualTo(1772600767123L);
            assertThat(row.get("dt6").asLong()).as("DATETIME(6): epoch micros").isEqualTo(1L);
            assertThat(row.get("ts").textValue()).as("TIMESTAMP: ISO instant in UTC").isEqualTo("2038-01-19T03:14:07Z");
            assertThat(row.get("ts3").textValue()).isEqualTo("2026-03-04T05:06:07.123Z");
            assertThat(row.get("ts6").textValue()).isEqualTo("1970-01-01T00:00:01.000001Z");
            assertThat(row.get("day").asInt()).as("DATE: epoch days").isEqualTo(-1);
            assertThat(row.get("y").asInt()).as("YEAR: a number").isEqualTo(2155);
        }
    }

    /** The after image of the {@code op} change of key {@code id} in the changelog. */
    private static JsonNode image(Table changelog, String op, long id) throws Exception {
        List<Record> matches = new java.util.ArrayList<>();
        for (Record r : MySqlCdcITCase.rows(changelog)) {
            if (op.equals(r.getField(CdcChangelogTable.OP)) && ("{\"id\":" + id + "}").equals(r.getField(CdcChangelogTable.KEY))) {
                matches.add(r);
            }
        }
        assertThat(matches).as("the %s change of id %s", op, id).hasSize(1);
        return new ObjectMapper().readTree((String) matches.get(0).getField(CdcChangelogTable.AFTER));
    }
}
