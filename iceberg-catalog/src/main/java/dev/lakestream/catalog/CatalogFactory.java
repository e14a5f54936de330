package dev.lakestream.catalog;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds Iceberg catalogs from {@link CatalogOptions}. Every catalog type writes through
 * {@code S3FileIO} when the warehouse is on S3, so the local run and production share one IO path.
 */
public final class CatalogFactory {

    private static final String S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO";

    private CatalogFactory() {}

    /**
     * Iceberg catalog properties for the configured catalog.
     *
     * @throws IllegalArgumentException naming the missing key when a type's required option is unset
     */
    public static Map<String, String> catalogProperties(ReadableConfig config) {
        CatalogType type = config.get(CatalogOptions.TYPE);
        String warehouse = required(config, CatalogOptions.WAREHOUSE, type);

        Map<String, String> props = new LinkedHashMap<>();
        props.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        if (warehouse.startsWith("s3://") || warehouse.startsWith("s3a://")) {
            props.put(CatalogProperties.FILE_IO_IMPL, S3_FILE_IO);
        }
        switch (type) {
            case JDBC:
                props.put(CatalogProperties.URI, required(config, CatalogOptions.URI, type));
                props.put("jdbc.schema-version", "V1");
                config.getOptional(CatalogOptions.JDBC_USER).ifPresent(v -> props.put("jdbc.user", v));
                config.getOptional(CatalogOptions.JDBC_PASSWORD)
                        .ifPresent(v -> props.put("jdbc.password", v));
                break;
            case REST:
                props.put(CatalogProperties.URI, required(config, CatalogOptions.URI, type));
                restAuth(config, props);
                break;
            case GLUE:
                // Glue registers each table with table_type=ICEBERG (what Athena and Redshift look for),
                // one Glue database per layer namespace.
                props.put("glue.skip-archive", String.valueOf(config.get(CatalogOptions.GLUE_SKIP_ARCHIVE)));
                config.getOptional(CatalogOptions.GLUE_CATALOG_ID).ifPresent(v -> props.put("glue.id", v));
                if (config.get(CatalogOptions.GLUE_LAKE_FORMATION)) {
                    props.put("glue.lakeformation-enabled", "true");
                }
                break;
            case HADOOP:
                break;
            default:
                throw new IllegalStateException("Unhandled catalog type " + type);
        }
        config.getOptional(CatalogOptions.REGION).ifPresent(v -> props.put("client.region", v));
        config.getOptional(CatalogOptions.S3_ENDPOINT).ifPresent(v -> props.put("s3.endpoint", v));
        if (config.get(CatalogOptions.S3_PATH_STYLE_ACCESS)) {
            props.put("s3.path-style-access", "true");
        }
        Optional<String> accessKey = config.getOptional(CatalogOptions.S3_ACCESS_KEY_ID);
        Optional<String> secretKey = config.getOptional(CatalogOptions.S3_SECRET_ACCESS_KEY);
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new IllegalArgumentException(
                    "Set both '"
                            + CatalogOptions.S3_ACCESS_KEY_ID.key()
                            + "' and '"
                            + CatalogOptions.S3_SECRET_ACCESS_KEY.key()
                            + "', or neither (then the default AWS credentials chain is used).");
        }
        accessKey.ifPresent(v -> props.put("s3.access-key-id", v));
        secretKey.ifPresent(v -> props.put("s3.secret-access-key", v));
        return props;
    }

    private static void restAuth(ReadableConfig config, Map<String, String> props) {
        switch (config.get(CatalogOptions.REST_AUTH)) {
            case SIGV4:
                String region = config.getOptional(CatalogOptions.REGION).filter(v -> !v.isBlank()).orElseThrow(() ->
                        new IllegalArgumentException("Missing required option '" + CatalogOptions.REGION.key() + "' for "
                                + CatalogOptions.REST_AUTH.key() + "=SIGV4: requests are signed for one region."));
                props.put("rest.auth.type", "sigv4");
                props.put("rest.signing-name", config.get(CatalogOptions.REST_SIGNING_NAME).name().toLowerCase(Locale.ROOT));
                props.put("rest.signing-region", region);
                // Glue and S3 Tables hand out no FileIO of their own: data goes through S3FileIO.
                props.put(CatalogProperties.FILE_IO_IMPL, S3_FILE_IO);
                break;
            case OAUTH2:
                props.put("rest.auth.type", "oauth2");
                props.put("credential", config.getOptional(CatalogOptions.REST_OAUTH2_CREDENTIAL).filter(v -> v.contains(":"))
                        .orElseThrow(() -> new IllegalArgumentException("Missing or malformed option '"
                                + CatalogOptions.REST_OAUTH2_CREDENTIAL.key() + "' for " + CatalogOptions.REST_AUTH.key()
                                + "=OAUTH2: expected client_id:client_secret.")));
                config.getOptional(CatalogOptions.REST_OAUTH2_SCOPE).ifPresent(v -> props.put("scope", v));
                break;
            case NONE:
                break;
            default:
                throw new IllegalStateException("Unhandled REST auth " + config.get(CatalogOptions.REST_AUTH));
        }
    }

    /** A serializable loader that Flink operators use to open the catalog on the task managers. */
    public static CatalogLoader loader(ReadableConfig config) {
        CatalogType type = config.get(CatalogOptions.TYPE);
        return CatalogLoader.custom(
                config.get(CatalogOptions.NAME),
                catalogProperties(config),
                new Configuration(),
                type.implementation());
    }

    /** Opens the catalog in this JVM, e.g. to provision tables before the job is submitted. */
    public static Catalog open(ReadableConfig config) {
        return loader(config).loadCatalog();
    }

    private static String required(ReadableConfig config, ConfigOption<String> option, CatalogType type) {
        return config.getOptional(option)
                .filter(v -> !v.isBlank())
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "Missing required option '"
                                                + option.key()
                                                + "' for "
                                                + CatalogOptions.TYPE.key()
                                                + "="
                                                + type
                                                + "."));
    }
}
