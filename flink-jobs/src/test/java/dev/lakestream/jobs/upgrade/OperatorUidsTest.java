package dev.lakestream.jobs.upgrade;

import dev.lakestream.catalog.spec.TableProvisioner;
import dev.lakestream.catalog.spec.TableSpec;
import dev.lakestream.jobs.IngestionPipeline;
import dev.lakestream.jobs.PipelineEnvironment;
import dev.lakestream.jobs.config.PipelineConfig;
import dev.lakestream.jobs.sink.IcebergTableSink;

import org.apache.flink.api.common.functions.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.SimpleUdfStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.util.StringUtils;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators a savepoint maps its state to, checked against a manifest ({@code
 * src/test/resources/savepoint/operator-uids.txt}) for the job with every kind of source that
 * needs no server to build (Kafka and Kinesis bronze, both silver datasets, Debezium CDC), gold and
 * rolling features on. A savepoint restores state by operator id: an explicit {@code uid} hashed, or
 * for an operator without one a hash of its place in the graph.
 *
 * <ul>
 *   <li>An id of the manifest missing from the graph fails: that operator's state in every existing
 *       savepoint would have nowhere to go, and a restore with {@code allowNonRestoredState=false}
 *       fails (with {@code true}, the state is silently dropped).
 *   <li>An id in the graph missing from the manifest fails too, so the manifest stays complete.
 *   <li>A keyed operator, a source or a sink without an explicit uid fails (listed as {@code auto}):
 *       its id changes whenever the graph around it does. The Table API's operators get theirs from
 *       {@code TableApiUids}.
 * </ul>
 *
 * After an intentional change: {@code mvn -pl flink-jobs test -Dtest=OperatorUidsTest
 * -Dlakestream.update-uid-manifest=true} rewrites the manifest; commit it with a note on what
 * happens to existing savepoints (README, "Upgrades and savepoints").
 */
class OperatorUidsTest {

    static final Path MANIFEST = Path.of("src", "test", "resources", "savepoint", "operator-uids.txt");
    static final String UPDATE = "lakestream.update-uid-manifest";

    /** A configuration with every server-less source, silver, CDC, gold and features. */
    static Map<String, String> everything() {
        Map<String, String> raw = new HashMap<>();
        raw.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        raw.put("kafka.topics", "orders;clickstream");
        raw.put("kinesis.streams", "arn:aws:kinesis:eu-west-1:123456789012:stream/fulfillment");
        raw.put("silver.clickstream.source", "clickstream");
        raw.put("silver.fulfillment-events.source", "fulfillment");
        raw.put("cdc.kafka.topics", "shop.public.customers;shop.public.orders");
        raw.put("cdc.kafka.tables", "public.customers;public.orders");
        raw.put("cdc.kafka.primary-keys", "public.customers=customer_id;public.orders=order_id");
        raw.put("cdc.kafka.column-types", "public.customers=customer_id LONG, region STRING;"
                + "public.orders=order_id LONG, customer_id LONG, status STRING, total DECIMAL(12,2),"
                + " created_at TIMESTAMP_UTC, updated_at TIMESTAMP_UTC");
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", "jdbc:postgresql://127.0.0.1/iceberg_catalog");
        raw.put("catalog.warehouse", "s3://lake/warehouse");
        return raw;
    }

