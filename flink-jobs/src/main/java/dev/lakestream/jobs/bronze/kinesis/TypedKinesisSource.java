package dev.lakestream.jobs.bronze.kinesis;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kinesis.source.KinesisStreamsSource;
import org.apache.flink.connector.kinesis.source.enumerator.KinesisStreamsSourceEnumeratorState;
import org.apache.flink.connector.kinesis.source.split.KinesisShardSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.table.data.RowData;

/**
 * A {@link KinesisStreamsSource} that tells Flink what it produces. The 4.3.0 source does not
 * implement {@link ResultTypeQueryable} (KafkaSource does), so {@code env.fromSource(source, ...)}
 * cannot infer its type; everything else is the wrapped source's, state and serializers included,
 * so savepoints are the same as the connector's own.
 */
final class TypedKinesisSource
        implements Source<RowData, KinesisShardSplit, KinesisStreamsSourceEnumeratorState>, ResultTypeQueryable<RowData> {

    private static final long serialVersionUID = 1L;

    private final KinesisStreamsSource<RowData> source;
    private final TypeInformation<RowData> producedType;

    TypedKinesisSource(KinesisStreamsSource<RowData> source, TypeInformation<RowData> producedType) {
        this.source = source;
        this.producedType = producedType;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<RowData, KinesisShardSplit> createReader(SourceReaderContext context) throws Exception {
        return source.createReader(context);
    }

    @Override
    public SplitEnumerator<KinesisShardSplit, KinesisStreamsSourceEnumeratorState> createEnumerator(
            SplitEnumeratorContext<KinesisShardSplit> context) throws Exception {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KinesisShardSplit, KinesisStreamsSourceEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<KinesisShardSplit> context, KinesisStreamsSourceEnumeratorState state)
            throws Exception {
        return source.restoreEnumerator(context, state);
    }

    @Override
    public SimpleVersionedSerializer<KinesisShardSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KinesisStreamsSourceEnumeratorState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }
}
