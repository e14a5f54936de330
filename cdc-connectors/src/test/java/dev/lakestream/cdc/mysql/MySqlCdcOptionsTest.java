package dev.lakestream.cdc.mysql;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlCdcOptionsTest {

    private static Map<String, String> valid() {
        Map<String, String> raw = new HashMap<>();
        raw.put("cdc.mysql.hostname", "db.internal");
        raw.put("cdc.mysql.database", "shop");
        raw.put("cdc.mysql.username", "cdc");
        raw.put("cdc.mysql.password", "secret");
        raw.put("cdc.mysql.tables", " shop.customers ; shop.orders;shop.customers");
        return raw;
    }

    private static Configuration config(Map<String, String> raw) {
        return Configuration.fromMap(raw);
    }

    @Test
    void defaultsSnapshotThenStreamFromPort3306InUtc() {
        Configuration config = config(valid());

        assertThat(MySqlCdcOptions.problems(config)).isEmpty();
        assertThat(MySqlCdcOptions.tables(config)).containsExactly("shop.customers", "shop.orders");
        assertThat(config.get(MySqlCdcOptions.PORT)).isEqualTo(3306);
        assertThat(config.get(MySqlCdcOptions.STARTUP_MODE)).isEqualTo(MySqlCdcOptions.StartupMode.INITIAL);
        assertThat(config.get(MySqlCdcOptions.SERVER_ID)).isEqualTo("5400-5415");
        assertThat(config.get(MySqlCdcOptions.SERVER_TIME_ZONE)).isEqualTo("UTC");
        assertThat(config.get(MySqlCdcOptions.SNAPSHOT_CHUNK_SIZE)).isEqualTo(8096);
        assertThat(config.get(MySqlCdcOptions.HEARTBEAT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(MySqlCdcOptions.TABLE_PREFIX)).isEmpty();
        assertThat(MySqlCdcOptions.silverPartitionColumns(config)).isEmpty();
    }

    @Test
    void mysqlCdcIsOffWithoutTables() {
        Configuration config = config(new HashMap<>());

        assertThat(MySqlCdcOptions.tables(config)).isEmpty();
        assertThat(MySqlCdcOptions.problems(config)).isEmpty();
    }

    @Test
    void everyOptionIsDescribedUnderCdcMysqlAndThePasswordIsSecret() {
        assertThat(MySqlCdcOptions.all()).hasSize(13).allSatisfy(option -> {
            assertThat(option.key()).startsWith("cdc.mysql.");
            assertThat(option.description().toString()).isNotBlank();
        });
        assertThat(MySqlCdcOptions.all().stream().map(ConfigOption::key).distinct()).hasSize(13);
        assertThat(MySqlCdcOptions.PASSWORD.key()).contains("password");
        assertThat(GlobalConfiguration.isSensitive(MySqlCdcOptions.PASSWORD.key())).isTrue();
    }

    @Test
    void settingsAreRead() {
        Map<String, String> raw = valid();
        raw.put("cdc.mysql.port", "3307");
        raw.put("cdc.mysql.startup-mode", "LATEST");
        raw.put("cdc.mysql.server-id", "6001-6004");
        raw.put("cdc.mysql.server-time-zone", "Europe/Berlin");
        raw.put("cdc.mysql.table-prefix", "shop_");
        raw.put("cdc.mysql.silver-partition-columns", "shop.customers=region");
        raw.put("cdc.mysql.heartbeat-interval", "1 s");
        Configuration config = config(raw);

        assertThat(MySqlCdcOptions.problems(config)).isEmpty();
        assertThat(config.get(MySqlCdcOptions.PORT)).isEqualTo(3307);
        assertThat(config.get(MySqlCdcOptions.STARTUP_MODE)).isEqualTo(MySqlCdcOptions.StartupMode.LATEST);
        assertThat(MySqlCdcOptions.silverPartitionColumns(config)).containsExactly(Map.entry("shop.customers", "region"));
        assertThat(config.get(MySqlCdcOptions.HEARTBEAT_INTERVAL)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void missingConnectionSettingsAreNamed() {
        Map<String, String> raw = new HashMap<>();
        raw.put("cdc.mysql.tables", "shop.orders");

        assertThat(MySqlCdcOptions.problems(config(raw))).containsExactly(
                "'cdc.mysql.hostname' is required when cdc.mysql.tables is set",
                "'cdc.mysql.database' is required when cdc.mysql.tables is set",
                "'cdc.mysql.username' is required when cdc.mysql.tables is set");
    }

    @Test
    void tablesMustBeDatabaseQualifiedAndInTheDatabase() {
        Map<String, String> raw = valid();
        raw.put("cdc.mysql.tables", "orders;billing.invoices;shop.order$s;shop.customers");

        assertThat(MySqlCdcOptions.problems(config(raw))).containsExactly(
                "invalid table 'orders' in key 'cdc.mysql.tables': expected database.table of letters, digits and _",
                "table 'billing.invoices' in key 'cdc.mysql.tables' is not in database 'shop' of key 'cdc.mysql.database'",
                "invalid table 'shop.order$s' in key 'cdc.mysql.tables': expected database.table of letters, digits and _");
    }

    @Test
    void invalidValuesNameTheirKeyAndWhatIsAllowed() {
        Map<String, String> raw = valid();
        raw.put("cdc.mysql.silver-partition-columns", "shop.refunds=region;shop.orders");
        raw.put("cdc.mysql.table-prefix", "Shop-");
        raw.put("cdc.mysql.server-time-zone", "Mars/Olympus");
        raw.put("cdc.mysql.snapshot-chunk-size", "0");
        raw.put("cdc.mysql.heartbeat-interval", "0 s");

        assertThat(MySqlCdcOptions.problems(config(raw))).containsExactly(
                "invalid entry 'shop.refunds=region' in key 'cdc.mysql.silver-partition-columns': expected"
                        + " database.table=column with a table of cdc.mysql.tables [shop.customers, shop.orders]",
                "invalid entry 'shop.orders' in key 'cdc.mysql.silver-partition-columns': expected"
                        + " database.table=column with a table of cdc.mysql.tables [shop.customers, shop.orders]",
                "invalid value for key 'cdc.mysql.table-prefix': 'Shop-' may hold only a-z, 0-9 and _"
                        + " (Glue and Athena table names)",
                "invalid value for key 'cdc.mysql.server-time-zone': 'Mars/Olympus' is not a time zone id such as"
                        + " UTC, +02:00 or Europe/Berlin",
                "invalid value for key 'cdc.mysql.snapshot-chunk-size': must be positive",
                "invalid value for key 'cdc.mysql.heartbeat-interval': must be positive");
    }

    @Test
    void serverIdsAreOneIdOrAnAscendingRangeOfUnsigned32BitIds() {
        for (String ok : new String[] {"5400", "5400-5415", " 1-1 ", "4294967295"}) {
            Map<String, String> raw = valid();
            raw.put("cdc.mysql.server-id", ok);
            assertThat(MySqlCdcOptions.problems(config(raw))).as(ok).isEmpty();
        }
        for (String bad : new String[] {"0", "0-3", "5415-5400", "4294967296", "54a0", "5400-", "5400,5401"}) {
            Map<String, String> raw = valid();
            raw.put("cdc.mysql.server-id", bad);
            assertThat(MySqlCdcOptions.problems(config(raw))).as(bad).containsExactly(
                    "invalid value for key 'cdc.mysql.server-id': '" + bad + "' must be an id or a range start-end of"
                            + " ids from 1 to 4294967295, e.g. 5400-5415");
        }
    }
}
