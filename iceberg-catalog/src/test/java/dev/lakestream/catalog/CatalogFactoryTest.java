package dev.lakestream.catalog;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogFactoryTest {

    @Test
    void jdbcCatalogMapsToIcebergProperties() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.TYPE, CatalogType.JDBC);
        conf.set(CatalogOptions.WAREHOUSE, "s3://lake/warehouse");
        conf.set(CatalogOptions.URI, "jdbc:postgresql://127.0.0.1:5432/iceberg_catalog");
        conf.set(CatalogOptions.JDBC_USER, "postgres");
        conf.set(CatalogOptions.S3_ENDPOINT, "http://127.0.0.1:9000");
        conf.set(CatalogOptions.S3_PATH_STYLE_ACCESS, true);
        conf.set(CatalogOptions.S3_ACCESS_KEY_ID, "ak");
        conf.set(CatalogOptions.S3_SECRET_ACCESS_KEY, "sk");
        conf.set(CatalogOptions.REGION, "us-east-1");

        Map<String, String> props = CatalogFactory.catalogProperties(conf);

        assertThat(props)
                .containsEntry("warehouse", "s3://lake/warehouse")
                .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
                .containsEntry("uri", "jdbc:postgresql://127.0.0.1:5432/iceberg_catalog")
                .containsEntry("jdbc.user", "postgres")
                .containsEntry("jdbc.schema-version", "V1")
                .containsEntry("s3.endpoint", "http://127.0.0.1:9000")
                .containsEntry("s3.path-style-access", "true")
                .containsEntry("s3.access-key-id", "ak")
                .containsEntry("s3.secret-access-key", "sk")
                .containsEntry("client.region", "us-east-1")
                .doesNotContainKey("jdbc.password");
    }

    @Test
    void glueCatalogNeedsOnlyAWarehouseAndUsesTheDefaultCredentialChain() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.WAREHOUSE, "s3://prod-lake/warehouse");

        Map<String, String> props = CatalogFactory.catalogProperties(conf);

        assertThat(conf.get(CatalogOptions.TYPE)).isEqualTo(CatalogType.GLUE);
        assertThat(props)
                .containsOnlyKeys("warehouse", "io-impl")
                .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        assertThat(CatalogType.GLUE.implementation()).isEqualTo("org.apache.iceberg.aws.glue.GlueCatalog");
    }

    @Test
    void missingRequiredOptionNamesTheKey() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.TYPE, CatalogType.JDBC);
        conf.set(CatalogOptions.WAREHOUSE, "s3://lake/warehouse");

        assertThatThrownBy(() -> CatalogFactory.catalogProperties(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'catalog.uri'")
                .hasMessageContaining("catalog.type=JDBC");
    }

    @Test
    void missingWarehouseNamesTheKey() {
        assertThatThrownBy(() -> CatalogFactory.catalogProperties(new Configuration()))
                .hasMessageContaining("'catalog.warehouse'");
    }

    @Test
    void halfOfAStaticCredentialPairIsRejected() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.WAREHOUSE, "s3://lake/warehouse");
        conf.set(CatalogOptions.S3_ACCESS_KEY_ID, "ak");

        assertThatThrownBy(() -> CatalogFactory.catalogProperties(conf))
                .hasMessageContaining("catalog.s3.access-key-id")
                .hasMessageContaining("catalog.s3.secret-access-key");
    }

    @Test
    void everyOptionHasADescription() {
        assertThat(CatalogOptions.all())
                .allSatisfy(o -> assertThat(o.description().getBlocks()).isNotEmpty());
    }
}
