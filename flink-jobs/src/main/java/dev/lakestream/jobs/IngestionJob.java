package dev.lakestream.jobs;

import dev.lakestream.jobs.bronze.BronzeSource;
import dev.lakestream.jobs.cdc.CdcCapture;
import dev.lakestream.jobs.cdc.CdcJob;
import dev.lakestream.jobs.cdc.SilverChange;
import dev.lakestream.cdc.CommitTime;
import dev.lakestream.jobs.gold.GoldJob;
import dev.lakestream.jobs.gold.GoldOptions;
import dev.lakestream.jobs.silver.PayloadEventTime;
import dev.lakestream.jobs.silver.SilverDataset;
import dev.lakestream.jobs.silver.SilverJob;
import dev.lakestream.jobs.silver.SilverSettings;
import dev.lakestream.jobs.sink.CurrentStateSink;
import dev.lakestream.jobs.sink.TableSink;

import dev.lakestream.watermarks.WatermarkOptions;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.iceberg.flink.FlinkSchemaUtil;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The job graph from sources to tables. Every source's records land unparsed in its bronze table;
 * a source bound to a silver dataset also feeds that dataset's validation, deduplication, silver
 * table and quarantine table. Bronze and silver commit on the same checkpoints, so at every
 * committed point each bronze row is in silver, in quarantine or counted as a duplicate.
 *
 * <p>Sources and sink are arguments, so tests can feed their own or wrap the sink.
 */
public final class IngestionJob {

    private final List<BronzeSource> sources;
    private final List<CdcCapture> captures;
    private final CurrentStateSink currentState;
    private ReadableConfig gold;
    private final Map<String, SilverDataset> silverBySource;
    private final SilverSettings silverSettings;
    private final TableSink sink;

    /**
     * @param silverBySource silver dataset per source name ({@link BronzeSource#name()}); sources
     *     not in it feed bronze only
     */
    public IngestionJob(
            List<BronzeSource> sources,
            Map<String, SilverDataset> silverBySource,
            SilverSettings silverSettings,
            TableSink sink) {
        this(sources, silverBySource, silverSettings, List.of(), sink, (table, changes, records) -> {
            throw new IllegalStateException("No CDC capture, no current-state table to write: " + table);
        });
    }

    /**
     * @param captures CDC sources, each to bronze changelogs and silver current state
     * @param currentState where the current-state tables of the captures go
     */
    public IngestionJob(
            List<BronzeSource> sources,
            Map<String, SilverDataset> silverBySource,
            SilverSettings silverSettings,
            List<CdcCapture> captures,
            TableSink sink,
            CurrentStateSink currentState) {
        if (sources.isEmpty() && captures.isEmpty()) {
            throw new IllegalArgumentException("IngestionJob needs at least one source");
        }
        this.sources = List.copyOf(sources);
        this.captures = List.copyOf(captures);
        this.currentState = Objects.requireNonNull(currentState);
        this.silverBySource = new LinkedHashMap<>(silverBySource);
        this.silverSettings = Objects.requireNonNull(silverSettings);
        this.sink = Objects.requireNonNull(sink);
        for (String name : silverBySource.keySet()) {
            if (sources.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException(
                        "Silver dataset " + silverBySource.get(name).name() + " reads source '" + name
                                + "', which is not one of the job's sources");
            }
        }
    }

    /** A job that only copies its sources into bronze. */
    public static IngestionJob bronzeOnly(List<BronzeSource> sources, TableSink sink) {
        return new IngestionJob(sources, Map.of(), SilverSettings.defaults(), sink);
    }

    /** Also computes the gold windows of the silver datasets, configured by {@code config} ({@code gold.*}). */
    public IngestionJob withGold(ReadableConfig config) {
        this.gold = config.get(GoldOptions.ENABLED) ? config : null;
        return this;
    }

    public void addTo(StreamExecutionEnvironment env) {
        Map<String, DataStream<RowData>> silverByDataset = new LinkedHashMap<>();
        Map<CdcCapture, Map<String, DataStream<SilverChange>>> silverChanges = new LinkedHashMap<>();
        for (CdcCapture capture : captures) {
            // Commit-time watermarks per split when gold runs (daily revenue windows the changes);
            // aligned only where the source's readers can pause splits (Debezium topics on Kafka).
            WatermarkStrategy<String> watermarks = gold == null
                    ? WatermarkStrategy.noWatermarks()
                    : capture.readsKafka()
                            ? WatermarkOptions.cdc(gold, new CommitTime())
                            : WatermarkOptions.cdcUnaligned(gold, new CommitTime());
            silverChanges.put(capture, CdcJob.addTo(env, capture, watermarks, sink, currentState));
        }
        for (BronzeSource source : sources) {
            // A source feeding a silver dataset gets event-time watermarks per partition or shard when
            // gold windows run on it (read from the payload at the source); bronze and silver alone
            // need none. The row type comes from the bronze table: KinesisStreamsSource 4.3 does not
            // declare its produced type.
            SilverDataset dataset = silverBySource.get(source.name());
            WatermarkStrategy<RowData> watermarks = dataset == null || gold == null
                    ? WatermarkStrategy.noWatermarks()
                    : eventTimeWatermarks(source, dataset, gold);
            DataStream<RowData> rows =
                    env.fromSource(
                                    source.source(),
                                    watermarks,
                                    "Source " + source.name(),
                                    InternalTypeInfo.of(FlinkSchemaUtil.convert(source.table().schema())))
                            .uid(source.uid());
            sink.write(source.table(), rows);
            if (dataset != null) {
                silverByDataset.put(dataset.name(),
                        SilverJob.addTo(rows, source.rawRecords(), dataset, silverSettings, sink));
            }
        }
        if (gold != null) {
            GoldJob.addTo(env, silverByDataset, silverChanges, gold, sink);
        }
    }

    /**
     * The event-time watermarks of a source feeding {@code dataset} ({@code watermarks.events.*}),
     * in the alignment group {@code watermarks.alignment.group} when one is set and the source's
     * reader can pause splits: Kafka. KinesisStreamsSource 4.3 cannot pause shards, so aligned it
     * would fail the job the first time a shard ran ahead; it is never aligned.
     */
    static WatermarkStrategy<RowData> eventTimeWatermarks(BronzeSource source, SilverDataset dataset, ReadableConfig config) {
        PayloadEventTime eventTime = new PayloadEventTime(source.payloadField(), dataset.schema().eventTimeField());
        return source.pausesSplits()
                ? WatermarkOptions.events(config, eventTime)
                : WatermarkOptions.eventsUnaligned(config, eventTime);
    }
}
