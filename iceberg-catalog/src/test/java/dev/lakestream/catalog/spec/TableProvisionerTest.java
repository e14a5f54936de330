package dev.lakestream.catalog.spec;

import dev.lakestream.catalog.Layer;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableProvisionerTest {

    private InMemoryCatalog catalog;
    private TableProvisioner provisioner;

    @BeforeEach
    void openCatalog() {
        catalog = new InMemoryCatalog();
        catalog.initialize("test", Map.of());
        provisioner = new TableProvisioner(catalog);
    }

    private static TableSpec v1() {
        return TableSpec.builder(Layer.SILVER, "events")
                .schema(new Schema(
                        Types.NestedField.required(1, "id", Types.LongType.get()),
                        Types.NestedField.optional(2, "at", Types.TimestampType.withoutZone())))
                .partitioning(s -> PartitionSpec.builderFor(s).day("at").build())
                .build();
    }

    @Test
    void createsNamespaceAndTableFromTheSpec() {
        Table table = provisioner.ensure(v1());

        assertThat(catalog.namespaceExists(v1().identifier().namespace())).isTrue();
        assertThat(table.schema().sameSchema(v1().schema())).isTrue();
        assertThat(table.spec().fields()).hasSize(1);
        assertThat(table.spec().fields().get(0).transform().toString()).isEqualTo("day");
        assertThat(LakehouseTableRules.violations(table)).isEmpty();
    }

    @Test
    void keyedTablesGetTheirMainBranchBeforeAnyWriterRuns() {
        TableSpec keyed = dev.lakestream.catalog.tables.CurrentStateTable.spec("orders",
                java.util.List.of(org.apache.iceberg.types.Types.NestedField.required(1, "order_id",
                        org.apache.iceberg.types.Types.LongType.get())),
                java.util.List.of("order_id"), s -> org.apache.iceberg.PartitionSpec.unpartitioned());

        org.apache.iceberg.Table table = provisioner.ensure(keyed);
        provisioner.ensure(keyed);

        assertThat(table.refs()).containsKey(org.apache.iceberg.SnapshotRef.MAIN_BRANCH);
        assertThat(provisioner.ensure(v1()).refs()).as("append-only tables start without snapshots").isEmpty();
    }

    @Test
    void ensureIsIdempotent() {
        provisioner.ensure(v1());
        long snapshots = catalog.loadTable(v1().identifier()).history().size();

        Table again = provisioner.ensure(v1());

        assertThat(again.history()).hasSize((int) snapshots);
        assertThat(again.schema().columns()).hasSize(2);
    }

    @Test
    void addsNewDeclaredColumnsAsOptional() {
        provisioner.ensure(v1());
        TableSpec v2 =
                TableSpec.builder(Layer.SILVER, "events")
                        .schema(new Schema(
                                Types.NestedField.required(1, "id", Types.LongType.get()),
                                Types.NestedField.optional(2, "at", Types.TimestampType.withoutZone()),
                                Types.NestedField.required(3, "source", Types.StringType.get())))
                        .partitioning(s -> PartitionSpec.builderFor(s).day("at").build())
                        .build();

        Table table = provisioner.ensure(v2);

        assertThat(table.schema().findField("source")).isNotNull();
        assertThat(table.schema().findField("source").isOptional()).isTrue();
    }

    @Test
    void refusesAnIncompatibleTypeChangeNamingTheColumn() {
        provisioner.ensure(v1());
        TableSpec narrowed =
                TableSpec.builder(Layer.SILVER, "events")
                        .schema(new Schema(
                                Types.NestedField.required(1, "id", Types.IntegerType.get()),
                                Types.NestedField.optional(2, "at", Types.TimestampType.withoutZone())))
                        .build();

        assertThatThrownBy(() -> provisioner.ensure(narrowed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("silver.events")
                .hasMessageContaining("'id'")
                .hasMessageContaining("long")
                .hasMessageContaining("int");
    }

    @Test
    void restoresDeclaredPropertiesThatDrifted() {
        Table table = provisioner.ensure(v1());
        table.updateProperties().set("write.parquet.compression-codec", "snappy").commit();

        Table again = provisioner.ensure(v1());

        assertThat(again.properties()).containsEntry("write.parquet.compression-codec", "zstd");
    }
}
