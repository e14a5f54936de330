package dev.lakestream.jobs.cdc;

import dev.lakestream.jobs.localrun.ProgressReporter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Source schema changes while the job runs, without a restart: a column added to orders reaches
 * silver (the table gains the column, no row loses its value), and a column re-typed so that its
 * new values no longer fit silver (type narrowing) sends those changes to quarantine with the
 * column and the reason, counted in {@code cdcChangesQuarantined}.
 */
class PostgresSchemaChangeITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension(1, 4);

    private static final List<String> ORDER_COLUMNS =
            List.of("order_id", "customer_id", "status", "total", "currency", "created_at", "updated_at", "discount");

    @Test
    void anAddedColumnFlowsIntoSilverAndNarrowedValuesAreQuarantined() throws Exception {
        LocalServices services = LocalServices.shared();
        ShopDatabase shop = new ShopDatabase(services, services.uniqueName("shop_schema"));
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, g % 40, 'placed', 10.00 + g, 'USD', now(), now()"
                + " FROM generate_series(1, 300) g");
        PipelineUnderTest pipeline = PipelineUnderTest.postgresCdc(services, shop.database(), Map.of(
                "cdc.postgres.tables", ShopDatabase.ORDERS));
        CdcCapture capture = pipeline.postgresCapture();
        JobClient job = pipeline.start(2, UnaryOperator.identity());
        Table log = pipeline.table(capture.changelogTable(ShopDatabase.ORDERS));
        CatchUpThenStop.whenCommitted(log, 300).await(job, Duration.ofMinutes(3), () -> {});

        shop.execute(ShopDatabase.ORDERS, "ALTER TABLE orders ADD COLUMN discount numeric(5,2)");
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET discount = 1.50, status = 'paid' WHERE order_id <= 50");
        shop.execute(ShopDatabase.ORDERS, "INSERT INTO orders SELECT g, 7, 'placed', 20.00, 'EUR', now(), now(), 2.25"
                + " FROM generate_series(301, 320) g");
        shop.execute(ShopDatabase.ORDERS, "ALTER TABLE orders ALTER COLUMN customer_id TYPE text USING customer_id::text");
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET customer_id = 'guest-' || order_id, status = 'paid'"
                + " WHERE order_id BETWEEN 251 AND 255");
        shop.execute(ShopDatabase.ORDERS, "UPDATE orders SET status = 'shipped' WHERE order_id BETWEEN 260 AND 262");
        CatchUpThenStop.whenCommitted(log, shop.changes(ShopDatabase.ORDERS))
                .awaitAndStop(job, Files.createTempDirectory("savepoints"), Duration.ofMinutes(3), () -> {});

        Table silver = pipeline.table(capture.silverTable(ShopDatabase.ORDERS));
        silver.refresh();
        assertThat(silver.schema().findField("discount")).as("the column added while the job ran").isNotNull();
        List<String> guests = List.of(251L, 252L, 253L, 254L, 255L).stream().map(String::valueOf).collect(Collectors.toList());
        List<String> expected = new ArrayList<>();
        for (String row : shop.sourceRows(ShopDatabase.ORDERS, "order_id")) {
            String id = row.substring("order_id=".length(), row.indexOf(' '));
            // Rejected changes are not applied: those orders keep their last good state in silver.
            expected.add(guests.contains(id)
                    ? "order_id=" + id + " customer_id=" + (Long.parseLong(id) % 40) + " status=placed"
                    : row.substring(0, row.indexOf(" total=")));
        }
        assertThat(ShopDatabase.silverRows(silver, "order_id", ORDER_COLUMNS.subList(0, 3)))
                .containsExactlyElementsOf(expected);
        assertThat(ShopDatabase.silverRows(silver, "order_id", ORDER_COLUMNS).stream()
                .filter(r -> !guests.contains(r.substring("order_id=".length(), r.indexOf(' ')))))
                .as("every other column, the added one included, as in the source")
                .containsExactlyElementsOf(shop.sourceRows(ShopDatabase.ORDERS, "order_id").stream()
                        .filter(r -> !guests.contains(r.substring("order_id=".length(), r.indexOf(' '))))
                        .collect(Collectors.toList()));

        List<String> quarantined = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(pipeline.table(CdcJob.quarantineTable(capture))).build()) {
            for (Record r : rows) {
                quarantined.add(r.getField("reason") + " " + r.getField("field") + " " + r.getField("event_id"));
            }
        }
        assertThat(quarantined).containsExactlyInAnyOrderElementsOf(guests.stream()
                .map(id -> "WRONG_TYPE customer_id {\"order_id\":" + id + "}").collect(Collectors.toList()));
        assertThat(ProgressReporter.counterTotal(job.getJobID(), "cdcChangesQuarantined")).isEqualTo(5L);
    }
}
