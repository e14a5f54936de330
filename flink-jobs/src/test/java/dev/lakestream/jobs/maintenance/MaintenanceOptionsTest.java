package dev.lakestream.jobs.maintenance;

import dev.lakestream.catalog.Layer;
import dev.lakestream.catalog.maintenance.MaintenancePolicy;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.config.InvalidConfigurationException;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaintenanceOptionsTest {

    private static Map<String, String> base() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        return raw;
    }

    private static Configuration load(Map<String, String> raw) {
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, MaintenanceApplication.options()))
                .check(MaintenanceOptions::problems).configuration();
    }

    @Test
    void eachLayerHasItsOwnPolicyWithTheRestoreWindowAsDefault() {
        Map<String, String> raw = base();
        raw.put("maintenance.silver.expire-snapshots.max-age", "7 d");
        raw.put("maintenance.silver.compaction.target-file-size", "512 mb");
        raw.put("maintenance.gold.orphan-files.enabled", "false");
        raw.put("maintenance.bronze.expire-snapshots.retain-last", "3");
        Configuration config = load(raw);

        MaintenancePolicy bronze = MaintenanceOptions.policy(config, Layer.BRONZE);
        MaintenancePolicy silver = MaintenanceOptions.policy(config, Layer.SILVER);
        MaintenancePolicy gold = MaintenanceOptions.policy(config, Layer.GOLD);
        assertThat(bronze.retainLastSnapshots()).isEqualTo(3);
        assertThat(bronze.snapshotMaxAge()).isEqualTo(Duration.ofDays(3));
        assertThat(bronze.orphanMinAge()).isEqualTo(Duration.ofDays(3));
        assertThat(bronze.targetFileSizeBytes()).as("the table's own").isZero();
        assertThat(silver.snapshotMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(silver.targetFileSizeBytes()).isEqualTo(512L << 20);
        assertThat(gold.removeOrphanFiles()).isFalse();
        assertThat(gold.compaction()).isTrue();
        assertThat(MaintenanceOptions.all()).hasSize(24).allSatisfy(o -> assertThat(o.description().getBlocks()).isNotEmpty());
    }

    @Test
    void outOfRangeValuesStopTheRunNamingKeyAndAllowedValues() {
        Map<String, String> raw = base();
        raw.put("maintenance.bronze.orphan-files.min-age", "2 h");
        raw.put("maintenance.silver.compaction.target-file-size", "8 mb");
        raw.put("maintenance.gold.expire-snapshots.retain-last", "0");
        raw.put("maintenance.gold.compaction.min-input-files", "1");

        assertThatThrownBy(() -> load(raw)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'maintenance.bronze.orphan-files.min-age': allowed values are durations of at least 1 d")
                .hasMessageContaining("'maintenance.silver.compaction.target-file-size': allowed values are sizes from"
                        + " 128 mb to 512 mb")
                .hasMessageContaining("'maintenance.gold.expire-snapshots.retain-last': allowed values are whole numbers from 1")
                .hasMessageContaining("'maintenance.gold.compaction.min-input-files': allowed values are whole numbers from 2");
    }

    @Test
    void aMisspelledKeyIsRejectedWithASuggestionAndTheIngestionJobTakesNone() {
        Map<String, String> raw = base();
        raw.put("maintenance.silver.expire-snapshot.max-age", "1 d");
        assertThatThrownBy(() -> load(raw)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("did you mean 'maintenance.silver.expire-snapshots.max-age'?");

        Map<String, String> ingestion = base();
        ingestion.put("maintenance.silver.expire-snapshots.max-age", "1 d");
        assertThatThrownBy(() -> PipelineConfig.fromMap(ingestion, IngestionPipeline.options()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unknown key 'maintenance.silver.expire-snapshots.max-age'");
    }
}
