package dev.lakestream.jobs;

import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.kafka.KafkaBronzeSources;
import dev.lakestream.jobs.bronze.kinesis.KinesisBronzeSources;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.TableSink;

import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watermark strategy each source of the job graph is built with (read back from its {@code
 * env.fromSource} transformation, where Flink reads the alignment parameters): Kafka sources join
 * the alignment group when one is configured, Kinesis sources never do (their reader cannot pause
 * shards), and sources gold does not read get no watermarks.
 */
class IngestionJobWatermarksTest {

    private static final String CLICKS = "clickstream";
    private static final String ORDERS = "orders";
    private static final String FULFILLMENT_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/fulfillment";

    private static Configuration config(Map<String, String> extra) {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:1");
        raw.put("kafka.topics", CLICKS + ";" + ORDERS);
        raw.put("kinesis.streams", FULFILLMENT_ARN);
        raw.put("silver.clickstream.source", CLICKS);
        raw.put("silver.fulfillment-events.source", "fulfillment");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1:1/none");
        raw.put("catalog.warehouse", "s3://nowhere/warehouse");
        raw.putAll(extra);
        return IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
    }

    /** The watermark strategy of every bronze source, by source name, as the job graph holds it. */
    private static Map<String, WatermarkStrategy<?>> strategies(Configuration config) {
        Map<String, DataStream<RowData>> written = new HashMap<>();
        TableSink sink = (table, rows) -> {
            written.put(table.identifier().toString(), rows);
            return rows.sinkTo(new DiscardingSink<>());
        };
        CurrentStateSink noCdc = (table, changes, records) -> {
            throw new AssertionError("no CDC configured");
        };
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IngestionPipeline.job(config, sink, noCdc).addTo(env);

        Map<String, WatermarkStrategy<?>> out = new HashMap<>();
        IngestionPipeline.bronzeTables(config).forEach((source, spec) -> {
            String table = spec.identifier().toString();
            assertThat(written).as("bronze rows of %s", source).containsKey(table);
            assertThat(written.get(table).getTransformation()).isInstanceOf(SourceTransformation.class);
            out.put(source, ((SourceTransformation<?, ?, ?>) written.get(table).getTransformation()).getWatermarkStrategy());
        });
        return out;
    }

    @Test
    void withAGroupKafkaSourcesAreAlignedAndKinesisSourcesAreNot() {
        Map<String, WatermarkStrategy<?>> strategies = strategies(config(Map.of(
                "watermarks.alignment.group", "lakestream-events",
                "watermarks.alignment.max-drift", "10 min",
                "watermarks.alignment.update-interval", "2 s")));

        WatermarkAlignmentParams clicks = strategies.get(CLICKS).getAlignmentParameters();
        assertThat(clicks.isEnabled()).isTrue();
        assertThat(clicks.getWatermarkGroup()).isEqualTo("lakestream-events");
        assertThat(clicks.getMaxAllowedWatermarkDrift()).isEqualTo(600_000L);
        assertThat(clicks.getUpdateInterval()).isEqualTo(2_000L);
        assertThat(strategies.get("fulfillment").getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
        // No silver dataset reads it, so gold needs no event time from it: no watermarks to align.
        assertThat(strategies.get(ORDERS).getAlignmentParameters())
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED);
    }

    @Test
    void withoutAGroupNoSourceIsAligned() {
        Map<String, WatermarkStrategy<?>> strategies = strategies(config(Map.of()));

        assertThat(strategies).hasSize(3);
        strategies.forEach((source, strategy) -> assertThat(strategy.getAlignmentParameters())
                .as(source)
                .isSameAs(WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED));
    }

    @Test
    void onlyTheKafkaReaderPausesSplits() {
        Configuration config = config(Map.of());

        BronzeSource kafka = KafkaBronzeSources.bronzeSource(config, CLICKS);
        BronzeSource kinesis = KinesisBronzeSources.bronzeSource(config, FULFILLMENT_ARN);

        assertThat(kafka.kind()).isEqualTo(BronzeSource.Kind.KAFKA);
        assertThat(kafka.pausesSplits()).isTrue();
        assertThat(kinesis.kind()).isEqualTo(BronzeSource.Kind.KINESIS);
        assertThat(kinesis.pausesSplits()).isFalse();
    }
}
