package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.CdcTableSchema;
import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Row images as Debezium 1.9's MySQL connector emits them through Flink CDC 3.5 (seen on MariaDB 10.11). */
class ChangeRowConverterMySqlTest {

    private static final CdcTableSchema MYSQL_TYPES = new CdcTableSchema("shop.types", List.of(
            new Column("id", ColumnType.LONG, 0, 0, false, "bigint(20)"),
            new Column("big_u", ColumnType.DECIMAL, 20, 0, true, "bigint(20) unsigned"),
            new Column("flag", ColumnType.BOOLEAN, 0, 0, true, "tinyint(1)"),
            new Column("flag_bit", ColumnType.BOOLEAN, 0, 0, true, "bit(1)"),
            new Column("amount", ColumnType.DECIMAL, 12, 2, true, "decimal(12,2)"),
            new Column("dt", ColumnType.TIMESTAMP_LOCAL, 0, 0, true, "datetime"),
            new Column("dt3", ColumnType.TIMESTAMP_LOCAL, 3, 0, true, "datetime(3)"),
            new Column("dt6", ColumnType.TIMESTAMP_LOCAL, 6, 0, true, "datetime(6)"),
            new Column("ts", ColumnType.TIMESTAMP_UTC, 0, 0, true, "timestamp"),
            new Column("ts6", ColumnType.TIMESTAMP_UTC, 6, 0, true, "timestamp(6)"),
            new Column("day", ColumnType.DATE, 0, 0, true, "date")),
            List.of("id"));

    private static final String IMAGE = "{\"id\":1,\"big_u\":18446744073709551615,\"flag\":1,\"flag_bit\":true,"
            + "\"amount\":\"1234.50\",\"dt\":1772600767000,\"dt3\":1772600767123,\"dt6\":1772600767123456,"
            + "\"ts\":\"2026-03-04T05:06:07Z\",\"ts6\":\"2026-03-04T05:06:07.123456Z\",\"day\":10956}";

    private static GenericRowData convert(String image) throws ChangeRowConverter.ConversionException {
        return new ChangeRowConverter(MYSQL_TYPES).toRow(image, "c", "mysql:1.2.0", TimestampData.fromEpochMillis(0));
    }

    @Test
    void mysqlValuesBecomeTheirSilverTypes() throws Exception {
        GenericRowData row = convert(IMAGE);

        assertThat(row.getLong(0)).isEqualTo(1L);
        assertThat(row.getField(1)).isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("18446744073709551615"), 20, 0));
        assertThat(row.getField(2)).isEqualTo(true);
        assertThat(row.getField(3)).isEqualTo(true);
        assertThat(row.getField(4)).isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("1234.50"), 12, 2));
        // DATETIME is a wall-clock time, emitted as if it were UTC: millis up to 3 digits, micros above.
        assertThat(((TimestampData) row.getField(5)).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2026-03-04T05:06:07"));
        assertThat(((TimestampData) row.getField(6)).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2026-03-04T05:06:07.123"));
        assertThat(((TimestampData) row.getField(7)).toLocalDateTime())
                .isEqualTo(LocalDateTime.parse("2026-03-04T05:06:07.123456"));
        // TIMESTAMP is an instant, stored as UTC.
        assertThat(((TimestampData) row.getField(8)).toLocalDateTime()).isEqualTo(LocalDateTime.parse("2026-03-04T05:06:07"));
        assertThat(((TimestampData) row.getField(9)).toLocalDateTime())
                .isEqualTo(LocalDateTime.parse("2026-03-04T05:06:07.123456"));
        assertThat(row.getField(10)).isEqualTo((int) LocalDate.parse("1999-12-31").toEpochDay());
        assertThat(row.getField(11)).isEqualTo(StringData.fromString("c"));
    }

    @Test
    void aTinyintBooleanIsTrueWhenNonZeroAsInMySql() throws Exception {
        assertThat(convert(IMAGE.replace("\"flag\":1", "\"flag\":0")).getField(2)).isEqualTo(false);
        assertThat(convert(IMAGE.replace("\"flag\":1", "\"flag\":-3")).getField(2)).isEqualTo(true);
        assertThat(convert(IMAGE.replace("\"flag\":1", "\"flag\":null")).getField(2)).isNull();
    }

    @Test
    void aBooleanColumnStillRefusesText() {
        assertThatThrownBy(() -> convert(IMAGE.replace("\"flag\":1", "\"flag\":\"yes\"")))
                .isInstanceOf(ChangeRowConverter.ConversionException.class)
                .hasMessageContaining("flag (tinyint(1)) cannot hold string \"yes\"");
    }

    @Test
    void anUnsignedBigintBeyondTwentyDigitsDoesNotFit() {
        assertThatThrownBy(() -> convert(IMAGE.replace("18446744073709551615", "123456789012345678901")))
                .isInstanceOf(ChangeRowConverter.ConversionException.class)
                .hasMessageContaining("does not fit bigint(20) unsigned");
    }
}
