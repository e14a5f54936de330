package dev.lakestream.cdc.postgres;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresCdcOptionsTest {

    private static Map<String, String> valid() {
        Map<String, String> raw = new HashMap<>();
        raw.put("cdc.postgres.hostname", "db.example.com");
        raw.put("cdc.postgres.database", "shop");
        raw.put("cdc.postgres.username", "cdc");
        raw.put("cdc.postgres.tables", "public.customers; public.orders");
        return raw;
    }

    @Test
    void aValidCaptureHasNoProblems() {
        Configuration config = Configuration.fromMap(valid());

        assertThat(PostgresCdcOptions.problems(config)).isEmpty();
        assertThat(PostgresCdcOptions.tables(config)).containsExactly("public.customers", "public.orders");
        assertThat(PostgresPublications.name(config)).isEqualTo("lakestream_publication");
    }

    @Test
    void withoutTablesCdcIsOffAndNothingElseIsRequired() {
        assertThat(PostgresCdcOptions.problems(new Configuration())).isEmpty();
    }

    @Test
    void everyProblemNamesItsKey() {
        Map<String, String> raw = valid();
        raw.remove("cdc.postgres.hostname");
        raw.put("cdc.postgres.tables", "public.customers;orders");
        raw.put("cdc.postgres.silver-partition-columns", "public.customers=region;public.payments=method");
        raw.put("cdc.postgres.slot-name", "Lakestream-Slot");
        raw.put("cdc.postgres.table-prefix", "Shop-");
        raw.put("cdc.postgres.snapshot-chunk-size", "0");

        assertThat(PostgresCdcOptions.problems(Configuration.fromMap(raw)))
                .anySatisfy(p -> assertThat(p).contains("'cdc.postgres.hostname' is required"))
                .anySatisfy(p -> assertThat(p).contains("invalid table 'orders'").contains("expected schema.table"))
                .anySatisfy(p -> assertThat(p).contains("'public.payments=method'").contains("cdc.postgres.silver-partition-columns"))
                .anySatisfy(p -> assertThat(p).contains("'cdc.postgres.slot-name'").contains("a-z, 0-9 and _"))
                .anySatisfy(p -> assertThat(p).contains("'cdc.postgres.table-prefix'"))
                .anySatisfy(p -> assertThat(p).contains("'cdc.postgres.snapshot-chunk-size': must be positive"))
                .hasSize(6);
        assertThat(PostgresCdcOptions.silverPartitionColumns(Configuration.fromMap(raw)))
                .containsEntry("public.customers", "region");
    }
}
