package dev.lakestream.jobs.sink;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.FileIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class WatermarkStampTest {

    @TempDir
    Path warehouse;

    @Test
    void forwardsEverythingAndStampsEachCheckpointWithTheWatermarkSeenSoFar() throws Exception {
        String directory = warehouse.toUri() + "t/metadata/lakestream-watermarks";
        FileIO reader = new HadoopFileIO(new Configuration());
        try (OneInputStreamOperatorTestHarness<String, String> harness = new OneInputStreamOperatorTestHarness<>(
                new WatermarkStamp<>(new HadoopFileIO(new Configuration()), directory), 128, 2, 1)) {
            harness.open();
            String job = harness.getEnvironment().getJobID().toString();

            harness.snapshot(6, 0);
            harness.processElement("a", 5);
            harness.processWatermark(new Watermark(1_000));
            harness.processElement("b", 1_200);
            harness.snapshot(7, 0);
            harness.processWatermark(new Watermark(2_000));

            assertThat(harness.getOutput()).containsExactly(new StreamRecord<>("a", 5), new Watermark(1_000),
                    new StreamRecord<>("b", 1_200), new Watermark(2_000));
            assertThat(content(reader, CommitWatermarks.stampPath(directory, job, 6, 1, 2)))
                    .isEqualTo(Long.toString(Long.MIN_VALUE));
            assertThat(content(reader, CommitWatermarks.stampPath(directory, job, 7, 1, 2))).isEqualTo("1000");
        }
    }

    private static String content(FileIO io, String path) throws Exception {
        try (var in = io.newInputFile(path).newStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
