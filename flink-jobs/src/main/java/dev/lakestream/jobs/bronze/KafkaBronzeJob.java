package dev.lakestream.jobs.bronze;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Kafka to bronze: every record of every topic, unparsed, with its coordinates, into the topic's
 * bronze table. Sources and sink are arguments, so tests can feed their own or wrap the sink.
 *
 * <p>Bronze needs no event time: ingest time partitions the table, so sources emit no watermarks.
 *
 * <p>Operator uids: {@link #sourceUid(String)} per topic holds the topic's offsets. Changing it on
 * a running deployment loses those offsets on the next restore (the source then starts from
 * {@code kafka.starting-offsets}).
 */
public final class KafkaBronzeJob {

    private final List<String> topics;
    private final Function<String, Source<RowData, ?, ?>> sources;
    private final BronzeSink sink;

    public KafkaBronzeJob(List<String> topics, Function<String, Source<RowData, ?, ?>> sources, BronzeSink sink) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("KafkaBronzeJob needs at least one topic");
        }
        this.topics = List.copyOf(topics);
        this.sources = Objects.requireNonNull(sources);
        this.sink = Objects.requireNonNull(sink);
    }

    /** Stable uid of a topic's Kafka source operator. */
    public static String sourceUid(String topic) {
        return "bronze-kafka-source-" + topic;
    }

    /** Adds one source and one sink per topic to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        for (String topic : topics) {
            DataStream<RowData> rows =
                    env.fromSource(sources.apply(topic), WatermarkStrategy.noWatermarks(), "Kafka " + topic)
                            .uid(sourceUid(topic));
            sink.write(topic, rows);
        }
    }
}
