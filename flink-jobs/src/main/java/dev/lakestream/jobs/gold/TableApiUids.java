package dev.lakestream.jobs.gold;

import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.transformations.PhysicalTransformation;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Gives the operators the Table API planned for one query uids of their own: {@code gold-sql-}, the
 * query's name, and the operator's kind ({@code global-window-aggregate}, numbered when a query
 * has more than one of a kind). Without them their ids hash their place in the whole job graph, so
 * adding or removing any operator before them in the graph moves their state (open windows) out
 * of reach of every existing savepoint.
 */
final class TableApiUids {

    private TableApiUids() {}

    /**
     * Sets the uids of the operators from {@code result} (the query converted to a stream, its
     * conversion included) back to {@code inputs} (the streams the query reads, excluded), except
     * any that already has one.
     *
     * @throws IllegalStateException when the walk reaches a source that is not one of the inputs
     */
    static <T> DataStream<T> assign(DataStream<T> result, String query, DataStream<?>... inputs) {
        Set<Transformation<?>> stops = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DataStream<?> input : inputs) {
            stops.add(input.getTransformation());
        }
        Set<Transformation<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Integer> kinds = new HashMap<>();
        Deque<Transformation<?>> next = new ArrayDeque<>();
        next.push(result.getTransformation());
        while (!next.isEmpty()) {
            Transformation<?> t = next.pop();
            if (stops.contains(t) || !seen.add(t)) {
                continue;
            }
            if (t.getInputs().isEmpty()) {
                throw new IllegalStateException("Query " + query + " reads " + t.getName() + ", which is not one of its"
                        + " inputs: pass every stream the query reads to TableApiUids.assign");
            }
            if (t instanceof PhysicalTransformation && t.getUid() == null) {
                String kind = kind(t.getName());
                int n = kinds.merge(kind, 1, Integer::sum);
                t.setUid("gold-sql-" + query + "-" + kind + (n > 1 ? "-" + n : ""));
            }
            // Inputs in reverse, so the walk (and the numbering) follows the first input first.
            for (int i = t.getInputs().size() - 1; i >= 0; i--) {
                next.push(t.getInputs().get(i));
            }
        }
        return result;
    }

    /**
     * "GlobalWindowAggregate[35]" becomes "global-window-aggregate", "*anonymous_datastream_source$3*"
     * "anonymous-datastream-source": the planner's node ids and source counters are not stable.
     */
    static String kind(String name) {
        String plain = name.replace("*", "").replaceAll("(\\[\\d+\\]|\\$\\d+)+$", "").replaceAll("[^A-Za-z0-9]+", "-");
        return plain.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT).replaceAll("^-|-$", "");
    }
}
