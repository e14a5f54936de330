package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.ChangeOp;
import dev.lakestream.cdc.SourcePosition;
import dev.lakestream.jobs.serialization.SerializerTypeInfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializes {@link ChangeEvent}s between the CDC operators without Kryo ({@code ChangeEvent} is
 * immutable, so it is no POJO and {@code TypeInformation.of} fell back to Kryo). Fields in
 * declaration order; the op by its name, the position by its sortable string ({@link
 * SourcePosition#sortable()}), nullable strings with Flink's string encoding.
 *
 * <p>Change events only travel between operators (no state holds them), so the format can change
 * without a savepoint migration; the snapshot still carries a version for the day one does.
 */
public final class ChangeEventSerializer extends TypeSerializerSingleton<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final ChangeEventSerializer INSTANCE = new ChangeEventSerializer();

    /** The type of change-event streams. */
    public static TypeInformation<ChangeEvent> typeInfo() {
        return new SerializerTypeInfo<>(ChangeEvent.class, INSTANCE);
    }

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public ChangeEvent createInstance() {
        return null;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return from;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent e, DataOutputView out) throws IOException {
        StringValue.writeString(e.op().name(), out);
        StringValue.writeString(e.table(), out);
        StringValue.writeString(e.keyJson(), out);
        StringValue.writeString(e.beforeJson(), out);
        StringValue.writeString(e.afterJson(), out);
        StringValue.writeString(e.position().sortable(), out);
        out.writeLong(e.sourceTsMillis());
        out.writeBoolean(e.snapshot());
        StringValue.writeString(e.envelope(), out);
    }

    @Override
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        ChangeOp op = ChangeOp.valueOf(StringValue.readString(in));
        String table = StringValue.readString(in);
        String key = StringValue.readString(in);
        String before = StringValue.readString(in);
        String after = StringValue.readString(in);
        SourcePosition position = SourcePosition.parse(StringValue.readString(in));
        long sourceTs = in.readLong();
        boolean snapshot = in.readBoolean();
        String envelope = StringValue.readString(in);
        return new ChangeEvent(op, table, key, before, after, position, sourceTs, snapshot, envelope);
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the format above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
