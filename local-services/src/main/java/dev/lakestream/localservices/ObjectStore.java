package dev.lakestream.localservices;

import java.net.URI;

/**
 * An S3-compatible object store on loopback: s3proxy (embedded mode) or MinIO (testcontainers
 * mode). Clients must use path-style access ({@code s3.path-style-access=true} in Iceberg,
 * {@code forcePathStyle(true)} in the AWS SDK v2) and the static credentials below.
 */
public interface ObjectStore {

  /** HTTP endpoint, e.g. {@code http://127.0.0.1:41234}. */
  URI endpoint();

  /** Access key id for static credentials. */
  String accessKey();

  /** Secret access key for static credentials. */
  String secretKey();

  /** Region to sign requests for: {@code us-east-1}. */
  String region();

  /** Bucket created at start for Iceberg warehouses, e.g. {@code lakehouse}. */
  String warehouseBucket();

  /**
   * Creates a bucket; does nothing when it exists. S3 bucket names are 3-63 characters of
   * {@code [a-z0-9.-]}: no underscores, unlike {@link LocalServices#uniqueName(String)}.
   *
   * @throws ServiceStartException when the store refuses
   */
  void createBucket(String bucket);
}
