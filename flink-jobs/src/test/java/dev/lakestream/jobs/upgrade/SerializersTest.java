package dev.lakestream.jobs.upgrade;


import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializer;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No record of our own types goes through Kryo (slow, and its bytes change with the class: a
 * savepoint is only as stable as Kryo's registration order). Builds the full job graph ({@link
 * OperatorUidsTest#everything()}: every server-less source, silver, Debezium CDC, gold, features)
 * and looks at every serializer the graph holds: each operator's input and output serializers, its
 * key serializer, and the state descriptors its operator object holds (window operators). A {@link
 * KryoSerializer} anywhere inside one (nested fields included) is a generic-type fallback.
 *
 * <p>The keyed functions create their state descriptors in {@code open()}, so the graph cannot show
 * them; {@code StateSerializersTest} opens them with generic types disabled.
 */
class SerializersTest {

    @Test
    void noSerializerOfTheJobFallsBackToKryoForOurTypes(@TempDir Path warehouse) throws Exception {
        Map<String, TreeSet<String>> kryoByType = kryoTypes(graph(warehouse, false));
        Map<String, TreeSet<String>> ours = new TreeMap<>();
        Map<String, TreeSet<String>> theirs = new TreeMap<>();
        kryoByType.forEach((type, nodes) -> (type.startsWith("dev.lakestream.") ? ours : theirs).put(type, nodes));
        System.out.println("SerializersTest: Kryo fallbacks of third-party types (not ours to fix): " + theirs);
        assertThat(ours).as("our types serialized with Kryo (type -> operators): make them POJOs (public no-arg"
                + " constructor, public fields or getters and setters) or give them explicit TypeInformation").isEmpty();
    }

    /**
     * With {@code pipeline.generic-types=false} the job does not build yet, and only because of
     * Iceberg's {@code FlinkSink}: its writers hand their results ({@code FlinkWriteResult}) to the
     * committer as a generic type. When this starts to fail because the job builds, Iceberg has
     * fixed it: assert that the job builds and no Kryo serializer is left instead.
     */
    @Test
    void withGenericTypesDisabledOnlyIcebergsWriteResultsStopTheBuild(@TempDir Path warehouse) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> graph(warehouse, true));
        assertThat(failure).as("building the full job with generic types disabled").isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Generic types have been disabled")
                .hasMessageContaining("org.apache.iceberg.flink.sink.FlinkWriteResult");
    }

    private static StreamGraph graph(Path warehouse, boolean disableGenericTypes) throws Exception {
        return OperatorUidsTest.fullGraph(OperatorUidsTest.everything(), warehouse, env -> {
            if (disableGenericTypes) {
                // As pipeline.generic-types=false: any type that would need Kryo fails when its serializer is created.
                env.getConfig().disableGenericTypes();
            }
        });
    }

    /** Types serialized with Kryo, each with the operators whose serializers hold it. */
    private static Map<String, TreeSet<String>> kryoTypes(StreamGraph graph) throws Exception {
        Map<String, TreeSet<String>> found = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            List<Object> roots = new ArrayList<>();
            for (TypeSerializer<?> s : node.getTypeSerializersIn()) {
                roots.add(s);
            }
            roots.add(node.getTypeSerializerOut());
            roots.add(node.getStateKeySerializer());
            if (node.getOperatorFactory() instanceof SimpleOperatorFactory) {
                // Operators built with their state descriptors (windows) carry them in fields.
                Object operator = ((SimpleOperatorFactory<?>) node.getOperatorFactory()).getOperator();
                for (Object descriptor : fieldsOfType(operator, StateDescriptor.class)) {
                    StateDescriptor<?, ?> d = (StateDescriptor<?, ?>) descriptor;
                    roots.add(d.isSerializerInitialized() ? d.getSerializer() : null);
                }
            }
            Map<Object, Boolean> seen = new IdentityHashMap<>();
            for (Object root : roots) {
                collectKryo(root, seen, type -> found.computeIfAbsent(type, t -> new TreeSet<>())
                        .add(node.getOperatorName().replaceAll("\\s+", " ")));
            }
        }
        return found;
    }

    /** Walks a serializer and the serializers in its fields (nested, arrays included) for Kryo ones. */
    private static void collectKryo(Object serializer, Map<Object, Boolean> seen, java.util.function.Consumer<String> kryo)
            throws IllegalAccessException {
        if (serializer == null || seen.put(serializer, Boolean.TRUE) != null) {
            return;
        }
        if (serializer instanceof KryoSerializer) {
            Field type;
            try {
                type = KryoSerializer.class.getDeclaredField("type");
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("KryoSerializer has no 'type' field in this Flink version", e);
            }
            type.setAccessible(true);
            kryo.accept(((Class<?>) type.get(serializer)).getName());
            return;
        }
        for (Object nested : fieldsOfType(serializer, TypeSerializer.class)) {
            collectKryo(nested, seen, kryo);
        }
    }

    /** Values of {@code object}'s instance fields (of it and its superclasses) that are, or are arrays of, {@code type}. */
    private static List<Object> fieldsOfType(Object object, Class<?> type) throws IllegalAccessException {
        List<Object> values = new ArrayList<>();
        for (Class<?> c = object.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                boolean single = type.isAssignableFrom(f.getType()) || f.getType() == Object.class;
                boolean array = f.getType().isArray() && !f.getType().getComponentType().isPrimitive();
                if (!single && !array) {
                    continue;
                }
                f.setAccessible(true);
                Object v = f.get(object);
                if (v != null && type.isInstance(v)) {
                    values.add(v);
                } else if (v instanceof Object[]) {
                    for (Object e : (Object[]) v) {
                        if (type.isInstance(e)) {
                            values.add(e);
                        }
                    }
                }
            }
        }
        return values;
    }
}
