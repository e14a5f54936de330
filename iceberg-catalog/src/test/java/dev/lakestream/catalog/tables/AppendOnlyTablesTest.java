package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class AppendOnlyTablesTest {

    @Test
    void onlyDocumentColumnsAreWrittenWithoutStatistics() {
        List<Types.NestedField> clicks = List.of(
                Types.NestedField.required(1, "event_id", Types.StringType.get()),
                Types.NestedField.required(2, "event_ts", Types.TimestampType.withoutZone()));

        assertThat(withoutStatistics(BronzeKafkaTable.spec("orders"))).containsExactly(BronzeKafkaTable.RECORD_VALUE);
        assertThat(withoutStatistics(BronzeKinesisTable.spec("clicks"))).containsExactly(BronzeKinesisTable.RECORD_DATA);
        assertThat(withoutStatistics(CdcChangelogTable.spec("public.orders", "")))
                .containsExactlyInAnyOrder(CdcChangelogTable.BEFORE, CdcChangelogTable.AFTER, CdcChangelogTable.ENVELOPE);
        assertThat(withoutStatistics(QuarantineTable.spec("clickstream_events"))).containsExactly(QuarantineTable.RAW_PAYLOAD);
        assertThat(withoutStatistics(SilverEventTable.spec("clickstream_events", clicks, "event_ts")))
                .containsExactly(SilverEventTable.EXTRA_FIELDS);
    }

    /** The columns a spec turns statistics off for; each must be a column of its schema, or Parquet ignores it. */
    private static List<String> withoutStatistics(TableSpec spec) {
        String prefix = TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX;
        List<String> columns = spec.properties().entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix))
                .peek(e -> assertThat(e.getValue()).isEqualTo("false"))
                .map(Map.Entry::getKey)
                .map(k -> k.substring(prefix.length()))
                .collect(Collectors.toList());
        columns.forEach(c -> assertThat(spec.schema().findField(c)).as("column %s of %s", c, spec.identifier()).isNotNull());
        return columns;
    }
}
