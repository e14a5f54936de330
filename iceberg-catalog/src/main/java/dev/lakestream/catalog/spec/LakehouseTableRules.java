package dev.lakestream.catalog.spec;

import org.apache.iceberg.BaseTable;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Amazon Athena (engine v3) and Amazon Redshift Spectrum can read, as checks on table
 * metadata: Iceberg format v2, Parquet with zstd/snappy/gzip, no {@code fixed}, {@code uuid} or
 * {@code time} columns, timestamps without zone (holding UTC), and only partition transforms Athena
 * understands. Trino, our local stand-in reader, accepts more than Athena does, so these rules are
 * checked on the metadata directly.
 */
public final class LakehouseTableRules {

    /** Properties every table carries unless a spec overrides them with another allowed value. */
    public static final Map<String, String> REQUIRED_PROPERTIES =
            Map.of(
                    TableProperties.FORMAT_VERSION, "2",
                    TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                    TableProperties.PARQUET_COMPRESSION, "zstd");

    private static final Set<String> READABLE_CODECS = Set.of("zstd", "snappy", "gzip");
    private static final Set<String> READABLE_TRANSFORMS =
            Set.of("identity", "year", "month", "day", "hour", "bucket", "truncate", "void");

    private LakehouseTableRules() {}

    /** Violations of the rules by a declared schema, partitioning and properties; empty when readable. */
    public static List<String> violations(Schema schema, PartitionSpec spec, Map<String, String> properties) {
        List<String> violations = new ArrayList<>();
        String version = properties.get(TableProperties.FORMAT_VERSION);
        if (!"2".equals(version)) {
            violations.add("format-version is " + version + ", Athena and Redshift need 2");
        }
        String format = properties.getOrDefault(TableProperties.DEFAULT_FILE_FORMAT, "parquet");
        if (!"parquet".equalsIgnoreCase(format)) {
            violations.add("write.format.default is " + format + ", Redshift reads only parquet");
        }
        String codec = properties.get(TableProperties.PARQUET_COMPRESSION);
        if (codec == null || !READABLE_CODECS.contains(codec.toLowerCase())) {
            violations.add("write.parquet.compression-codec is " + codec + ", allowed: " + READABLE_CODECS);
        }
        for (Types.NestedField field : TypeUtil.indexById(schema.asStruct()).values()) {
            String unreadable = unreadableType(field.type());
            if (unreadable != null) {
                violations.add("column '" + schema.findColumnName(field.fieldId()) + "' has type " + unreadable);
            }
        }
        for (PartitionField field : spec.fields()) {
            String transform = field.transform().toString().replaceAll("\\[.*", "");
            if (!READABLE_TRANSFORMS.contains(transform)) {
                violations.add("partition field '" + field.name() + "' uses transform " + field.transform()
                        + ", Athena reads only " + READABLE_TRANSFORMS);
            }
        }
        return violations;
    }

    /** Violations of the rules by an existing table, read from its current metadata. */
    public static List<String> violations(Table table) {
        List<String> violations =
                new ArrayList<>(violations(table.schema(), table.spec(), table.properties()));
        // format-version is not a table property once a table exists: read it from the metadata.
        violations.removeIf(v -> v.startsWith("format-version"));
        if (table instanceof BaseTable) {
            int version = ((BaseTable) table).operations().current().formatVersion();
            if (version != 2) {
                violations.add("format-version is " + version + ", Athena and Redshift need 2");
            }
        }
        return violations;
    }

    static void requireReadable(
            String table, Schema schema, PartitionSpec spec, Map<String, String> properties) {
        List<String> violations = violations(schema, spec, properties);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(
                    "Table " + table + " would not be readable by Athena/Redshift: " + String.join("; ", violations));
        }
    }

    private static String unreadableType(Type type) {
        switch (type.typeId()) {
            case FIXED:
                return "fixed (use binary: Flink BYTES, never BINARY(n))";
            case UUID:
                return "uuid (store UUIDs as strings)";
            case TIME:
                return "time (store a timestamp or a string)";
            case TIMESTAMP:
                return ((Types.TimestampType) type).shouldAdjustToUTC()
                        ? "timestamptz (use timestamp without zone holding UTC)"
                        : null;
            case TIMESTAMP_NANO:
                return "timestamp_ns (format v3 only)";
            case VARIANT:
            case GEOMETRY:
            case GEOGRAPHY:
            case UNKNOWN:
                return type + " (format v3 only)";
            default:
                return null;
        }
    }
}
