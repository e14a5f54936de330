package dev.lakestream.catalog;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * Options that select and reach the Iceberg catalog. Keys are the same in the local properties
 * file and in the Managed Service for Apache Flink property group {@code catalog}.
 */
public final class CatalogOptions {

    public static final ConfigOption<CatalogType> TYPE =
            ConfigOptions.key("catalog.type")
                    .enumType(CatalogType.class)
                    .defaultValue(CatalogType.GLUE)
                    .withDescription(
                            "Which Iceberg catalog to commit through: GLUE (production), REST, JDBC (local run) or HADOOP.");

    public static final ConfigOption<String> NAME =
            ConfigOptions.key("catalog.name")
                    .stringType()
                    .defaultValue("lakehouse")
                    .withDescription("Catalog name used in logs and by Iceberg's catalog loader.");

    public static final ConfigOption<String> WAREHOUSE =
            ConfigOptions.key("catalog.warehouse")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Root location of table data and metadata, e.g. s3://my-bucket/warehouse. Required.");

    public static final ConfigOption<String> URI =
            ConfigOptions.key("catalog.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JDBC URL (type JDBC) or REST endpoint (type REST) of the catalog. Required for those types; not used by GLUE and HADOOP.");

    public static final ConfigOption<String> JDBC_USER =
            ConfigOptions.key("catalog.jdbc.user")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("User of the JDBC catalog database (type JDBC).");

    public static final ConfigOption<String> JDBC_PASSWORD =
            ConfigOptions.key("catalog.jdbc.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of the JDBC catalog database (type JDBC). Never logged.");

    public static final ConfigOption<String> REGION =
            ConfigOptions.key("catalog.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "AWS region for S3 and Glue clients. Unset: the SDK's default region chain (on MSF, the application's region).");

    public static final ConfigOption<String> S3_ENDPOINT =
            ConfigOptions.key("catalog.s3.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "S3 endpoint override for S3-compatible stores (local run: the embedded store). Unset on AWS.");

    public static final ConfigOption<Boolean> S3_PATH_STYLE_ACCESS =
            ConfigOptions.key("catalog.s3.path-style-access")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Address buckets as http://endpoint/bucket instead of http://bucket.endpoint. Needed by most S3-compatible stores.");

    public static final ConfigOption<String> S3_ACCESS_KEY_ID =
            ConfigOptions.key("catalog.s3.access-key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Static S3 access key (S3-compatible stores only). Unset on AWS: the application's IAM role is used.");

    public static final ConfigOption<String> S3_SECRET_ACCESS_KEY =
            ConfigOptions.key("catalog.s3.secret-access-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Static S3 secret key, paired with catalog.s3.access-key-id. Never logged.");

    private CatalogOptions() {}

    /** Every option of this class, for key validation and generated documentation. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                TYPE,
                NAME,
                WAREHOUSE,
                URI,
                JDBC_USER,
                JDBC_PASSWORD,
                REGION,
                S3_ENDPOINT,
                S3_PATH_STYLE_ACCESS,
                S3_ACCESS_KEY_ID,
                S3_SECRET_ACCESS_KEY);
    }

    /** Options whose values must never be printed. */
    public static List<ConfigOption<?>> secrets() {
        return List.of(JDBC_PASSWORD, S3_SECRET_ACCESS_KEY);
    }
}
