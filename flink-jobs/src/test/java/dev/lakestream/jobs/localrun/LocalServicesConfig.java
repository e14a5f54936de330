package dev.lakestream.jobs.localrun;

import dev.lakestream.localservices.LocalServices;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pipeline configuration (same keys as production) that points at the local services. */
public final class LocalServicesConfig {

    private LocalServicesConfig() {}

    public static Map<String, String> pipelineProperties(LocalServices services, List<String> topics) {
        Map<String, String> catalog = services.icebergCatalogProperties();
        Map<String, String> raw = new LinkedHashMap<>();
        raw.put("kafka.bootstrap-servers", services.kafkaBootstrapServers());
        raw.put("kafka.topics", String.join(";", topics));
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
}
