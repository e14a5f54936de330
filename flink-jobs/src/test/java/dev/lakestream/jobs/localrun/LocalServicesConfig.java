package dev.lakestream.jobs.localrun;

import dev.lakestream.localservices.LocalServices;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pipeline configuration (same keys as production) that points at the local services. */
public final class LocalServicesConfig {

    private LocalServicesConfig() {}

    public static Map<String, String> pipelineProperties(LocalServices services, List<String> topics) {
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("kafka.bootstrap-servers", services.kafkaBootstrapServers());
        raw.put("kafka.topics", String.join(";", topics));
        raw.putAll(catalogProperties(services));
        return raw;
    }

    /** The catalog keys alone (JDBC catalog on the local PostgreSQL, S3FileIO on the local store). */
    public static Map<String, String> catalogProperties(LocalServices services) {
        Map<String, String> catalog = services.icebergCatalogProperties();
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("catalog.type", "JDBC");
        raw.put("catalog.uri", catalog.get("uri"));
        raw.put("catalog.jdbc.user", catalog.get("jdbc.user"));
        if (catalog.get("jdbc.password") != null) {
            raw.put("catalog.jdbc.password", catalog.get("jdbc.password"));
        }
        raw.put("catalog.warehouse", catalog.get("warehouse"));
        raw.put("catalog.s3.endpoint", catalog.get("s3.endpoint"));
        raw.put("catalog.s3.path-style-access", "true");
        raw.put("catalog.s3.access-key-id", catalog.get("s3.access-key-id"));
        raw.put("catalog.s3.secret-access-key", catalog.get("s3.secret-access-key"));
        raw.put("catalog.region", catalog.getOrDefault("client.region", "us-east-1"));
        return raw;
    }

    /** Keys that read {@code streamArns} from the local Kinesis-API server. */
    public static Map<String, String> kinesisProperties(LocalServices services, List<String> streamArns) {
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("kinesis.streams", String.join(";", streamArns));
        raw.put("kinesis.endpoint", services.kinesisEndpoint().toString());
        raw.put("kinesis.access-key-id", "local");
        raw.put("kinesis.secret-access-key", "local");
        // The connector assigns the shards it finds at start only at its next periodic discovery
        // (its readers are not registered yet at the first one): 1 s instead of 10 s to first read.
        raw.put("kinesis.shard-discovery-interval", "1 s");
        return raw;
    }

    /** Keys that capture {@code tables} of {@code database} on the local PostgreSQL. */
    public static Map<String, String> postgresCdcProperties(LocalServices services, String database, List<String> tables,
            String slot, String tablePrefix) {
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("cdc.postgres.hostname", services.postgres().host());
        raw.put("cdc.postgres.port", String.valueOf(services.postgres().port()));
        raw.put("cdc.postgres.database", database);
        raw.put("cdc.postgres.username", services.postgres().user());
        if (services.postgres().password() != null) {
            raw.put("cdc.postgres.password", services.postgres().password());
        }
        raw.put("cdc.postgres.tables", String.join(";", tables));
        raw.put("cdc.postgres.slot-name", slot);
        raw.put("cdc.postgres.table-prefix", tablePrefix);
        raw.put("cdc.postgres.heartbeat-interval", "1 s");
        return raw;
    }
}
