package dev.lakestream.jobs.bronze.kinesis;

import dev.lakestream.catalog.tables.BronzeKinesisTable;
import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.bronze.RawRecord;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.kinesis.source.KinesisStreamsSource;
import org.apache.flink.connector.kinesis.source.config.KinesisStreamsSourceConfigConstants;
import org.apache.flink.table.data.RowData;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Kinesis sources for bronze (the FLIP-27 {@link KinesisStreamsSource}, polling with GetRecords),
 * one per stream so that each stream's shard positions live under their own operator uid.
 *
 * <p>Exactly-once: each shard's position is the sequence number of the last record emitted, kept
 * in the source's checkpointed state; on restore every shard continues after it, and the Iceberg
 * sink commits exactly the rows of the checkpoints it restored with. It depends on the stream
 * keeping the records for longer than the job can be down (Kinesis retention, 24 h by default): a
 * position older than the retention is gone, and those records are lost to bronze.
 *
 * <p>Like Kafka bronze, a replay or backfill stops with a savepoint once caught up, never through
 * end of input. Shards that appear after a resharding are read from their start, but this
 * connector version does not wait for a parent shard to be finished before reading its children,
 * so per-key order across a resharding is not kept (bronze does not rely on order).
 */
public final class KinesisBronzeSources {

    // Connector (flink-connector-aws-base) keys; its AWSConfigConstants class is relocated inside
    // the connector jar, so the keys are spelled out here.
    static final String AWS_REGION = "aws.region";
    static final String AWS_ENDPOINT = "aws.endpoint";
    static final String AWS_CREDENTIALS_PROVIDER = "aws.credentials.provider";
    static final String AWS_ACCESS_KEY_ID = "aws.credentials.provider.basic.accesskeyid";
    static final String AWS_SECRET_ACCESS_KEY = "aws.credentials.provider.basic.secretkey";
    static final String AWS_HTTP_PROTOCOL_VERSION = "aws.http.protocol.version";

    /** The connector's default format for {@code flink.stream.initpos.timestamp}, written here explicitly. */
    private static final String TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

    private static final DateTimeFormatter TIMESTAMP_FORMATTER =
            DateTimeFormatter.ofPattern(TIMESTAMP_FORMAT).withZone(ZoneOffset.UTC);

    private KinesisBronzeSources() {}

    /** Stable uid of a stream's source operator; it holds the shards' sequence numbers in savepoints. */
    public static String sourceUid(String streamName) {
        return "bronze-kinesis-source-" + streamName;
    }

    /** The stream as a bronze source: its Kinesis source, its bronze table and its raw records. */
    public static BronzeSource bronzeSource(ReadableConfig config, String streamArn) {
        String name = KinesisBronzeOptions.streamName(streamArn);
        return new BronzeSource(
                BronzeSource.Kind.KINESIS,
                name,
                sourceUid(name),
                BronzeKinesisTable.spec(name),
                forStream(config, streamArn),
                KinesisBronzeSources::rawRecord,
                KinesisBronzeDeserializer.RECORD_DATA);
    }

    /** A Kinesis bronze row as silver reads it: coordinates (stream, shard id, sequence number), data and ingest time. */
    static RawRecord rawRecord(RowData row) {
        return new RawRecord(
                row.getString(KinesisBronzeDeserializer.STREAM).toString(),
                row.getString(KinesisBronzeDeserializer.SHARD_ID).toString(),
                row.getString(KinesisBronzeDeserializer.SEQUENCE_NUMBER).toString(),
                BronzeSource.payload(row, KinesisBronzeDeserializer.RECORD_DATA),
                row.getTimestamp(KinesisBronzeDeserializer.INGEST_TS, 6).getMillisecond());
    }

    /** The source for one stream, configured from {@link KinesisBronzeOptions}. */
    public static KinesisStreamsSource<RowData> forStream(ReadableConfig config, String streamArn) {
        return KinesisStreamsSource.<RowData>builder()
                .setStreamArn(streamArn.trim())
                .setSourceConfig(sourceConfig(config, streamArn))
                .setDeserializationSchema(new KinesisBronzeDeserializer())
                .build();
    }

    /** The connector configuration for one stream. */
    static Configuration sourceConfig(ReadableConfig config, String streamArn) {
        Configuration source = new Configuration();
        // The connector needs a region even with an endpoint override (it signs requests for it).
        source.setString(
                AWS_REGION, config.getOptional(KinesisBronzeOptions.REGION).orElse(KinesisBronzeOptions.region(streamArn)));
        config.getOptional(KinesisBronzeOptions.ENDPOINT).ifPresent(e -> source.setString(AWS_ENDPOINT, e.trim()));
        if (config.getOptional(KinesisBronzeOptions.ACCESS_KEY_ID).isPresent()) {
            source.setString(AWS_CREDENTIALS_PROVIDER, "BASIC");
            source.setString(AWS_ACCESS_KEY_ID, config.get(KinesisBronzeOptions.ACCESS_KEY_ID));
            source.setString(AWS_SECRET_ACCESS_KEY, config.get(KinesisBronzeOptions.SECRET_ACCESS_KEY));
        } else {
            // The SDK's default chain: environment, system properties, web identity, profile, container
            // and instance roles (on MSF, the application's role).
            source.setString(AWS_CREDENTIALS_PROVIDER, "AUTO");
        }
        // The polling reader uses the SDK's Apache client, which speaks HTTP/1.1 only; this pins the
        // async (Netty) client to HTTP/1.1 as well, which kinesis-local and plain-HTTP endpoints need.
        source.setString(AWS_HTTP_PROTOCOL_VERSION, "HTTP1_1");

        switch (config.get(KinesisBronzeOptions.INITIAL_POSITION)) {
            case LATEST:
                source.set(
                        KinesisStreamsSourceConfigConstants.STREAM_INITIAL_POSITION,
                        KinesisStreamsSourceConfigConstants.InitialPosition.LATEST);
                break;
            case AT_TIMESTAMP:
                Instant start = KinesisBronzeOptions.initialTimestamp(config)
                        .orElseThrow(() -> new IllegalArgumentException(
                                "'" + KinesisBronzeOptions.INITIAL_TIMESTAMP.key() + "' is required when "
                                        + KinesisBronzeOptions.INITIAL_POSITION.key() + " is AT_TIMESTAMP"));
                source.set(
                        KinesisStreamsSourceConfigConstants.STREAM_INITIAL_POSITION,
                        KinesisStreamsSourceConfigConstants.InitialPosition.AT_TIMESTAMP);
                source.set(KinesisStreamsSourceConfigConstants.STREAM_TIMESTAMP_DATE_FORMAT, TIMESTAMP_FORMAT);
                source.set(KinesisStreamsSourceConfigConstants.STREAM_INITIAL_TIMESTAMP, TIMESTAMP_FORMATTER.format(start));
                break;
            case TRIM_HORIZON:
            default:
                source.set(
                        KinesisStreamsSourceConfigConstants.STREAM_INITIAL_POSITION,
                        KinesisStreamsSourceConfigConstants.InitialPosition.TRIM_HORIZON);
                break;
        }
        source.set(
                KinesisStreamsSourceConfigConstants.SHARD_DISCOVERY_INTERVAL_MILLIS,
                config.get(KinesisBronzeOptions.SHARD_DISCOVERY_INTERVAL).toMillis());
        return source;
    }
}
