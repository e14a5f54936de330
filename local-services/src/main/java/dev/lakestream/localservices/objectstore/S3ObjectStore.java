package dev.lakestream.localservices.objectstore;

import dev.lakestream.localservices.ObjectStore;
import dev.lakestream.localservices.ServiceStartException;
import dev.lakestream.localservices.support.ManagedService;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link ObjectStore} of a running server; closing it stops that server. Internal: not part of the API.
 */
public final class S3ObjectStore implements ObjectStore, ManagedService {
  public static final String REGION = "us-east-1";
  public static final String WAREHOUSE_BUCKET = "lakehouse";

  private final String name;
  private final URI endpoint;
  private final String accessKey;
  private final String secretKey;
  private final Runnable stopServer;
  private final S3Client s3;

  /** @param stopServer stops the server behind {@code endpoint}; run by {@link #close()} */
  public S3ObjectStore(String name, URI endpoint, String accessKey, String secretKey, Runnable stopServer) {
    this.name = name;
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.stopServer = stopServer;
    this.s3 = S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .forcePathStyle(true)
        .httpClient(ApacheHttpClient.builder().build())
        .build();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public URI endpoint() {
    return endpoint;
  }

  @Override
  public String accessKey() {
    return accessKey;
  }

  @Override
  public String secretKey() {
    return secretKey;
  }

  @Override
  public String region() {
    return REGION;
  }

  @Override
  public String warehouseBucket() {
    return WAREHOUSE_BUCKET;
  }

  @Override
  public void createBucket(String bucket) {
    try {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
      // Idempotent by contract.
    } catch (S3Exception e) {
      throw new ServiceStartException(name + " at " + endpoint + " refused to create bucket '" + bucket + "': "
          + e.awsErrorDetails().errorCode() + " " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ServiceStartException(name + " at " + endpoint + ": creating bucket '" + bucket + "' failed: " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      s3.close();
    } finally {
      stopServer.run();
    }
  }
}
