package dev.lakestream.jobs.gold;

import dev.lakestream.jobs.serialization.SerializerTypeInfo;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The gold events' own serializers: every field survives the wire, nulls included, and Flink finds them by the class. */
class GoldEventSerializerTest {

    private static ClickEvent click(String id, String type, String position) {
        ClickEvent e = new ClickEvent();
        e.eventId = id;
        e.userId = -42L;
        e.eventType = type;
        e.eventTsMillis = 1_700_000_000_123L;
        e.sourceName = "kafka:clicks";
        e.sourcePartition = "3";
        e.sourcePosition = position;
        return e;
    }

    private static FulfillmentEvent fulfillment(String facility, int units) {
        FulfillmentEvent e = new FulfillmentEvent();
        e.eventId = "f-1";
        e.facilityId = facility;
        e.eventType = "SHIPPED";
        e.units = units;
        e.eventTsMillis = 1_700_000_000_456L;
        e.sourceName = "kafka:fulfillment";
        e.sourcePartition = "0";
        e.sourcePosition = "918273645";
        return e;
    }

    /** Serializes each event into one buffer, then reads them back in order (as a network buffer holds several). */
    @SafeVarargs
    private static <T> void assertRoundTrip(TypeSerializer<T> serializer, T... events) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (T e : events) {
            serializer.serialize(e, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (T e : events) {
            assertThat(serializer.deserialize(in)).usingRecursiveComparison().isEqualTo(e);
        }
        assertThat(in.available()).isZero();
        for (T e : events) {
            T copy = serializer.copy(e);
            assertThat(copy).isNotSameAs(e).usingRecursiveComparison().isEqualTo(e);
        }
    }

    @Test
    void clickEventsSurviveTheWireWithEveryFieldAndNulls() throws IOException {
        assertRoundTrip(GoldEventSerializer.Clicks.INSTANCE,
                click("c-1", "page_view", "12345678901234567890"),
                click(null, null, null),
                click("ünïcødé-✓", "", "0"));
    }

    @Test
    void fulfillmentEventsSurviveTheWireWithEveryFieldAndNulls() throws IOException {
        assertRoundTrip(GoldEventSerializer.Fulfillment.INSTANCE,
                fulfillment("FC-7", 12), fulfillment(null, Integer.MIN_VALUE), fulfillment("FC-\u0000", Integer.MAX_VALUE));
    }

    @Test
    void flinkFindsTheSerializersThroughTheClasses() {
        assertThat(TypeInformation.of(ClickEvent.class)).isInstanceOf(SerializerTypeInfo.class);
        assertThat(TypeInformation.of(ClickEvent.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(GoldEventSerializer.Clicks.INSTANCE);
        assertThat(TypeInformation.of(FulfillmentEvent.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(GoldEventSerializer.Fulfillment.INSTANCE);
    }

    @Test
    void aWrittenSnapshotRestoresACompatibleSerializer() throws IOException {
        for (TypeSerializer<?> serializer : new TypeSerializer<?>[] {
                GoldEventSerializer.Clicks.INSTANCE, GoldEventSerializer.Fulfillment.INSTANCE}) {
            assertSnapshotRestores(serializer);
        }
    }

    private static <T> void assertSnapshotRestores(TypeSerializer<T> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<T> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), GoldEventSerializerTest.class.getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(serializer);
        TypeSerializerSchemaCompatibility<T> compatibility =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
