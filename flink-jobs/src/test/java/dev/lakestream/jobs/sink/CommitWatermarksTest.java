package dev.lakestream.jobs.sink;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.inmemory.InMemoryFileIO;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommitWatermarksTest {

    private static final String JOB = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path warehouse;

    private FileIO io;
    private String directory;

    @BeforeEach
    void setUp() {
        io = new HadoopFileIO(new Configuration());
        directory = warehouse.toUri().toString() + "t/metadata/lakestream-watermarks";
    }

    private void stamp(String job, long checkpoint, int subtask, int parallelism, long watermark) throws IOException {
        CommitWatermarks.write(io, CommitWatermarks.stampPath(directory, job, checkpoint, subtask, parallelism), watermark);
    }

    @Test
    void stampsLiveInOneDirectoryPerJobAndCheckpoint() {
        assertThat(CommitWatermarks.stampPath("s3://b/gold/t/metadata/lakestream-watermarks/", JOB, 12, 3, 4))
                .isEqualTo("s3://b/gold/t/metadata/lakestream-watermarks/" + JOB + "/12/3-of-4");
    }

    @Test
    void summaryIsAnIsoInstantAndEpochMillisNothingBeforeTheFirstWatermarkAndAWordAtTheEnd() {
        assertThat(CommitWatermarks.summary(1_795_169_700_000L)).containsExactly(
                Map.entry(CommitWatermarks.WATERMARK, "2026-11-20T10:15:00Z"),
                Map.entry(CommitWatermarks.WATERMARK_MS, "1795169700000"));
        assertThat(CommitWatermarks.summary(1_795_169_699_999L)).containsEntry(CommitWatermarks.WATERMARK,
                "2026-11-20T10:14:59.999Z");
        assertThat(CommitWatermarks.summary(Long.MIN_VALUE)).isEmpty();
        assertThat(CommitWatermarks.summary(Long.MAX_VALUE)).containsExactly(
                Map.entry(CommitWatermarks.WATERMARK, "end-of-input"),
                Map.entry(CommitWatermarks.WATERMARK_MS, "9223372036854775807"));
    }

    @Test
    void theWatermarkOfACheckpointIsTheMinimumOverAllSubtasks() throws IOException {
        stamp(JOB, 3, 0, 3, 5_000);
        stamp(JOB, 3, 1, 3, 4_000);
        stamp(JOB, 3, 2, 3, 6_000);
        stamp(JOB, 31, 0, 1, 1_000);
        stamp("another-job", 3, 0, 1, 1_000);

        CommitWatermarks.Read read = CommitWatermarks.read(io, directory, JOB, 3);

        assertThat(read.problem()).isNull();
        assertThat(read.watermark()).hasValue(4_000);
    }

    @Test
    void aSubtaskWithoutWatermarkMakesTheCheckpointHaveNone() throws IOException {
        stamp(JOB, 3, 0, 2, 5_000);
        stamp(JOB, 3, 1, 2, Long.MIN_VALUE);

        assertThat(CommitWatermarks.read(io, directory, JOB, 3).watermark()).hasValue(Long.MIN_VALUE);
    }

    @Test
    void aMissingStampIsAProblemNamingTheSubtask() throws IOException {
        stamp(JOB, 3, 0, 3, 5_000);
        stamp(JOB, 3, 2, 3, 5_000);

        CommitWatermarks.Read read = CommitWatermarks.read(io, directory, JOB, 3);

        assertThat(read.watermark()).isEmpty();
        assertThat(read.problem()).contains("stamps of subtasks [1] of 3 missing");
    }

    @Test
    void noStampAtAllIsAProblem() {
        CommitWatermarks.Read read = CommitWatermarks.read(io, directory, JOB, 3);

        assertThat(read.watermark()).isEmpty();
        assertThat(read.problem()).startsWith("no stamp under ");
    }

    @Test
    void stampsOfTwoParallelismsAreAmbiguous() throws IOException {
        stamp(JOB, 3, 0, 1, 5_000);
        stamp(JOB, 3, 0, 2, 5_000);
        stamp(JOB, 3, 1, 2, 5_000);

        assertThat(CommitWatermarks.read(io, directory, JOB, 3).problem()).contains("stamps of parallelisms [1, 2]");
    }

    @Test
    void anUnreadableStampIsAProblem() throws IOException {
        stamp(JOB, 3, 0, 2, 5_000);
        Path broken = Path.of(java.net.URI.create(CommitWatermarks.stampPath(directory, JOB, 3, 1, 2)));
        Files.writeString(broken, "five");

        CommitWatermarks.Read read = CommitWatermarks.read(io, directory, JOB, 3);

        assertThat(read.watermark()).isEmpty();
        assertThat(read.problem()).contains("cannot read stamp").contains("five");
    }

    @Test
    void deletesTheStampsOfCommittedAndAbandonedCheckpointsAndOtherJobsOnlyOnceTheyAreOld() throws IOException {
        stamp(JOB, 2, 0, 1, 1);
        stamp(JOB, 9, 0, 2, 1);
        stamp(JOB, 9, 1, 2, 1);
        stamp(JOB, 10, 0, 2, 1);
        stamp("another-job", 9, 0, 1, 1);
        long now = System.currentTimeMillis();

        assertThat(CommitWatermarks.deleteObsolete(io, directory, JOB, 9, now)).isEqualTo(3);

        assertThat(CommitWatermarks.read(io, directory, JOB, 9).problem()).startsWith("no stamp");
        assertThat(CommitWatermarks.read(io, directory, JOB, 2).problem()).startsWith("no stamp");
        assertThat(io.newInputFile(CommitWatermarks.stampPath(directory, JOB, 10, 0, 2)).exists()).isTrue();
        assertThat(CommitWatermarks.read(io, directory, "another-job", 9).watermark()).as("a recent run's stamp").hasValue(1);

        long later = now + CommitWatermarks.OTHER_JOBS_RETENTION.toMillis() + 60_000;
        assertThat(CommitWatermarks.deleteObsolete(io, directory, JOB, 9, later)).isEqualTo(1);
        assertThat(CommitWatermarks.read(io, directory, "another-job", 9).problem()).startsWith("no stamp");
        assertThat(io.newInputFile(CommitWatermarks.stampPath(directory, JOB, 10, 0, 2)).exists()).isTrue();
        assertThat(CommitWatermarks.deleteObsolete(new HadoopFileIO(new Configuration()),
                warehouse.toUri() + "none/metadata/lakestream-watermarks", JOB, 9, now)).isZero();
    }

    @Test
    void aFileIoThatCannotListFailsTheJobBuild() {
        assertThatThrownBy(() -> CommitWatermarks.requireListing(new InMemoryFileIO(), "gold.t"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gold.t")
                .hasMessageContaining(InMemoryFileIO.class.getName())
                .hasMessageContaining("SupportsPrefixOperations");
        CommitWatermarks.requireListing(io, "gold.t");
    }
}
