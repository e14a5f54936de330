package dev.lakestream.jobs.localrun;

import dev.lakestream.localservices.LocalServices;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the README's local run end to end on a small bounded volume. */
class LocalPipelineRunITCase {

    @Test
    void localRunFillsTheBronzeTablesAndReportsProgress(@TempDir Path workDir) throws Exception {
        LocalServices services = LocalServices.shared();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LocalPipelineRun.Options options = new LocalPipelineRun.Options()
                .orderEvents(2_000)
                .clickEvents(3_000)
                .fulfillmentEvents(1_000)
                .topicPrefix(services.uniqueName("localrun") + "_")
                .workDir(workDir);

        LocalPipelineRun.Summary summary =
                new LocalPipelineRun(new PrintStream(printed, true, StandardCharsets.UTF_8)).run(services, options);

        // Bronze per source (two topics, one stream), then silver and quarantine of two datasets.
        assertThat(summary.rowsPerTable).hasSize(7);
        assertThat(summary.rowsPerTable.values()).allSatisfy(rows -> assertThat(rows).isPositive());
        // Bronze drops nothing: malformed, null and oversized records included.
        assertThat(summary.bronzeRows).isEqualTo(summary.recordsProduced);
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output)
                .contains("records read: 6,000")
                .contains("(matches the tables)")
                .containsPattern("checkpoints completed: [1-9]")
                .contains("sample rows of")
                .contains("== Silver accounting (bronze = silver + quarantined + duplicates dropped)")
                .contains("OVERSIZED_PAYLOAD")
                .contains("== Warehouse: s3://");
    }
}
