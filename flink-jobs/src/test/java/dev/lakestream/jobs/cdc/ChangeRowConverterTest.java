package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Debezium JSON values (PostgreSQL connector, decimals as strings) to silver columns. */
class ChangeRowConverterTest {

    private static final CdcTableSchema TABLE = new CdcTableSchema("public.t", List.of(
            new Column("id", ColumnType.LONG, 0, 0, false, "bigint"),
            new Column("n", ColumnType.INT, 0, 0, true, "integer"),
            new Column("amount", ColumnType.DECIMAL, 12, 2, true, "numeric(12,2)"),
            new Column("name", ColumnType.STRING, 0, 0, true, "text"),
            new Column("at_utc", ColumnType.TIMESTAMP_UTC, 6, 0, true, "timestamptz"),
            new Column("at_local", ColumnType.TIMESTAMP_LOCAL, 6, 0, true, "timestamp"),
            new Column("at_millis", ColumnType.TIMESTAMP_LOCAL, 3, 0, true, "timestamp(3)"),
            new Column("day", ColumnType.DATE, 0, 0, true, "date"),
            new Column("ok", ColumnType.BOOLEAN, 0, 0, true, "boolean"),
            new Column("ratio", ColumnType.DOUBLE, 0, 0, true, "double precision")), List.of("id"));

    private static final ChangeRowConverter CONVERTER = new ChangeRowConverter(TABLE);

    @Test
    void everyTypeAsThePostgresConnectorWritesIt() throws Exception {
        GenericRowData row = CONVERTER.toRow("{\"id\":7,\"n\":3,\"amount\":\"12.30\",\"name\":\"x\","
                + "\"at_utc\":\"2026-11-20T09:00:00.123456Z\",\"at_local\":1763629200123456,\"at_millis\":1763629200123,"
                + "\"day\":20412,\"ok\":true,\"ratio\":0.5}", "u", "pg:1", TimestampData.fromEpochMillis(5));

        assertThat(row.getLong(0)).isEqualTo(7L);
        assertThat(row.getInt(1)).isEqualTo(3);
        assertThat(row.getDecimal(2, 12, 2).toBigDecimal()).isEqualTo(new BigDecimal("12.30"));
        assertThat(row.getString(3).toString()).isEqualTo("x");
        assertThat(row.getTimestamp(4, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2026-11-20T09:00:00.123456"));
        assertThat(row.getTimestamp(5, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2025-11-20T09:00:00.123456"));
        assertThat(row.getTimestamp(6, 6).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2025-11-20T09:00:00.123"));
        assertThat(LocalDate.ofEpochDay(row.getInt(7))).isEqualTo(LocalDate.parse("2025-11-20"));
        assertThat(row.getBoolean(8)).isTrue();
        assertThat(row.getDouble(9)).isEqualTo(0.5);
        assertThat(row.getString(10).toString()).isEqualTo("u");
        assertThat(row.getString(11).toString()).isEqualTo("pg:1");
    }

    @Test
    void absentOrNullColumnsAreNullButTheKeyIsRequired() throws Exception {
        GenericRowData row = CONVERTER.toRow("{\"id\":7,\"n\":null}", "c", "pg:1", null);

        assertThat(row.isNullAt(1)).isTrue();
        assertThat(row.isNullAt(3)).isTrue();
        assertThatThrownBy(() -> CONVERTER.toRow("{\"n\":1}", "c", "pg:1", null))
                .isInstanceOfSatisfying(ChangeRowConverter.ConversionException.class,
                        e -> assertThat(e.column()).isEqualTo("id"));
    }

    @Test
    void textThatStillHoldsAWholeNumberFitsAWholeNumberColumn() throws Exception {
        assertThat(CONVERTER.toRow("{\"id\":\"7\",\"n\":\" 3 \"}", "u", "pg:1", null).getLong(0)).isEqualTo(7L);
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":\"guest-7\"}", "u", "pg:1", null))
                .hasMessageContaining("id (bigint) cannot hold string \"guest-7\"");
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":1,\"n\":\"3000000000\"}", "u", "pg:1", null))
                .hasMessageContaining("n (integer) cannot hold string");
    }

    @Test
    void valuesThatDoNotFitNameTheColumn() {
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":\"seven\"}", "c", "pg:1", null))
                .hasMessageContaining("id (bigint) cannot hold string \"seven\"");
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":1,\"amount\":\"1.234\"}", "c", "pg:1", null))
                .hasMessageContaining("amount 1.234 has more than the 2 decimal places of numeric(12,2)");
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":1,\"amount\":\"12345678901.00\"}", "c", "pg:1", null))
                .hasMessageContaining("does not fit numeric(12,2)");
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":1,\"n\":3000000000}", "c", "pg:1", null))
                .hasMessageContaining("n (integer) cannot hold number 3000000000");
        assertThatThrownBy(() -> CONVERTER.toRow("{\"id\":1,\"at_utc\":\"yesterday\"}", "c", "pg:1", null))
                .hasMessageContaining("at_utc (timestamptz)");
    }
}
