package dev.lakestream.jobs.upgrade;

import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorBackendSerializationProxy;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.shaded.guava31.com.google.common.hash.Hashing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The state each operator of a savepoint holds, read from the savepoint itself: per operator (by
 * uid, when it has one of {@code uids}), each state's name, kind and serializer snapshot classes
 * (nested ones too, so a {@code MapState<Long, long[]>} that becomes {@code MapState<Long,
 * String>} shows). A checked-in list of these lines fails a test when a state type changes: the
 * change must then be reviewed as a savepoint-compatibility change.
 */
final class SavepointStateTypes {

    private SavepointStateTypes() {}

    /**
     * The operators of a job graph by the id a savepoint knows them by, named as {@link
     * OperatorUidsTest#operatorIds} lists them ({@code uid <uid>} or {@code auto <id> <name>}; auto
     * operators by name, since their ids change with the graph around them), with {@code
     * normalize} applied to the names.
     */
    static Map<OperatorID, String> names(List<String> operatorIds, java.util.function.UnaryOperator<String> normalize) {
        Map<OperatorID, String> names = new HashMap<>();
        for (String line : operatorIds) {
            if (line.startsWith("uid ")) {
                String uid = line.substring(4);
                names.put(uidHash(uid), "uid " + normalize.apply(uid));
            } else {
                String[] parts = line.split(" ", 3);
                // Without the planner's node numbers ("WindowAggregate[114]"): they count every plan the JVM made.
                names.put(new OperatorID(org.apache.flink.util.StringUtils.hexStringToByte(parts[1])),
                        "auto " + normalize.apply(parts.length > 2 ? parts[2] : "").replaceAll("\\[\\d+\\]", ""));
            }
        }
        return names;
    }

    /**
     * One line per (operator, state), sorted. {@code savepoint} is the savepoint directory; it must
     * be in canonical format.
     */
    static List<String> read(Path savepoint, Map<OperatorID, String> names) throws IOException {
        ClassLoader loader = SavepointStateTypes.class.getClassLoader();
        CheckpointMetadata metadata;
        try (InputStream in = Files.newInputStream(savepoint.resolve("_metadata"))) {
            metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in), loader, savepoint.toUri().toString());
        }
        TreeSet<String> lines = new TreeSet<>();
        for (OperatorState operator : metadata.getOperatorStates()) {
            // Operators without a uid whose generated id the listing does not have (chained operators of
            // Iceberg's sinks) are named by their state alone: a type change still shows.
            String name = names.getOrDefault(operator.getOperatorID(), "unnamed");
            for (OperatorSubtaskState subtask : operator.getStates()) {
                for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
                    if (!(handle instanceof KeyGroupsStateHandle)) {
                        throw new IllegalArgumentException("keyed state of " + name + " is " + handle.getClass().getSimpleName()
                                + ": take the savepoint in canonical format");
                    }
                    try (FSDataInputStream in = ((KeyGroupsStateHandle) handle).openInputStream()) {
                        KeyedBackendSerializationProxy<?> proxy = new KeyedBackendSerializationProxy<>(loader);
                        proxy.read(new DataInputViewStreamWrapper(in));
                        for (StateMetaInfoSnapshot state : proxy.getStateMetaInfoSnapshots()) {
                            lines.add(line(name, "keyed", state));
                        }
                    }
                }
                for (OperatorStateHandle handle : subtask.getManagedOperatorState()) {
                    try (FSDataInputStream in = handle.openInputStream()) {
                        OperatorBackendSerializationProxy proxy = new OperatorBackendSerializationProxy(loader);
                        proxy.read(new DataInputViewStreamWrapper(in));
                        for (StateMetaInfoSnapshot state : proxy.getOperatorStateMetaInfoSnapshots()) {
                            lines.add(line(name, "operator", state));
                        }
                        for (StateMetaInfoSnapshot state : proxy.getBroadcastStateMetaInfoSnapshots()) {
                            lines.add(line(name, "broadcast", state));
                        }
                    }
                }
            }
        }
        return new ArrayList<>(lines);
    }

    /** The operator id Flink derives from a uid (what {@code StreamGraphHasherV2} does with {@code uid(...)}). */
    static OperatorID uidHash(String uid) {
        return new OperatorID(Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes());
    }

    private static String line(String operator, String kind, StateMetaInfoSnapshot state) {
        StringBuilder out = new StringBuilder(operator).append(" | ").append(kind).append(' ').append(state.getName()).append(" |");
        new java.util.TreeMap<>(state.getSerializerSnapshotsImmutable())
                .forEach((role, snapshot) -> out.append(' ').append(role).append('=').append(describe(snapshot)));
        return out.toString();
    }

    private static String describe(TypeSerializerSnapshot<?> snapshot) {
        if (snapshot == null) {
            return "null";
        }
        String name = snapshot.getClass().getName().replaceFirst("^org\\.apache\\.flink\\.", "o.a.f.");
        if (snapshot instanceof CompositeTypeSerializerSnapshot) {
            StringBuilder nested = new StringBuilder();
            for (TypeSerializerSnapshot<?> inner : ((CompositeTypeSerializerSnapshot<?, ?>) snapshot).getNestedSerializerSnapshots()) {
                nested.append(nested.length() == 0 ? "" : ",").append(describe(inner));
            }
            return name + "<" + nested + ">";
        }
        return name + "@v" + snapshot.getCurrentVersion();
    }
}
