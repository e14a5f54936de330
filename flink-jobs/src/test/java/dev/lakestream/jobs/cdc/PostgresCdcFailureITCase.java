package dev.lakestream.jobs.cdc;

import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.TableSink;
import dev.lakestream.jobs.testing.CatchUpThenStop;
import dev.lakestream.jobs.testing.FailOnce;
import dev.lakestream.jobs.testing.MiniClusters;
import dev.lakestream.jobs.testing.PipelineUnderTest;
import dev.lakestream.localservices.LocalServices;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures in both CDC phases: the job fails while the snapshot is being read (after some of it
 * was committed) and again while streaming, restarting from the last checkpoint each time. Silver
 * still equals the source and bronze holds each change position exactly once.
 */
class PostgresCdcFailureITCase {

    private static final int ORDERS = 3_000;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    @Test
    void silverEqualsTheSourceAfterFailuresInTheSnapshotAndInStreaming() throws Exception {
        LocalServices services = LocalServices.shared();
        ShopDatabase shop = new ShopDatabase(services, services.uniqueName("shop_failures"));
        shop.execute(ShopDatabase.CUSTOMERS, "INSERT INTO customers SELECT g, 'c' || g || '@example.com',"
                + " (ARRAY['NA','EU','APAC'])[1 + g % 3], 'US', now(), now() FROM generate_series(1, 100) g");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1 + g % 100, 'placed', round((g * 3.17) % 300, 2),"
                + " 'USD', now(), now() FROM generate_series(1, " + ORDERS + ") g");
        String snapshotFailure = services.uniqueName("snapshot-failure");
        String streamingFailure = services.uniqueName("streaming-failure");

        PipelineUnderTest pipeline = PipelineUnderTest.postgresCdc(services, shop.database(), Map.of(
                "cdc.postgres.tables", ShopDatabase.CUSTOMERS + ";" + ShopDatabase.ORDERS,
                "cdc.postgres.silver-partition-columns", ShopDatabase.CUSTOMERS + "=region",
                "cdc.postgres.snapshot-chunk-size", "200",
                "pipeline.checkpoint-interval", "500 ms"));
        CdcCapture capture = pipeline.postgresCapture();
        TableSpec ordersLog = capture.changelogTable(ShopDatabase.ORDERS);
        TableSpec ordersSilver = capture.silverTable(ShopDatabase.ORDERS);
        // In the snapshot: the bronze changelog of orders fails at the 1,800th snapshot row (paced to
        // ~1,000 rows/s per subtask, so checkpoints complete first). In streaming: the silver writer of
        // orders fails when order 42 is shipped.
        UnaryOperator<TableSink> failing = iceberg -> (table, rows) -> {
            if (table.identifier().equals(ordersLog.identifier())) {
                return iceberg.write(table, rows.map(new FailOnce(snapshotFailure,
                                row -> "r".equals(row.getString(1).toString()) && row.getString(2).toString().equals("{\"order_id\":1800}"),
                                1_000))
                        .returns(rows.getType()).uid("fail-in-snapshot").name("fail in snapshot"));
            }
            return iceberg.write(table, rows);
        };
        UnaryOperator<CurrentStateSink> failingSilver = iceberg -> (table, changes, records) -> iceberg.write(table,
                table.identifier().equals(ordersSilver.identifier())
                        ? changes.map(new FailOnceOnChange(streamingFailure)).returns(SilverChange.class)
                                .uid("fail-in-streaming").name("fail in streaming")
                        : changes,
                records);
        JobClient job = pipeline.start(2, failing, failingSilver, null);
        Table log = pipeline.table(ordersLog);
        CatchUpThenStop.whenCommitted(log, ORDERS).await(job, Duration.ofMinutes(3), () -> {});
        assertThat(FailOnce.firedAt(snapshotFailure)).as("failure in the snapshot").isNotNull();
        assertThat(FailOnce.firedAt(streamingFailure)).as("no streaming failure yet").isNull();
        assertThat(addedRowsBefore(log, FailOnce.firedAt(snapshotFailure)))
                .as("snapshot rows committed before the snapshot failure").isBetween(1L, ORDERS - 1L);

        for (String status : List.of("paid", "shipped", "delivered")) {
            shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = '" + status + "', updated_at = now()"
                    + " WHERE order_id BETWEEN 1 AND 100");
        }
        shop.execute(ShopDatabase.ORDERS, "DELETE FROM orders WHERE order_id BETWEEN 101 AND 120");
        shop.execute(ShopDatabase.CUSTOMERS, "UPDATE customers SET region = 'NA', updated_at = now() WHERE customer_id = 2");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 1, 'placed', 5.00, 'USD', now(), now()"
                + " FROM generate_series(" + (ORDERS + 1) + ", " + (ORDERS + 50) + ") g");

        Table customersLog = pipeline.table(capture.changelogTable(ShopDatabase.CUSTOMERS));
        CatchUpThenStop.allOf(
                        CatchUpThenStop.whenCommitted(customersLog, shop.changes(ShopDatabase.CUSTOMERS)),
                        CatchUpThenStop.whenCommitted(log, shop.changes(ShopDatabase.ORDERS)))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});
        assertThat(FailOnce.firedAt(streamingFailure)).as("failure in streaming").isNotNull();

        assertThat(ShopDatabase.silverRows(pipeline.table(capture.silverTable(ShopDatabase.CUSTOMERS)), "customer_id",
                ShopDatabase.CUSTOMER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.CUSTOMERS, "customer_id"));
        assertThat(ShopDatabase.silverRows(pipeline.table(ordersSilver), "order_id",
                ShopDatabase.ORDER_COLUMNS))
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.ORDERS, "order_id"));
        PostgresCdcITCase.assertEveryChangeOnce(customersLog, shop.changes(ShopDatabase.CUSTOMERS));
        PostgresCdcITCase.assertEveryChangeOnce(log, shop.changes(ShopDatabase.ORDERS));
    }

    /** Fails once, in front of the silver writer of orders, when order 42 is shipped. */
    static final class FailOnceOnChange implements org.apache.flink.api.common.functions.MapFunction<SilverChange, SilverChange> {
        private static final long serialVersionUID = 1L;
        private final FailOnce failOnce;

        FailOnceOnChange(String name) {
            this.failOnce = new FailOnce(name, row -> true, Integer.MAX_VALUE);
        }

        @Override
        public SilverChange map(SilverChange change) {
            if (change.image.startsWith("{\"order_id\":42,") && change.image.contains("\"shipped\"")) {
                failOnce.map(org.apache.flink.table.data.GenericRowData.of(1));
            }
            return change;
        }
    }

    private static long addedRowsBefore(Table table, long millis) {
        table.refresh();
        long rows = 0;
        for (Snapshot s : table.snapshots()) {
            if (s.timestampMillis() < millis) {
                rows += Long.parseLong(s.summary().getOrDefault("added-records", "0"));
            }
        }
        return rows;
    }
}
