package dev.lakestream.jobs.sink;

import dev.lakestream.cdc.mysql.MySqlCdcOptions;
import dev.lakestream.cdc.postgres.PostgresCdcOptions;
import dev.lakestream.jobs.cdc.kafka.DebeziumKafkaOptions;
import dev.lakestream.jobs.gold.GoldOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.iceberg.SnapshotRef;

import java.util.ArrayList;
import java.util.List;

/** Where the Iceberg sinks commit. Property group {@code sink} on MSF. */
public final class SinkOptions {

    public static final ConfigOption<String> BRANCH =
            ConfigOptions.key("sink.branch")
                    .stringType()
                    .defaultValue(SnapshotRef.MAIN_BRANCH)
                    .withDescription(
                            "Iceberg branch every table is written to. main for the live pipeline; a backfill writes to a"
                                    + " branch of its own (created from main at start when missing), which BackfillApplication"
                                    + " checks and publishes to main. Records main already holds are skipped. Bronze and"
                                    + " silver event tables only: needs gold.enabled=false and no CDC source.");

    private SinkOptions() {}

    public static List<ConfigOption<?>> all() {
        return List.of(BRANCH);
    }

    /** Whether the tables are written to a branch other than main. */
    public static boolean writesToBranch(ReadableConfig config) {
        return !SnapshotRef.MAIN_BRANCH.equals(config.get(BRANCH));
    }

    /** Cross-field rules, for {@link dev.lakestream.jobs.config.PipelineConfig#check}. */
    public static List<String> problems(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        String branch = config.get(BRANCH);
        if (branch.isBlank() || !branch.matches("[A-Za-z0-9_.-]+")) {
            problems.add("invalid value for key '" + BRANCH.key() + "': a branch name of letters, digits, '_', '.' and '-',"
                    + " got '" + branch + "'");
            return problems;
        }
        if (!writesToBranch(config)) {
            return problems;
        }
        if (config.get(GoldOptions.ENABLED)) {
            problems.add("key '" + BRANCH.key() + "' = " + branch + " needs '" + GoldOptions.ENABLED.key() + "' = false:"
                    + " gold tables are upserted and recomputed, so a backfill branch of them cannot be published onto main");
        }
        if (!PostgresCdcOptions.tables(config).isEmpty() || !MySqlCdcOptions.tables(config).isEmpty()
                || !DebeziumKafkaOptions.topics(config).isEmpty()) {
            problems.add("key '" + BRANCH.key() + "' = " + branch + " cannot be combined with CDC sources ('"
                    + PostgresCdcOptions.TABLES.key() + "', '" + MySqlCdcOptions.TABLES.key() + "', '"
                    + DebeziumKafkaOptions.TOPICS.key() + "'): current-state tables are replayed from the source's own"
                    + " snapshot, not backfilled into a branch");
        }
        return problems;
    }
}
