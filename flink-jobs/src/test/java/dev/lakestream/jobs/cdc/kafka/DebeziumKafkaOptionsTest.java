package dev.lakestream.jobs.cdc.kafka;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeOptions;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DebeziumKafkaOptionsTest {

    static final String CUSTOMERS_COLUMNS = "public.customers=customer_id LONG, email STRING, region STRING,"
            + " country STRING, created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC";
    static final String ORDERS_COLUMNS = "public.orders=order_id LONG, customer_id LONG, status STRING,"
            + " total DECIMAL(12,2), currency STRING, created_at TIMESTAMP_UTC, updated_at timestamp_utc(6)";

    /** A valid configuration of the shop's two tables. */
    static Map<String, String> shop() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "localhost:9092");
        raw.put("cdc.kafka.topics", "shop.public.customers;shop.public.orders");
        raw.put("cdc.kafka.tables", "public.customers;public.orders");
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id");
        raw.put("cdc.kafka.column-types", CUSTOMERS_COLUMNS + ";" + ORDERS_COLUMNS);
        return raw;
    }

    private static PipelineConfig load(Map<String, String> raw) {
        List<ConfigOption<?>> options = new ArrayList<>(KafkaBronzeOptions.all());
        options.addAll(DebeziumKafkaOptions.all());
        return PipelineConfig.fromMap(raw, options).check(DebeziumKafkaOptions::problems);
    }

    private static List<String> problems(Map<String, String> raw) {
        try {
            load(raw);
            return List.of();
        } catch (InvalidConfigurationException e) {
            return e.problems();
        }
    }

    @Test
    void everyOptionHasADescription() {
        assertThat(DebeziumKafkaOptions.all())
                .allSatisfy(o -> assertThat(PipelineConfig.descriptionText(o)).isNotBlank())
                .allSatisfy(o -> assertThat(o.key()).startsWith("cdc.kafka."));
    }

    @Test
    void offWhenNoTopicsAreConfigured() {
        Configuration config = load(new HashMap<>()).configuration();

        assertThat(DebeziumKafkaOptions.topics(config)).isEmpty();
        assertThat(DebeziumKafkaOptions.problems(config)).isEmpty();
    }

    @Test
    void readsTheDeclaredTablesWithTheirKeysAndTypedColumns() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.silver-partition-columns", "public.customers=region");
        Configuration config = load(raw).configuration();

        assertThat(DebeziumKafkaOptions.topics(config)).containsExactly("shop.public.customers", "shop.public.orders");
        assertThat(DebeziumKafkaOptions.tables(config)).containsExactly("public.customers", "public.orders");
        assertThat(DebeziumKafkaOptions.silverPartitionColumns(config)).containsExactly(Map.entry("public.customers", "region"));
        assertThat(config.get(DebeziumKafkaOptions.GROUP_ID)).isEqualTo("lakestream-cdc");
        assertThat(config.get(DebeziumKafkaOptions.STARTING_OFFSETS)).isEqualTo(KafkaBronzeOptions.StartingOffsets.COMMITTED);
        assertThat(config.get(DebeziumKafkaOptions.VERIFY_RECORD_KEYS)).isTrue();

        Map<String, CdcTableSchema> schemas = DebeziumKafkaOptions.tableSchemas(config);
        assertThat(schemas).containsOnlyKeys("public.customers", "public.orders");
        CdcTableSchema orders = schemas.get("public.orders");
        assertThat(orders.primaryKey()).containsExactly("order_id");
        assertThat(orders.columns()).extracting(Column::name)
                .containsExactly("order_id", "customer_id", "status", "total", "currency", "created_at", "updated_at");
        assertThat(orders.columns()).extracting(Column::type).containsExactly(ColumnType.LONG, ColumnType.LONG,
                ColumnType.STRING, ColumnType.DECIMAL, ColumnType.STRING, ColumnType.TIMESTAMP_UTC, ColumnType.TIMESTAMP_UTC);
        Column total = orders.columns().get(3);
        assertThat(total.precision()).isEqualTo(12);
        assertThat(total.scale()).isEqualTo(2);
        assertThat(total.sourceType()).isEqualTo("DECIMAL(12,2)");
        // The key is required; every other column may be null (a declaration cannot promise more).
        assertThat(orders.columns()).filteredOn(Column::nullable).extracting(Column::name).doesNotContain("order_id").hasSize(6);
        assertThat(orders.columns().get(6).sourceType()).isEqualTo("TIMESTAMP_UTC(6)");
    }

    @Test
    void compositeKeysAndLocalTimestampPrecisions() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.tables", "inventory.stock");
        raw.put("cdc.kafka.primary-keys", "inventory.stock=facility_id, sku");
        raw.put("cdc.kafka.column-types", "inventory.stock=facility_id INT, sku STRING, units LONG, counted_at"
                + " TIMESTAMP_LOCAL(3), day DATE, price DOUBLE, weight FLOAT, active BOOLEAN");
        Configuration config = load(raw).configuration();

        CdcTableSchema stock = DebeziumKafkaOptions.tableSchemas(config).get("inventory.stock");
        assertThat(stock.primaryKey()).containsExactly("facility_id", "sku");
        assertThat(stock.columns().get(3).precision()).isEqualTo(3);
        assertThat(stock.columns()).extracting(Column::type).containsExactly(ColumnType.INT, ColumnType.STRING,
                ColumnType.LONG, ColumnType.TIMESTAMP_LOCAL, ColumnType.DATE, ColumnType.DOUBLE, ColumnType.FLOAT,
                ColumnType.BOOLEAN);
    }

    @Test
    void topicsNeedBootstrapServersAndTables() {
        Map<String, String> raw = new HashMap<>();
        raw.put("cdc.kafka.topics", "shop.public.orders");

        assertThat(problems(raw)).anySatisfy(p -> assertThat(p)
                        .startsWith("'kafka.bootstrap-servers' is required when cdc.kafka.topics is set"))
                .anySatisfy(p -> assertThat(p).startsWith("'cdc.kafka.tables' is required when cdc.kafka.topics is set"));
    }

    @Test
    void tablesWithoutTopicsAreAMistake() {
        Map<String, String> raw = shop();
        raw.remove("cdc.kafka.topics");

        assertThat(problems(raw)).singleElement().satisfies(p -> assertThat(p)
                .startsWith("'cdc.kafka.topics' is required when cdc.kafka.tables is set"));
    }

    @Test
    void everyTableNeedsAKeyAndColumns() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id");
        raw.put("cdc.kafka.column-types", ORDERS_COLUMNS);

        assertThat(problems(raw)).containsExactlyInAnyOrder(
                "table 'public.customers' has no columns in key 'cdc.kafka.column-types': add"
                        + " public.customers=<column> <TYPE>[, <column> <TYPE>...] with TYPE one of "
                        + DebeziumKafkaOptions.TYPE_NAMES,
                "table 'public.orders' has no primary key in key 'cdc.kafka.primary-keys': add"
                        + " public.orders=<key column>[,<key column>...]");
    }

    @Test
    void columnDeclarationsNameTheColumnAndTheAllowedTypes() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.column-types", "public.customers=customer_id LONG, email TEXT, region STRING(3),"
                + " created_at TIMESTAMP_UTC(9), email STRING, cdc_op STRING, broken;"
                + "public.orders=order_id LONG, total DECIMAL, fee DECIMAL(40,2), tax DECIMAL(4,6)");

        List<String> problems = problems(raw);

        assertThat(problems).contains(
                "unknown type 'TEXT' of column 'email' of public.customers in key 'cdc.kafka.column-types': allowed "
                        + DebeziumKafkaOptions.TYPE_NAMES,
                "column 'region' of public.customers in key 'cdc.kafka.column-types': STRING takes no arguments",
                "column 'created_at' of public.customers in key 'cdc.kafka.column-types': TIMESTAMP_UTC takes at most"
                        + " one argument, 0 to 6 fraction digits",
                "column 'email' of public.customers is declared twice in key 'cdc.kafka.column-types'",
                "column 'cdc_op' of public.customers in key 'cdc.kafka.column-types' clashes with the cdc_ columns"
                        + " silver adds",
                "invalid column 'broken' of public.customers in key 'cdc.kafka.column-types': expected <column> <TYPE>"
                        + " with TYPE one of " + DebeziumKafkaOptions.TYPE_NAMES,
                "column 'total' of public.orders in key 'cdc.kafka.column-types': DECIMAL needs (precision,scale),"
                        + " e.g. DECIMAL(12,2)",
                "column 'fee' of public.orders in key 'cdc.kafka.column-types': DECIMAL(40,2) needs 1 <= precision"
                        + " <= 38 and 0 <= scale <= precision",
                "column 'tax' of public.orders in key 'cdc.kafka.column-types': DECIMAL(4,6) needs 1 <= precision"
                        + " <= 38 and 0 <= scale <= precision");
        assertThat(problems).hasSize(9);
    }

    @Test
    void keyAndPartitionColumnsMustBeDeclared() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id,customer_id;public.orders=id");
        raw.put("cdc.kafka.silver-partition-columns", "public.customers=country_code");

        assertThat(problems(raw)).containsExactlyInAnyOrder(
                "key of public.customers in key 'cdc.kafka.primary-keys' names a column twice: [customer_id, customer_id]",
                "partition column 'country_code' of public.customers (key 'cdc.kafka.silver-partition-columns') is not"
                        + " declared in key 'cdc.kafka.column-types'",
                "key column 'id' of public.orders (key 'cdc.kafka.primary-keys') is not declared in key"
                        + " 'cdc.kafka.column-types'");
    }

    @Test
    void entriesMustNameAConfiguredTableOnce() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id;public.payments=payment_id");
        raw.put("cdc.kafka.column-types", CUSTOMERS_COLUMNS + ";" + ORDERS_COLUMNS + ";" + ORDERS_COLUMNS);
        raw.put("cdc.kafka.silver-partition-columns", "region");

        assertThat(problems(raw)).containsExactlyInAnyOrder(
                "invalid entry 'public.payments=payment_id' in key 'cdc.kafka.primary-keys': expected schema.table=..."
                        + " with a table of cdc.kafka.tables [public.customers, public.orders]",
                "table 'public.orders' appears more than once in key 'cdc.kafka.column-types'",
                "invalid entry 'region' in key 'cdc.kafka.silver-partition-columns': expected schema.table=... with a"
                        + " table of cdc.kafka.tables [public.customers, public.orders]");
    }

    @Test
    void tablesMustBeQualifiedAndKeepDistinctLakehouseNames() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.topics", "a;b;a");
        raw.put("cdc.kafka.tables", "orders;public.orders;archive.orders");
        raw.put("cdc.kafka.primary-keys", "orders=order_id;public.orders=order_id;archive.orders=order_id");
        raw.put("cdc.kafka.column-types", "orders=order_id LONG;public.orders=order_id LONG;archive.orders=order_id LONG");

        assertThat(problems(raw)).containsExactlyInAnyOrder(
                "[a] appear more than once in key 'cdc.kafka.topics'",
                "invalid table 'orders' in key 'cdc.kafka.tables': expected schema.table (or database.table)",
                "tables 'orders' and 'public.orders' in key 'cdc.kafka.tables' would share the lakehouse tables (their"
                        + " names leave the schema out, e.g. bronze.cdc_orders): capture only one of them",
                "tables 'orders' and 'archive.orders' in key 'cdc.kafka.tables' would share the lakehouse tables (their"
                        + " names leave the schema out, e.g. bronze.cdc_orders): capture only one of them");
    }

    @Test
    void prefixGroupAndStartingPointAreChecked() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.table-prefix", "Shop-");
        raw.put("cdc.kafka.group-id", "cdc group");
        raw.put("cdc.kafka.starting-offsets", "TIMESTAMP");

        assertThat(problems(raw)).hasSize(3)
                .anySatisfy(p -> assertThat(p).startsWith("invalid value for key 'cdc.kafka.table-prefix': 'Shop-'"))
                .anySatisfy(p -> assertThat(p).startsWith("invalid value for key 'cdc.kafka.group-id': 'cdc group'"))
                .anySatisfy(p -> assertThat(p).startsWith(
                        "'cdc.kafka.starting-timestamp' is required when cdc.kafka.starting-offsets is TIMESTAMP"));
    }

    @Test
    void startingOffsetsAcceptOnlyTheEnumValues() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.starting-offsets", "BEGINNING");

        assertThatThrownBy(() -> load(raw))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("invalid value 'BEGINNING' for key 'cdc.kafka.starting-offsets': allowed values are"
                        + " COMMITTED, EARLIEST, LATEST, TIMESTAMP");
    }

    @Test
    void tableSchemasFailWithEveryProblem() {
        Map<String, String> raw = shop();
        raw.put("cdc.kafka.column-types", "public.customers=customer_id LONG;public.orders=order_id MONEY");
        Configuration config = Configuration.fromMap(raw);

        assertThatThrownBy(() -> DebeziumKafkaOptions.tableSchemas(config))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown type 'MONEY' of column 'order_id' of public.orders");
        assertThat(DebeziumKafkaOptions.problems(config).stream().filter(p -> p.contains("MONEY"))
                .collect(Collectors.toList())).hasSize(1);
    }
}
