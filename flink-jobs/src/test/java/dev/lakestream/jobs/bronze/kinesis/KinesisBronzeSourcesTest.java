package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.RawRecord;
import dev.lakestream.jobs.config.PipelineConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kinesis.source.KinesisStreamsSource;
import org.apache.flink.connector.kinesis.source.config.KinesisStreamsSourceConfigConstants;
import org.apache.flink.connector.kinesis.source.config.KinesisStreamsSourceConfigUtil;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KinesisBronzeSourcesTest {

    private static final String ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/Shop.Orders";

    private static Configuration config(Map<String, String> extra) {
        Map<String, String> raw = new HashMap<>(extra);
        raw.put("kinesis.streams", ARN);
        return PipelineConfig.fromMap(raw, KinesisBronzeOptions.all())
                .check(KinesisBronzeOptions::problems)
                .configuration();
    }

    @Test
    void bronzeSourceIsNamedAfterTheStreamWithAStableUid() {
        BronzeSource source = KinesisBronzeSources.bronzeSource(config(Map.of()), ARN);

        assertThat(source.name()).isEqualTo("Shop.Orders");
        assertThat(source.uid()).isEqualTo("bronze-kinesis-source-Shop.Orders");
        assertThat(source.table().identifier().toString()).isEqualTo("bronze.kinesis_shop_orders");
        assertThat(source.table().schema().sameSchema(BronzeKinesisTable.schema())).isTrue();
        // IngestionJob takes the produced type from the table (the connector's source does not declare it).
        assertThat(InternalTypeInfo.of(org.apache.iceberg.flink.FlinkSchemaUtil.convert(source.table().schema())))
                .isEqualTo(InternalTypeInfo.of(KinesisBronzeDeserializer.ROW_TYPE));
        assertThat(source.source()).isInstanceOf(KinesisStreamsSource.class);
    }

    @Test
    void rawRecordCarriesStreamShardSequenceDataAndIngestTime() throws Exception {
        byte[] data = {(byte) 0xff, 0, 'x'};
        Record record = Record.builder()
                .sequenceNumber("49590338271490256608559692538361571095921575989136588898")
                .partitionKey("k")
                .approximateArrivalTimestamp(Instant.EPOCH)
                .data(SdkBytes.fromByteArray(data))
                .build();
        RowData row = KinesisBronzeDeserializer.toRow(
                record, StringData.fromString("orders"), "shardId-000000000003", 1_795_176_930_250L);

        RawRecord raw = KinesisBronzeSources.rawRecord(row);

        assertThat(raw.source()).isEqualTo("orders");
        assertThat(raw.partition()).isEqualTo("shardId-000000000003");
        assertThat(raw.position()).isEqualTo("49590338271490256608559692538361571095921575989136588898");
        assertThat(raw.payload()).isEqualTo(data);
        assertThat(raw.ingestMillis()).isEqualTo(1_795_176_930_250L);
        assertThat(KinesisBronzeSources.bronzeSource(config(Map.of()), ARN).rawRecords().map(row).toString())
                .isEqualTo("orders/shardId-000000000003@49590338271490256608559692538361571095921575989136588898");
        assertThat(row.getBinary(KinesisBronzeSources.bronzeSource(config(Map.of()), ARN).payloadField()))
                .as("where the watermarks read the payload").isEqualTo(data);
    }

    @Test
    void rawRecordKeepsAMissingPayloadNull() {
        GenericRowData row = (GenericRowData) KinesisBronzeDeserializer.toRow(
                Record.builder().sequenceNumber("1").partitionKey("k").build(),
                StringData.fromString("orders"), "shardId-000000000000", 0L);

        assertThat(KinesisBronzeSources.rawRecord(row).payload()).isNull();
    }

    @Test
    void defaultsReadFromTrimHorizonInTheArnsRegionWithTheDefaultCredentialChain() {
        Configuration source = KinesisBronzeSources.sourceConfig(config(Map.of()), ARN);

        assertThat(source.toMap())
                .containsEntry("aws.region", "eu-west-1")
                .containsEntry("aws.credentials.provider", "AUTO")
                .containsEntry("aws.http.protocol.version", "HTTP1_1")
                .containsEntry("flink.stream.initpos", "TRIM_HORIZON")
                .containsEntry("flink.shard.discovery.intervalmillis", "10000")
                .doesNotContainKeys("aws.endpoint", "aws.credentials.provider.basic.accesskeyid");
    }

    @Test
    void endpointRegionAndStaticCredentialsArePassedOn() {
        Configuration source = KinesisBronzeSources.sourceConfig(config(Map.of(
                "kinesis.endpoint", "http://127.0.0.1:4568",
                "kinesis.region", "us-east-1",
                "kinesis.access-key-id", "AKIDEXAMPLE",
                "kinesis.secret-access-key", "s3cr3t",
                "kinesis.initial-position", "LATEST",
                "kinesis.shard-discovery-interval", "2 s")), ARN);

        assertThat(source.toMap())
                .containsEntry("aws.region", "us-east-1")
                .containsEntry("aws.endpoint", "http://127.0.0.1:4568")
                .containsEntry("aws.credentials.provider", "BASIC")
                .containsEntry("aws.credentials.provider.basic.accesskeyid", "AKIDEXAMPLE")
                .containsEntry("aws.credentials.provider.basic.secretkey", "s3cr3t")
                .containsEntry("flink.stream.initpos", "LATEST")
                .containsEntry("flink.shard.discovery.intervalmillis", "2000");
    }

    @Test
    void atTimestampIsParsedBackByTheConnectorToTheSameInstant() {
        Configuration source = KinesisBronzeSources.sourceConfig(config(Map.of(
                "kinesis.initial-position", "AT_TIMESTAMP",
                "kinesis.initial-timestamp", "2026-11-20T11:15:30.250+01:00")), ARN);

        assertThat(source.get(KinesisStreamsSourceConfigConstants.STREAM_INITIAL_POSITION))
                .isEqualTo(KinesisStreamsSourceConfigConstants.InitialPosition.AT_TIMESTAMP);
        assertThat(KinesisStreamsSourceConfigUtil.parseStreamTimestampStartingPosition(source).toInstant())
                .isEqualTo(Instant.parse("2026-11-20T10:15:30.250Z"));
    }
}
