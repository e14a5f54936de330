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

    static TableSpec.Builder withProperties(TableSpec.Builder builder) {
        return builder
                // Streaming commits are small; compaction (table maintenance) brings files to this size.
                .property(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(256L * 1024 * 1024))
                .property(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
                .property(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100")
                .property(TableProperties.PARQUET_DICT_SIZE_BYTES, String.valueOf(STREAMING_DICTIONARY_BYTES))
                .property("write.upsert.enabled", "false");
    }
}
