package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.mysql.MySqlCdcOptions;
import dev.lakestream.cdc.mysql.MySqlCdcSources;
import dev.lakestream.cdc.mysql.MySqlTableSchemas;
import dev.lakestream.jobs.testing.CdcCaptureJob;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.localservices.LocalServices;
import dev.lakestream.localservices.MariaDbServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MySQL-protocol CDC (MariaDB's row-based binlog) through Flink CDC into bronze changelogs and
 * silver current state: a snapshot of existing rows, then a scripted mix of inserts, updates and
 * deletes. At the end silver, read back through Iceberg, equals {@code SELECT * FROM} each source
 * table, and bronze holds each change once. The twin of {@link PostgresCdcITCase}.
 */
class MySqlCdcITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);


    /**
     * The capture of {@code tables} of {@code database} as the test configures it, with the CDC
     * user that has only SELECT and replication rights. Every table name in the shared catalog is
     * prefixed with the (unique) database name.
     */
    static CdcCapture capture(MariaDbServer server, String database, String serverIds, Map<String, String> settings) {
        Map<String, String> raw = new HashMap<>();
        raw.put("cdc.mysql.hostname", server.host());
        raw.put("cdc.mysql.port", String.valueOf(server.port()));
        raw.put("cdc.mysql.database", database);
        raw.put("cdc.mysql.username", server.cdcUser());
        raw.put("cdc.mysql.password", server.cdcPassword());
        raw.put("cdc.mysql.server-id", serverIds);
        raw.put("cdc.mysql.heartbeat-interval", "1 s");
        raw.put("cdc.mysql.table-prefix", database + "_");
        raw.putAll(settings);
        Configuration config = Configuration.fromMap(raw);
        assertThat(MySqlCdcOptions.problems(config)).isEmpty();
        return dev.lakestream.jobs.IngestionPipeline.mySqlCapture(config).orElseThrow();
    }

    @Test
    void silverEqualsTheSourceAfterSnapshotAndStreamedChanges() throws Exception {
        LocalServices services = LocalServices.shared();
        MySqlShopDatabase shop = MySqlShopDatabase.shop(services.mariaDb(), services.uniqueName("shop"));
        String customersTable = shop.table(MySqlShopDatabase.CUSTOMERS_TABLE);
        String ordersTable = shop.table(MySqlShopDatabase.ORDERS_TABLE);
        // Existing rows, read by the snapshot (seq_1_to_N is MariaDB's built-in sequence table).
        shop.execute(customersTable, "INSERT INTO customers SELECT seq, CONCAT('c', seq, '@example.com'),"
                + " ELT(1 + seq % 3, 'NA', 'EU', 'APAC'), ELT(1 + seq % 3, 'US', 'DE', 'JP'),"
                + " TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq HOUR + INTERVAL seq * 1001 MICROSECOND,"
                + " NOW(3) FROM seq_1_to_200");
        shop.execute(ordersTable, "INSERT INTO orders SELECT seq, 1 + seq % 200, 'placed', ROUND(MOD(seq * 7.31, 500), 2),"
                + " 'USD', TIMESTAMP '2026-02-01 00:00:00' + INTERVAL seq MINUTE, NOW(3) FROM seq_1_to_600");

        CdcCapture capture = capture(services.mariaDb(), shop.database(), "5400-5403", Map.of(
                "cdc.mysql.tables", customersTable + ";" + ordersTable,
                "cdc.mysql.silver-partition-columns", customersTable + "=region",
                "cdc.mysql.snapshot-chunk-size", "100"));
        CdcCaptureJob pipeline = CdcCaptureJob.forLocalServices(services, List.of(capture));
        JobClient job = pipeline.start(2, "mysql-cdc-test");
        Table customersLog = pipeline.table(capture.changelogTable(customersTable));
        Table ordersLog = pipeline.table(capture.changelogTable(ordersTable));
        CatchUpThenStop.allOf(CatchUpThenStop.whenCommitted(customersLog, 200), CatchUpThenStop.whenCommitted(ordersLog, 600))
                .await(job, Duration.ofMinutes(3), () -> {});

        // Streamed changes: new rows, one order updated many times, lifecycles, cancellations,
        // deletes, an insert deleted again, customers moving across silver partitions.
        shop.execute(customersTable, "INSERT INTO customers SELECT seq, CONCAT('new', seq, '@example.com'), 'EU', 'FR',"
                + " NOW(6), NOW(3) FROM seq_201_to_210");
        shop.execute(ordersTable, "INSERT INTO orders SELECT seq, 1 + seq % 210, 'placed', 19.99, 'EUR', NOW(), NOW(3)"
                + " FROM seq_601_to_650");
        for (int i = 0; i < 25; i++) {
            shop.execute(ordersTable, "UPDATE orders SET total = total + 1.01, status = ELT(1 + " + i + " % 4,"
                    + " 'placed', 'paid', 'shipped', 'delivered'), updated_at = NOW(3) WHERE order_id = 1");
        }
        for (String status : List.of("paid", "shipped", "delivered")) {
            shop.execute(ordersTable, "UPDATE orders SET status = '" + status + "', updated_at = NOW(3)"
                    + " WHERE order_id BETWEEN 2 AND 31");
        }
        shop.execute(ordersTable, "UPDATE orders SET status = 'cancelled', updated_at = NOW(3) WHERE order_id BETWEEN 40 AND 49");
        shop.execute(ordersTable, "DELETE FROM orders WHERE order_id BETWEEN 60 AND 69");
        shop.execute(ordersTable, "INSERT INTO orders VALUES (9001, 1, 'test', 1.00, 'USD', NOW(), NOW(3))");
        shop.execute(ordersTable, "DELETE FROM orders WHERE order_id = 9001");
        shop.execute(customersTable, "UPDATE customers SET region = 'NA', updated_at = NOW(3) WHERE customer_id = 5");
        shop.execute(customersTable, "UPDATE customers SET region = 'APAC', updated_at = NOW(3) WHERE customer_id = 6");
        shop.execute(customersTable, "UPDATE customers SET region = 'EU', email = 'moved@example.com',"
                + " updated_at = NOW(3) WHERE customer_id = 6");
        shop.execute(customersTable, "DELETE FROM customers WHERE customer_id = 7");

        CatchUpThenStop.allOf(
                        CatchUpThenStop.whenCommitted(customersLog, shop.changes(customersTable)),
                        CatchUpThenStop.whenCommitted(ordersLog, shop.changes(ordersTable)))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        Table customers = pipeline.table(capture.silverTable(customersTable));
        Table orders = pipeline.table(capture.silverTable(ordersTable));
        assertThat(customers.spec().fields()).singleElement()
                .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("identity"));
        assertThat(ShopDatabase.silverRows(customers, "customer_id", ShopDatabase.CUSTOMER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows("customers", "customer_id"));
        assertThat(ShopDatabase.silverRows(orders, "order_id", ShopDatabase.ORDER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows("orders", "order_id"));
        PostgresCdcITCase.assertEveryChangeOnce(customersLog, shop.changes(customersTable));
        PostgresCdcITCase.assertEveryChangeOnce(ordersLog, shop.changes(ordersTable));
        assertThat(rows(pipeline.table(CdcJob.quarantineTable(capture)))).as("quarantined changes").isEmpty();
    }

    static List<Record> rows(Table table) throws Exception {
        table.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(rows::add);
        }
        return rows;
    }
}
