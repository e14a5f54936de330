package dev.lakestream.catalog;

/** The Iceberg catalogs the pipeline can commit through. */
public enum CatalogType {
    /** AWS Glue Data Catalog with S3FileIO: what Athena and Redshift Spectrum read in production. */
    GLUE("org.apache.iceberg.aws.glue.GlueCatalog"),
    /** Iceberg REST catalog (including the Glue Iceberg REST endpoint and S3 Tables). */
    REST("org.apache.iceberg.rest.RESTCatalog"),
    /** JDBC catalog (Iceberg's, registering the driver of the application jar): the local run and tests keep it on PostgreSQL. */
    JDBC("dev.lakestream.catalog.internal.DriverLoadingJdbcCatalog"),
    /** Hadoop catalog on a file system path: single-writer experiments only. */
    HADOOP("org.apache.iceberg.hadoop.HadoopCatalog");

    private final String implementation;

    CatalogType(String implementation) {
        this.implementation = implementation;
    }

    /** Fully qualified Iceberg catalog class, as Iceberg's {@code catalog-impl} expects. */
    public String implementation() {
        return implementation;
    }
}
