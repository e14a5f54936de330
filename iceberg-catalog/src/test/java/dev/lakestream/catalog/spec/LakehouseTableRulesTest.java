package dev.lakestream.catalog.spec;

import dev.lakestream.catalog.Layer;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakehouseTableRulesTest {

    private static Schema schemaWith(Types.NestedField field) {
        return new Schema(Types.NestedField.required(1, "id", Types.LongType.get()), field);
    }

    @Test
    void specsGetFormatV2ParquetZstdByDefault() {
        TableSpec spec =
                TableSpec.builder(Layer.SILVER, "t")
                        .schema(schemaWith(Types.NestedField.optional(2, "at", Types.TimestampType.withoutZone())))
                        .build();

        assertThat(spec.properties())
                .containsEntry("format-version", "2")
                .containsEntry("write.format.default", "parquet")
                .containsEntry("write.parquet.compression-codec", "zstd");
        assertThat(spec.identifier().toString()).isEqualTo("silver.t");
    }

    @Test
    void typesAthenaOrRedshiftCannotReadAreRejected() {
        assertThatThrownBy(() -> spec(Types.NestedField.optional(2, "h", Types.FixedType.ofLength(16))))
                .hasMessageContaining("column 'h' has type fixed");
        assertThatThrownBy(() -> spec(Types.NestedField.optional(2, "u", Types.UUIDType.get())))
                .hasMessageContaining("column 'u' has type uuid");
        assertThatThrownBy(() -> spec(Types.NestedField.optional(2, "t", Types.TimeType.get())))
                .hasMessageContaining("column 't' has type time");
        assertThatThrownBy(() -> spec(Types.NestedField.optional(2, "z", Types.TimestampType.withZone())))
                .hasMessageContaining("column 'z' has type timestamptz");
    }

    @Test
    void unreadableTypesNestedInListsAreFoundToo() {
        Types.NestedField nested =
                Types.NestedField.optional(
                        2,
                        "items",
                        Types.ListType.ofOptional(
                                3, Types.StructType.of(Types.NestedField.optional(4, "sku", Types.UUIDType.get()))));
        assertThatThrownBy(() -> spec(nested)).hasMessageContaining("'items.element.sku' has type uuid");
    }

    @Test
    void formatVersionAndCodecAreChecked() {
        Map<String, String> props = new HashMap<>(LakehouseTableRules.REQUIRED_PROPERTIES);
        props.put("format-version", "3");
        props.put("write.parquet.compression-codec", "lz4");
        props.put("write.format.default", "orc");

        assertThat(LakehouseTableRules.violations(
                        schemaWith(Types.NestedField.optional(2, "s", Types.StringType.get())),
                        PartitionSpec.unpartitioned(),
                        props))
                .hasSize(3)
                .anySatisfy(v -> assertThat(v).contains("format-version is 3"))
                .anySatisfy(v -> assertThat(v).contains("compression-codec is lz4"))
                .anySatisfy(v -> assertThat(v).contains("write.format.default is orc"));
    }

    @Test
    void badTableNamesAreRejectedWithTheRule() {
        assertThatThrownBy(() -> TableSpec.builder(Layer.BRONZE, "Orders-Events"))
                .hasMessageContaining("[a-z][a-z0-9_]*");
    }

    private static TableSpec spec(Types.NestedField field) {
        return TableSpec.builder(Layer.GOLD, "g").schema(schemaWith(field)).build();
    }
}
