package dev.lakestream.cdc.mysql;

import dev.lakestream.cdc.CdcTableSchema.Column;
import dev.lakestream.cdc.CdcTableSchema.ColumnType;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlTableSchemasTest {

    private static Column column(String dataType, String columnType) {
        return MySqlTableSchemas.column("c", dataType, columnType, 0, 0, 0, true);
    }

    @Test
    void integersMapToTheSmallestTypeHoldingTheirRange() {
        assertThat(column("bigint", "bigint(20)").type()).isEqualTo(ColumnType.LONG);
        assertThat(column("int", "int(11)").type()).isEqualTo(ColumnType.INT);
        assertThat(column("int", "int(10) unsigned").type()).isEqualTo(ColumnType.LONG);
        assertThat(column("mediumint", "mediumint(8) unsigned").type()).isEqualTo(ColumnType.INT);
        assertThat(column("smallint", "smallint(5) unsigned").type()).isEqualTo(ColumnType.INT);
        assertThat(column("tinyint", "tinyint(4)").type()).isEqualTo(ColumnType.INT);
        assertThat(column("tinyint", "tinyint(3) unsigned").type()).isEqualTo(ColumnType.INT);
        assertThat(column("year", "year(4)").type()).isEqualTo(ColumnType.INT);
    }

    @Test
    void bigintUnsignedIsADecimalOfTwentyDigits() {
        Column c = column("bigint", "bigint(20) unsigned");

        assertThat(c.type()).isEqualTo(ColumnType.DECIMAL);
        assertThat(c.precision()).isEqualTo(20);
        assertThat(c.scale()).isZero();
    }

    @Test
    void tinyintOfWidthOneAndBitOfOneAreBooleans() {
        assertThat(column("tinyint", "tinyint(1)").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(column("tinyint", "tinyint(1) unsigned").type()).isEqualTo(ColumnType.INT);
        assertThat(column("boolean", "boolean").type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(MySqlTableSchemas.column("c", "bit", "bit(1)", 1, 0, 0, true).type()).isEqualTo(ColumnType.BOOLEAN);
        assertThat(MySqlTableSchemas.column("c", "bit", "bit(5)", 5, 0, 0, true).type()).isEqualTo(ColumnType.STRING);
    }

    @Test
    void decimalsKeepPrecisionAndScaleUpTo38Digits() {
        Column total = MySqlTableSchemas.column("total", "decimal", "decimal(12,2)", 12, 2, 0, false);

        assertThat(total.type()).isEqualTo(ColumnType.DECIMAL);
        assertThat(total.precision()).isEqualTo(12);
        assertThat(total.scale()).isEqualTo(2);
        assertThat(total.nullable()).isFalse();
        assertThat(total.sourceType()).isEqualTo("decimal(12,2)");
        assertThat(MySqlTableSchemas.column("c", "decimal", "decimal(38,10)", 38, 10, 0, true).type())
                .isEqualTo(ColumnType.DECIMAL);
        assertThat(MySqlTableSchemas.column("c", "decimal", "decimal(50,10)", 50, 10, 0, true).type())
                .isEqualTo(ColumnType.STRING);
    }

    @Test
    void timestampIsAnInstantAndDatetimeAWallClockTimeWithTheirFractionDigits() {
        Column timestamp = MySqlTableSchemas.column("c", "timestamp", "timestamp(6)", 0, 0, 6, true);
        Column datetime = MySqlTableSchemas.column("c", "datetime", "datetime(3)", 0, 0, 3, true);

        assertThat(timestamp.type()).isEqualTo(ColumnType.TIMESTAMP_UTC);
        assertThat(timestamp.precision()).isEqualTo(6);
        assertThat(datetime.type()).isEqualTo(ColumnType.TIMESTAMP_LOCAL);
        assertThat(datetime.precision()).isEqualTo(3);
        assertThat(MySqlTableSchemas.column("c", "datetime", "datetime", 0, 0, 0, true).precision()).isZero();
        assertThat(column("date", "date").type()).isEqualTo(ColumnType.DATE);
    }

    @Test
    void floatingPointAndTextTypes() {
        assertThat(column("double", "double").type()).isEqualTo(ColumnType.DOUBLE);
        assertThat(column("real", "double").type()).isEqualTo(ColumnType.DOUBLE);
        assertThat(column("float", "float").type()).isEqualTo(ColumnType.FLOAT);
        for (String[] text : new String[][] {{"varchar", "varchar(255)"}, {"char", "char(2)"}, {"text", "text"},
                {"longtext", "longtext"}, {"enum", "enum('a','b')"}, {"json", "json"}, {"time", "time"},
                {"varbinary", "varbinary(4)"}}) {
            assertThat(column(text[0], text[1]).type()).as(text[1]).isEqualTo(ColumnType.STRING);
        }
    }
}
