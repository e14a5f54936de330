package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.LakehouseTableRules;
import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * The streaming writers' dictionary limit reaches Iceberg's Parquet writer: a column whose
     * distinct values outgrow 64 KiB in a file is written plain (with Iceberg's default it keeps a
     * dictionary), a low-cardinality column keeps its dictionary.
     */
    @Test
    void streamingFilesKeepDictionariesOnlyForColumnsWithFewDistinctValues(@TempDir File dir) throws Exception {
        TableSpec spec = SilverEventTable.spec("fulfillment_events", EVENT, "event_ts");
        assertThat(spec.properties()).containsEntry(TableProperties.PARQUET_DICT_SIZE_BYTES, "65536");
        Map<String, String> withDefaults = new HashMap<>(spec.properties());
        withDefaults.remove(TableProperties.PARQUET_DICT_SIZE_BYTES);

        assertThat(ParquetTestFiles.dictionaryColumns(write(new File(dir, "silver.parquet"), spec, spec.properties())))
                .contains("units").doesNotContain("event_id");
        assertThat(ParquetTestFiles.dictionaryColumns(write(new File(dir, "default.parquet"), spec, withDefaults)))
                .contains("units", "event_id");
    }

    /** 6,000 rows: 2,000 event ids of 40 characters (about 88 KB of distinct values), each three times; 5 unit counts. */
    private static URI write(File file, TableSpec spec, Map<String, String> properties) throws Exception {
        return ParquetTestFiles.write(file, spec, properties, 6000, (i, row) -> {
            row.setField("event_id", String.format("evt-%036d", i % 2000));
            row.setField("units", i % 5);
            row.setField("event_ts", LocalDateTime.of(2026, 11, 22, 10, 0).plusSeconds(i));
            row.setField("source_name", "fulfillment");
            row.setField("source_partition", "0");
            row.setField("source_position", String.valueOf(i));
            row.setField("ingest_ts", LocalDateTime.of(2026, 11, 22, 10, 0).plusNanos(i * 1000L));
        });
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
