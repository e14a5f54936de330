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
                .containsOnlyKeys("warehouse", "io-impl", "glue.skip-archive")
                .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
                // One commit per checkpoint: no archived Glue table version for each.
                .containsEntry("glue.skip-archive", "true");
        assertThat(CatalogType.GLUE.implementation()).isEqualTo("org.apache.iceberg.aws.glue.GlueCatalog");
    }

    @Test
    void glueCatalogInAnotherAccountUnderLakeFormation() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.WAREHOUSE, "s3://prod-lake/warehouse");
        conf.set(CatalogOptions.GLUE_CATALOG_ID, "123456789012");
        conf.set(CatalogOptions.GLUE_LAKE_FORMATION, true);
        conf.set(CatalogOptions.REGION, "eu-west-1");

        assertThat(CatalogFactory.catalogProperties(conf))
                .containsEntry("glue.id", "123456789012")
                .containsEntry("glue.lakeformation-enabled", "true")
                .containsEntry("client.region", "eu-west-1");
    }

    @Test
    void s3TablesThroughTheirIcebergRestEndpointAreSignedWithSigV4() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.TYPE, CatalogType.REST);
        conf.set(CatalogOptions.URI, "https://s3tables.us-east-1.amazonaws.com/iceberg");
        conf.set(CatalogOptions.WAREHOUSE, "arn:aws:s3tables:us-east-1:123456789012:bucket/lake");
        conf.set(CatalogOptions.REST_AUTH, CatalogOptions.RestAuth.SIGV4);
        conf.set(CatalogOptions.REST_SIGNING_NAME, CatalogOptions.SigningName.S3TABLES);
        conf.set(CatalogOptions.REGION, "us-east-1");

        assertThat(CatalogFactory.catalogProperties(conf))
                .containsEntry("uri", "https://s3tables.us-east-1.amazonaws.com/iceberg")
                .containsEntry("warehouse", "arn:aws:s3tables:us-east-1:123456789012:bucket/lake")
                .containsEntry("rest.auth.type", "sigv4")
                .containsEntry("rest.signing-name", "s3tables")
                .containsEntry("rest.signing-region", "us-east-1")
                .containsEntry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
        // The class the sigv4 auth type loads is in the runtime we ship.
        assertThat(org.apache.iceberg.rest.auth.AuthProperties.AUTH_MANAGER_IMPL_SIGV4)
                .isEqualTo(org.apache.iceberg.aws.RESTSigV4AuthManager.class.getName());
    }

    @Test
    void glueIcebergRestEndpointDefaultsToSigningForGlue() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.TYPE, CatalogType.REST);
        conf.set(CatalogOptions.URI, "https://glue.eu-west-1.amazonaws.com/iceberg");
        conf.set(CatalogOptions.WAREHOUSE, "123456789012");
        conf.set(CatalogOptions.REST_AUTH, CatalogOptions.RestAuth.SIGV4);
        conf.set(CatalogOptions.REGION, "eu-west-1");

        assertThat(CatalogFactory.catalogProperties(conf)).containsEntry("rest.signing-name", "glue");
    }

    @Test
    void restAuthWithoutWhatItNeedsNamesTheKey() {
        Configuration conf = new Configuration();
        conf.set(CatalogOptions.TYPE, CatalogType.REST);
        conf.set(CatalogOptions.URI, "https://glue.eu-west-1.amazonaws.com/iceberg");
        conf.set(CatalogOptions.WAREHOUSE, "123456789012");
        conf.set(CatalogOptions.REST_AUTH, CatalogOptions.RestAuth.SIGV4);
        assertThatThrownBy(() -> CatalogFactory.catalogProperties(conf))
                .hasMessageContaining("'catalog.region'").hasMessageContaining("catalog.rest.auth=SIGV4");

        conf.set(CatalogOptions.REST_AUTH, CatalogOptions.RestAuth.OAUTH2);
        conf.set(CatalogOptions.REST_OAUTH2_CREDENTIAL, "no-colon");
        assertThatThrownBy(() -> CatalogFactory.catalogProperties(conf))
                .hasMessageContaining("'catalog.rest.oauth2-credential'").hasMessageContaining("client_id:client_secret");

        conf.set(CatalogOptions.REST_OAUTH2_CREDENTIAL, "id:secret");
        conf.set(CatalogOptions.REST_OAUTH2_SCOPE, "catalog");
        assertThat(CatalogFactory.catalogProperties(conf)).containsEntry("rest.auth.type", "oauth2")
                .containsEntry("credential", "id:secret").containsEntry("scope", "catalog");
        assertThat(CatalogOptions.secrets()).contains(CatalogOptions.REST_OAUTH2_CREDENTIAL);
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
