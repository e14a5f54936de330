package dev.lakestream.jobs.cdc;

import dev.lakestream.cdc.ChangeEvent;
import dev.lakestream.cdc.ChangeOp;
import dev.lakestream.cdc.SourcePosition;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeEventSerializerTest {

    private static final List<ChangeEvent> EVENTS = List.of(
            new ChangeEvent(ChangeOp.READ, "public.orders", "{\"order_id\":7}", null, "{\"order_id\":7,\"status\":\"placed\"}",
                    SourcePosition.snapshot(SourcePosition.Kind.POSTGRES), 1_700_000_000_000L, true, null),
            new ChangeEvent(ChangeOp.UPDATE, "public.orders", "{\"order_id\":7}", "{\"status\":\"placed\"}",
                    "{\"status\":\"paid\"}", SourcePosition.postgres(23_456_789L), 1_700_000_000_123L, false,
                    "{\"op\":\"u\",\"payload\":\"" + "ü".repeat(40_000) + "\"}"),
            new ChangeEvent(ChangeOp.DELETE, "shop.customers", "{\"customer_id\":3}", "{\"customer_id\":3}", null,
                    SourcePosition.mysql(12, 4_096, 2), -1L, false, ""));

    @Test
    void everyFieldSurvivesARoundTripIncludingNullsAndLongStrings() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (ChangeEvent e : EVENTS) {
            ChangeEventSerializer.INSTANCE.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (ChangeEvent expected : EVENTS) {
            ChangeEvent actual = ChangeEventSerializer.INSTANCE.deserialize(in);
            assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void theTypeIsNotGenericAndItsSnapshotRestoresACompatibleSerializer() throws Exception {
        TypeSerializer<ChangeEvent> serializer = ParseChanges.type().createSerializer(new SerializerConfigImpl());
        assertThat(serializer).isSameAs(ChangeEventSerializer.INSTANCE);
        assertThat(ParseChanges.type().getTypeClass()).isEqualTo(ChangeEvent.class);

        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<ChangeEvent> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(ChangeEventSerializer.INSTANCE);
        TypeSerializerSchemaCompatibility<ChangeEvent> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