    /** One line per operator that holds or may hold state: {@code uid <uid>} or {@code auto <id> <name>}. */
    static List<String> operatorIds(Map<String, String> raw, Path warehouse) throws Exception {
        StreamGraph graph = fullGraph(raw, warehouse, env -> { });
        Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(graph);

        Map<String, String> lines = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid != null) {
                String previous = lines.put("uid " + uid, "uid " + uid);
                assertThat(previous).as("uid %s given to more than one operator", uid).isNull();
            } else if (mayHoldState(graph, node)) {
                String id = StringUtils.byteToHexString(hashes.get(node.getId()));
                String name = node.getOperatorName().replaceAll("\\s+", " ");
                lines.put("auto " + id, "auto " + id + " " + (name.length() > 100 ? name.substring(0, 100) + "..." : name));
            }
        }
        return new ArrayList<>(lines.values());
    }

    /**
     * The job graph of {@code raw}, built without servers: its tables are provisioned in a local
     * Hadoop catalog under {@code warehouse} (the gold sinks read their metadata while the graph is
     * built). {@code adjust} may change the environment before the job is added.
     */
    static StreamGraph fullGraph(Map<String, String> raw, Path warehouse,
            java.util.function.Consumer<StreamExecutionEnvironment> adjust) throws Exception {
        Configuration config = IngestionPipeline.validate(PipelineConfig.fromMap(raw, IngestionPipeline.options())).configuration();
        Map<String, String> props = Map.of(CatalogProperties.WAREHOUSE_LOCATION, warehouse.toUri().toString());
        HadoopCatalog catalog = new HadoopCatalog(new org.apache.hadoop.conf.Configuration(), warehouse.toUri().toString());
        TableProvisioner provisioner = new TableProvisioner(catalog);
        for (TableSpec spec : IngestionPipeline.tables(config)) {
            provisioner.ensure(spec);
        }
        CatalogLoader loader = CatalogLoader.hadoop("lake", new org.apache.hadoop.conf.Configuration(), props);
        IcebergTableSink sink = new IcebergTableSink(loader, "operator-uids");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineEnvironment.configure(env, config);
        adjust.accept(env);
        IngestionPipeline.job(config, sink, sink).addTo(env);
        return env.getStreamGraph(false);
    }

    /** Keyed operators, sources, sinks, and functions with operator state. */
    private static boolean mayHoldState(StreamGraph graph, StreamNode node) {
        if (node.getStatePartitioners().length > 0 || graph.getSourceIDs().contains(node.getId())
                || graph.getSinkIDs().contains(node.getId())) {
            return true;
        }
        StreamOperatorFactory<?> factory = node.getOperatorFactory();
        if (factory instanceof SimpleUdfStreamOperatorFactory) {
            Function function = ((SimpleUdfStreamOperatorFactory<?>) factory).getUserFunction();
            return function instanceof CheckpointedFunction;
        }
        return false;
    }

    @Test
    void everyOperatorIdOfTheManifestIsInTheGraphAndNoOther(@TempDir Path warehouse) throws Exception {
        List<String> actual = operatorIds(everything(), warehouse);
        if (Boolean.getBoolean(UPDATE)) {
            Files.createDirectories(MANIFEST.getParent());
            Files.write(MANIFEST, withHeader(actual), StandardCharsets.UTF_8);
            System.out.println("OperatorUidsTest: wrote " + actual.size() + " operator ids to " + MANIFEST.toAbsolutePath());
        }
        List<String> manifest = Files.readAllLines(MANIFEST, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
        Map<String, String> expectedById = byId(manifest);
        Map<String, String> actualById = byId(actual);

        List<String> gone = expectedById.keySet().stream().filter(id -> !actualById.containsKey(id))
                .map(expectedById::get).collect(Collectors.toList());
        assertThat(gone).as("Operators of the savepoint manifest that the job no longer has. Their state in every existing"
                + " savepoint has nowhere to go: a restore with allowNonRestoredState=false fails, and with true the state is"
                + " dropped. Restore the uid (or the graph around an 'auto' operator); if dropping that state is intended,"
                + " regenerate the manifest with -D" + UPDATE + "=true and say in the commit what happens to existing"
                + " savepoints").isEmpty();
        List<String> added = actualById.keySet().stream().filter(id -> !expectedById.containsKey(id))
                .map(actualById::get).collect(Collectors.toList());
        assertThat(added).as("Operators the manifest does not list: give every stateful operator an explicit, stable uid"
                + " and add it to " + MANIFEST + " (regenerate with -D" + UPDATE + "=true)").isEmpty();
        assertThat(actual).as("operator ids").hasSizeGreaterThan(30);
        assertThat(actual).filteredOn(line -> line.startsWith("auto ")).as("Keyed operators, sources and sinks without an"
                + " explicit uid: their ids move whenever the graph before them changes, and their state with them. Give"
                + " each a uid (a Table API query: TableApiUids.assign)").isEmpty();
    }

    private static Map<String, String> byId(List<String> lines) {
        Map<String, String> byId = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ", 3);
            byId.put(f[0] + " " + f[1], line);
        }
        return byId;
    }

    private static List<String> withHeader(List<String> lines) {
        List<String> out = new ArrayList<>();
        out.add("# Operator ids a savepoint of the ingestion job maps its state to (OperatorUidsTest).");
        out.add("# 'uid <uid>': an explicit uid. 'auto <operator id> <name>': a keyed operator, source or sink");
        out.add("# without one: its id is a hash of its place in the graph (the test fails on any).");
        out.add("# Regenerate after an intentional change: mvn -pl flink-jobs test -Dtest=OperatorUidsTest"
                + " -D" + UPDATE + "=true");
        out.addAll(lines);
        return out;
    }
}
