package dev.lakestream.jobs.sink;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalSerializers;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * In front of an upsert table's writers: keeps only the last row of each key and hands the rows on
 * just before each checkpoint barrier (and at the end of input), so the writers see one row per key
 * per checkpoint. An upsert writes an equality delete and a data row for every row it gets, and a
 * position delete too when the key was written earlier in the same checkpoint; a rolling feature
 * changes at every event, so without this the latest-features tables grew a delete per event and
 * their writers were 9% of the full pipeline's CPU. Readers see the same table: each commit still
 * holds the last row of every key that changed.
 *
 * <p>No state: the buffer is empty whenever a checkpoint is taken. It holds at most {@code maxKeys}
 * rows (copies), and hands them all on early when it would hold more. {@code -U} rows are dropped:
 * an upsert writer ignores them. Safe only where every partition source column is part of the key,
 * which Iceberg requires of upsert tables, so a key's rows never span partitions.
 *
 * <p>Metric: {@code upsertRowsCollapsed}, the rows replaced by a later row of their key.
 */
public final class LatestRowPerKey extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {

    private static final long serialVersionUID = 1L;

    private final RowType rowType;
    private final int[] key;
    private final int maxKeys;

    private transient RowData.FieldGetter[] keyGetters;
    private transient TypeSerializer<RowData> serializer;
    private transient Map<Object, RowData> latest;
    private transient StreamRecord<RowData> reuse;
    private transient Counter collapsed;

    /** @param key the positions of the key columns in {@code rowType} */
    public LatestRowPerKey(RowType rowType, int[] key, int maxKeys) {
        if (key.length == 0 || maxKeys < 1) {
            throw new IllegalArgumentException("Needs key columns and room for a row, not " + Arrays.toString(key)
                    + " and " + maxKeys);
        }
        this.rowType = rowType;
        this.key = key.clone();
        this.maxKeys = maxKeys;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        keyGetters = new RowData.FieldGetter[key.length];
        for (int i = 0; i < key.length; i++) {
            keyGetters[i] = RowData.createFieldGetter(rowType.getTypeAt(key[i]), key[i]);
        }
        serializer = InternalSerializers.create(rowType);
        latest = new LinkedHashMap<>();
        reuse = new StreamRecord<>(null);
        collapsed = getMetricGroup().counter("upsertRowsCollapsed");
    }

    @Override
    public void processElement(StreamRecord<RowData> element) throws Exception {
        RowData row = element.getValue();
        if (row.getRowKind() == RowKind.UPDATE_BEFORE) {
            collapsed.inc();
            return;
        }
        // A copy (the key read from it too): with object reuse on, whoever emitted the row may reuse it
        // once this call returns.
        RowData copy = serializer.copy(row);
        if (latest.put(keyOf(copy), copy) != null) {
            collapsed.inc();
        } else if (latest.size() > maxKeys) {
            flush();
        }
    }

    private Object keyOf(RowData row) {
        if (keyGetters.length == 1) {
            return keyGetters[0].getFieldOrNull(row);
        }
        Object[] values = new Object[keyGetters.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = keyGetters[i].getFieldOrNull(row);
        }
        return Arrays.asList(values);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        for (RowData row : latest.values()) {
            output.collect(reuse.replace(row));
        }
        latest.clear();
    }
}
