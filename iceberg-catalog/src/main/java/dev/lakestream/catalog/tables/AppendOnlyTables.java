package dev.lakestream.catalog.tables;

import dev.lakestream.catalog.spec.TableSpec;

import org.apache.iceberg.TableProperties;

/** Table properties every append-only table we write shares (bronze, quarantine, silver events). */
final class AppendOnlyTables {

    private AppendOnlyTables() {}

    static TableSpec.Builder withProperties(TableSpec.Builder builder) {
        return builder
                // Streaming commits are small; compaction (table maintenance) brings files to this size.
                .property(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(256L * 1024 * 1024))
                .property(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
                .property(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100")
                .property("write.upsert.enabled", "false");
    }
}
