package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;

/** Table properties every append-only table we write shares (bronze, quarantine, silver events). */
final class AppendOnlyTables {

    /**
     * Parquet dictionary limit per column chunk of the files streaming writers make (Iceberg's
     * default: 2 MiB). A checkpoint's files hold a few seconds of rows, so a unique column (event
     * id, position, timestamp) never outgrew 2 MiB: its every value was hashed into a dictionary
     * that the writer then found no smaller than plain and threw away (Parquet encoding was 5.5% of
     * the full pipeline's CPU). At 64 KiB such a column goes plain after a few thousand values, while
     * low-cardinality columns (types, statuses, codes) keep their dictionary: the full pipeline used
     * 0.90 of the CPU per record in an A/B run. Compaction writes its files with Iceberg's default
     * (see {@code DataFileCompaction}), so what readers scan for long keeps the larger dictionaries.
     */
    static final int STREAMING_DICTIONARY_BYTES = 64 * 1024;

    private AppendOnlyTables() {}

    /**
     * The append-only properties, and Parquet's column statistics (min, max, null count, page index)
     * off for {@code documentColumns}: columns that hold documents, raw payloads and JSON text. No
     * query prunes a file or page by the min and max of a payload, yet the writer compared every
     * value against both, byte by byte from the shared opening {@code {"event_id":"}: 2.5% of the
     * full pipeline's CPU went to Parquet's min/max comparisons, most of it on these columns. The
     * other columns keep their statistics, and Iceberg's manifests then simply hold no bounds for
     * these (Iceberg keeps only a 16-byte prefix of them anyway).
     */
    static TableSpec.Builder withProperties(TableSpec.Builder builder, String... documentColumns) {
        for (String column : documentColumns) {
            builder.property(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + column, "false");
        }
        return builder
                // Streaming commits are small; compaction (table maintenance) brings files to this size.
                .property(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(256L * 1024 * 1024))
                .property(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
                .property(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100")
                .property(TableProperties.PARQUET_DICT_SIZE_BYTES, String.valueOf(STREAMING_DICTIONARY_BYTES))
                .property("write.upsert.enabled", "false");
    }
}
