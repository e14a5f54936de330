package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SilverEventTableTest {

    private static final List<Types.NestedField> EVENT = List.of(
            Types.NestedField.required(100, "event_id", Types.StringType.get()),
            Types.NestedField.optional(101, "units", Types.IntegerType.get()),
            Types.NestedField.required(102, "event_ts", Types.TimestampType.withoutZone()));

    @Test
    void declaredColumnsComeFirstThenTheCommonOnes() {
        TableSpec spec = SilverEventTable.spec("fulfillment_events", EVENT, "event_ts");

        assertThat(spec.identifier().toString()).isEqualTo("silver.fulfillment_events");
        assertThat(spec.schema().columns().stream().map(Types.NestedField::name).collect(Collectors.toList()))
                .containsExactly("event_id", "units", "event_ts", "extra_fields", "source_name", "source_partition",
                        "source_position", "ingest_ts");
        assertThat(spec.schema().columns()).hasSize(EVENT.size() + SilverEventTable.TRAILING_COLUMNS);
        assertThat(spec.schema().findField("units").isOptional()).isTrue();
        assertThat(spec.schema().findColumnName(spec.partitionSpec().fields().get(0).sourceId())).isEqualTo("event_ts");
        assertThat(spec.partitionSpec().fields().get(0).transform().toString()).isEqualTo("day");
        assertThat(LakehouseTableRules.violations(spec.schema(), spec.partitionSpec(), spec.properties())).isEmpty();
    }

    @Test
    void theEventTimeMustBeARequiredTimestamp() {
        assertThatThrownBy(() -> SilverEventTable.spec("x", EVENT, "units"))
                .hasMessageContaining("event time column 'units' to be a required timestamp");
        assertThatThrownBy(() -> SilverEventTable.spec("x", EVENT, "nope")).hasMessageContaining("'nope'");
    }

    @Test
    void quarantineLivesInBronzeAndIsPartitionedByRejectionDay() {
        TableSpec spec = QuarantineTable.spec("clickstream_events");

        assertThat(spec.identifier().toString()).isEqualTo("bronze.clickstream_events_quarantine");
        assertThat(spec.schema().findField(QuarantineTable.RAW_PAYLOAD).type()).isEqualTo(Types.BinaryType.get());
        assertThat(spec.schema().findColumnName(spec.partitionSpec().fields().get(0).sourceId()))
                .isEqualTo(QuarantineTable.QUARANTINED_AT);
        assertThat(LakehouseTableRules.violations(spec.schema(), spec.partitionSpec(), spec.properties())).isEmpty();
    }
}
