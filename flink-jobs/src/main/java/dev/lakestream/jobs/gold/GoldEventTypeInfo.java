package dev.lakestream.jobs.gold;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * The type of a gold event, serialized by its {@link GoldEventSerializer}. The event classes name
 * their factory with {@code @TypeInfo}, so Flink's type extraction finds it wherever the class is
 * used ({@code returns(ClickEvent.class)}, test harnesses).
 */
public final class GoldEventTypeInfo<T extends GoldEvent> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final GoldEventSerializer<T> serializer;

    private GoldEventTypeInfo(Class<T> type, GoldEventSerializer<T> serializer) {
        this.type = type;
        this.serializer = serializer;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }

    @Override
    @Deprecated
    public TypeSerializer<T> createSerializer(ExecutionConfig config) {
        return serializer;
    }

    @Override
    public String toString() {
        return "GoldEvent<" + type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GoldEventTypeInfo && ((GoldEventTypeInfo<?>) other).type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof GoldEventTypeInfo;
    }

    /** Named by {@link ClickEvent}'s {@code @TypeInfo}. */
    public static final class ClickEventFactory extends TypeInfoFactory<ClickEvent> {
        @Override
        public TypeInformation<ClickEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new GoldEventTypeInfo<>(ClickEvent.class, GoldEventSerializer.Clicks.INSTANCE);
        }
    }

    /** Named by {@link FulfillmentEvent}'s {@code @TypeInfo}. */
    public static final class FulfillmentEventFactory extends TypeInfoFactory<FulfillmentEvent> {
        @Override
        public TypeInformation<FulfillmentEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new GoldEventTypeInfo<>(FulfillmentEvent.class, GoldEventSerializer.Fulfillment.INSTANCE);
        }
    }
}
