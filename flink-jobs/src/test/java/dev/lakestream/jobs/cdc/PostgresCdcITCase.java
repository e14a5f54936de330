package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.maintenance.DeleteFileCompaction;
import dev.lakestream.catalog.tables.CdcChangelogTable;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL (logical replication, pgoutput) through Flink CDC into bronze changelogs and silver
 * current state: a snapshot of existing rows, then a scripted mix of inserts, updates and deletes.
 * At the end silver, read back through Iceberg, equals {@code SELECT * FROM} each source table.
 */
class PostgresCdcITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);


    @Test
    void silverEqualsTheSourceAfterSnapshotAndStreamedChanges() throws Exception {
        LocalServices services = LocalServices.shared();
        ShopDatabase shop = new ShopDatabase(services, services.uniqueName("shop"));
        // Existing rows, read by the snapshot.
        shop.execute(ShopDatabase.CUSTOMERS, "INSERT INTO customers SELECT g, 'c' || g || '@example.com',"
                + " (ARRAY['NA','EU','APAC'])[1 + g % 3], (ARRAY['US','DE','JP'])[1 + g % 3],"
                + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1 hour', now() FROM generate_series(1, 200) g");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1 + g % 200, 'placed', round((g * 7.31) % 500, 2),"
                + " 'USD', timestamptz '2026-02-01 00:00:00+00' + g * interval '1 minute', now()"
                + " FROM generate_series(1, 600) g");

        PipelineUnderTest pipeline = PipelineUnderTest.postgresCdc(services, shop.database(), Map.of(
                "cdc.postgres.tables", ShopDatabase.CUSTOMERS + ";" + ShopDatabase.ORDERS,
                "cdc.postgres.silver-partition-columns", ShopDatabase.CUSTOMERS + "=region",
                "cdc.postgres.snapshot-chunk-size", "100"));
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        CdcCapture capture = pipeline.postgresCapture();
        Table customersLog = pipeline.table(capture.changelogTable(ShopDatabase.CUSTOMERS));
        Table ordersLog = pipeline.table(capture.changelogTable(ShopDatabase.ORDERS));
        CatchUpThenStop.allOf(CatchUpThenStop.whenCommitted(customersLog, 200), CatchUpThenStop.whenCommitted(ordersLog, 600))
                .await(job, Duration.ofMinutes(3), () -> {});

        // Streamed changes: new rows, one order updated many times, lifecycles, cancellations,
        // deletes (with only the key in their before image), customers moving across silver partitions.
        shop.execute(ShopDatabase.CUSTOMERS, "INSERT INTO customers SELECT g, 'new' || g || '@example.com', 'EU', 'FR',"
                + " now(), now() FROM generate_series(201, 210) g");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1 + g % 210, 'placed', 19.99, 'EUR', now(), now()"
                + " FROM generate_series(601, 650) g");
        for (int i = 0; i < 25; i++) {
            shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET total = total + 1.01, status = (ARRAY['placed','paid',"
                    + "'shipped','delivered'])[1 + " + i + " % 4], updated_at = now() WHERE order_id = 1");
        }
        for (String status : List.of("paid", "shipped", "delivered")) {
            shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = '" + status + "', updated_at = now()"
                    + " WHERE order_id BETWEEN 2 AND 31");
        }
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = 'cancelled', updated_at = now() WHERE order_id BETWEEN 40 AND 49");
        shop.execute(ShopDatabase.ORDERS, "DELETE FROM orders WHERE order_id BETWEEN 60 AND 69");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders VALUES (9001, 1, 'test', 1.00, 'USD', now(), now())");
        shop.execute(ShopDatabase.ORDERS, "DELETE FROM orders WHERE order_id = 9001");
        shop.execute(ShopDatabase.CUSTOMERS, "UPDATE customers SET region = 'NA', updated_at = now() WHERE customer_id = 5");
        shop.execute(ShopDatabase.CUSTOMERS, "UPDATE customers SET region = 'APAC', updated_at = now() WHERE customer_id = 6");
        shop.execute(ShopDatabase.CUSTOMERS, "UPDATE customers SET region = 'EU', email = 'moved@example.com',"
                + " updated_at = now() WHERE customer_id = 6");
        shop.execute(ShopDatabase.CUSTOMERS, "DELETE FROM customers WHERE customer_id = 7");

        CatchUpThenStop.allOf(
                        CatchUpThenStop.whenCommitted(customersLog, shop.changes(ShopDatabase.CUSTOMERS)),
                        CatchUpThenStop.whenCommitted(ordersLog, shop.changes(ShopDatabase.ORDERS)))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        Table customers = pipeline.table(capture.silverTable(ShopDatabase.CUSTOMERS));
        Table orders = pipeline.table(capture.silverTable(ShopDatabase.ORDERS));
        assertThat(customers.spec().fields()).singleElement()
                .satisfies(f -> assertThat(f.transform().toString()).isEqualTo("identity"));
        assertThat(ShopDatabase.silverRows(customers, "customer_id", ShopDatabase.CUSTOMER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.CUSTOMERS, "customer_id"));
        assertThat(ShopDatabase.silverRows(orders, "order_id", ShopDatabase.ORDER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.ORDERS, "order_id"));
        assertEveryChangeOnce(customersLog, shop.changes(ShopDatabase.CUSTOMERS));
        assertEveryChangeOnce(ordersLog, shop.changes(ShopDatabase.ORDERS));

        // For Redshift: compaction leaves the same rows and no delete files.
        assertThat(deleteFiles(orders)).as("delete files the streaming writer made").isPositive();
        for (Table table : List.of(customers, orders)) {
            DeleteFileCompaction.Result result = DeleteFileCompaction.run(table);
            assertThat(result.deleteFilesRemoved).isPositive();
            assertThat(deleteFiles(table)).as("delete files after compaction").isZero();
        }
        assertThat(ShopDatabase.silverRows(customers, "customer_id", ShopDatabase.CUSTOMER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.CUSTOMERS, "customer_id"));
        assertThat(ShopDatabase.silverRows(orders, "order_id", ShopDatabase.ORDER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.ORDERS, "order_id"));
    }

    static long deleteFiles(Table table) {
        table.refresh();
        return Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-delete-files", "0"));
    }

    /** Bronze holds each (position, key) once, and as many changes as the statements made. */
    static void assertEveryChangeOnce(Table changelog, long changes) throws Exception {
        changelog.refresh();
        Set<String> seen = new HashSet<>();
        long rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(changelog).build()) {
            for (Record r : records) {
                rows++;
                String id = r.getField(CdcChangelogTable.SOURCE_POSITION) + " " + r.getField(CdcChangelogTable.KEY);
                assertThat(seen.add(id)).as("change %s in %s once", id, changelog.name()).isTrue();
            }
        }
        assertThat(rows).as("changes in %s", changelog.name()).isEqualTo(changes);
    }
}
