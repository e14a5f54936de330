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

    /** How the REST catalog client authenticates. */
    public enum RestAuth {
        /** No authentication (a local REST catalog). */
        NONE,
        /** AWS SigV4 request signing: the Glue Iceberg REST endpoint and S3 Tables. */
        SIGV4,
        /** OAuth2 client credentials ({@code catalog.rest.oauth2-credential}). */
        OAUTH2
    }

    /** The AWS service a SigV4-signed REST catalog request is for. */
    public enum SigningName {
        /** The Glue Data Catalog's Iceberg REST endpoint, {@code https://glue.<region>.amazonaws.com/iceberg}. */
        GLUE,
        /** S3 Tables' Iceberg REST endpoint, {@code https://s3tables.<region>.amazonaws.com/iceberg}. */
        S3TABLES
    }

    public static final ConfigOption<RestAuth> REST_AUTH =
            ConfigOptions.key("catalog.rest.auth")
                    .enumType(RestAuth.class)
                    .defaultValue(RestAuth.NONE)
                    .withDescription(
                            "How the REST catalog (type REST) authenticates: NONE, SIGV4 (AWS request signing, for the Glue"
                                    + " Iceberg REST endpoint and S3 Tables; needs catalog.region) or OAUTH2 (needs"
                                    + " catalog.rest.oauth2-credential).");

    public static final ConfigOption<SigningName> REST_SIGNING_NAME =
            ConfigOptions.key("catalog.rest.signing-name")
                    .enumType(SigningName.class)
                    .defaultValue(SigningName.GLUE)
                    .withDescription(
                            "The AWS service SigV4-signed REST requests are for (catalog.rest.auth=SIGV4): GLUE for"
                                    + " https://glue.<region>.amazonaws.com/iceberg (warehouse: the account id, or"
                                    + " <account-id>:s3tablescatalog/<bucket>), S3TABLES for"
                                    + " https://s3tables.<region>.amazonaws.com/iceberg (warehouse: the table bucket ARN).");

    public static final ConfigOption<String> REST_OAUTH2_CREDENTIAL =
            ConfigOptions.key("catalog.rest.oauth2-credential")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("OAuth2 client credentials client_id:client_secret (catalog.rest.auth=OAUTH2). Never logged.");

    public static final ConfigOption<String> REST_OAUTH2_SCOPE =
            ConfigOptions.key("catalog.rest.oauth2-scope")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("OAuth2 scope to request (catalog.rest.auth=OAUTH2). Unset: the catalog's default.");

    public static final ConfigOption<String> GLUE_CATALOG_ID =
            ConfigOptions.key("catalog.glue.catalog-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "AWS account id of the Glue Data Catalog (type GLUE), for a catalog in another account. Unset:"
                                    + " the account of the credentials.");

    public static final ConfigOption<Boolean> GLUE_SKIP_ARCHIVE =
            ConfigOptions.key("catalog.glue.skip-archive")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Do not keep an archived Glue table version per commit (type GLUE). A streaming job commits"
                                    + " every checkpoint; archiving each would reach Glue's limit of table versions.");

    public static final ConfigOption<Boolean> GLUE_LAKE_FORMATION =
            ConfigOptions.key("catalog.glue.lake-formation")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Tables are governed by AWS Lake Formation (type GLUE): data access uses the credentials Lake"
                                    + " Formation vends.");

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
                S3_SECRET_ACCESS_KEY,
                REST_AUTH,
                REST_SIGNING_NAME,
                REST_OAUTH2_CREDENTIAL,
                REST_OAUTH2_SCOPE,
                GLUE_CATALOG_ID,
                GLUE_SKIP_ARCHIVE,
                GLUE_LAKE_FORMATION);
    }

    /** Options whose values must never be printed. */
    public static List<ConfigOption<?>> secrets() {
        return List.of(JDBC_PASSWORD, S3_SECRET_ACCESS_KEY, REST_OAUTH2_CREDENTIAL);
    }
}
