package dev.autoupload.targets;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the S3 target ({@code S3Target} in {@code autoupload-targets-s3}) stores files and how it
 * talks to the server. It lives here, not in the S3 module, so that {@link TargetUris} can check an
 * {@code s3://} URI, and {@link TargetSettings} hold a key, without the AWS SDK on the classpath.
 *
 * @param bucket the bucket, which must exist
 * @param prefix the key prefix every file goes under, '/'-separated, without leading or trailing
 *     '/'; empty for the bucket's root
 * @param endpoint the server, for S3-compatible stores; empty for AWS itself
 * @param region the signing region
 * @param pathStyle whether to address the bucket in the path ({@code http://host/bucket/key}),
 *     which most S3-compatible servers need
 * @param key explicit credentials; empty to use the standard AWS chain (environment, profile, …)
 * @param multipartThreshold files of at least this many bytes go up in parts and can be resumed;
 *     smaller ones in a single PutObject
 * @param partSize the size of every part but the last, at least S3's minimum of 5 MiB
 * @param checksumHeaders whether to send {@code x-amz-checksum-sha256} with every object and part,
 *     so the server checks what it received; off for servers that refuse the header (S3Proxy 2.9.0
 *     answers 501 unless it runs with ignore-unknown-headers)
 */
public record S3Config(
    String bucket,
    String prefix,
    Optional<URI> endpoint,
    String region,
    boolean pathStyle,
    Optional<AccessKey> key,
    long multipartThreshold,
    long partSize,
    boolean checksumHeaders) {

  /** S3 refuses parts but the last below this size. */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

  /** The multipart threshold of {@link #of}: 16 MiB. */
  public static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;

  /** The part size of {@link #of}: 16 MiB. */
  public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;

  /**
   * Checks the components; an unusable one fails here rather than at the first upload.
   *
   * @param bucket the bucket, which must exist
   * @param prefix the key prefix, without leading or trailing '/'; empty for the bucket's root
   * @param endpoint the server, for S3-compatible stores; empty for AWS itself
   * @param region the signing region
   * @param pathStyle whether to address the bucket in the path
   * @param key explicit credentials; empty to use the standard AWS chain
   * @param multipartThreshold the size from which files go up in parts; at least 1
   * @param partSize the size of every part but the last; at least {@value #MIN_PART_SIZE}
   * @param checksumHeaders whether to send {@code x-amz-checksum-sha256}
   * @throws NullPointerException when an object component is null
   * @throws IllegalArgumentException when the bucket is blank, the part size below S3's minimum or
   *     the threshold below 1
   */
  public S3Config {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(key, "key");
    if (bucket.isBlank()) {
      throw new IllegalArgumentException("the S3 bucket name is empty");
    }
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException(
          "S3 part size " + partSize + " is below S3's minimum of " + MIN_PART_SIZE + " bytes");
    }
    if (multipartThreshold < 1) {
      throw new IllegalArgumentException("S3 multipart threshold must be at least 1 byte");
    }
  }

  /**
   * A bucket and prefix on AWS in us-east-1, credentials from the standard chain, the default
   * multipart sizes and checksum headers on.
   *
   * @param bucket the bucket, which must exist
   * @param prefix the key prefix; empty for the bucket's root
   * @return the configuration, to refine with the {@code with…} methods
   */
  public static S3Config of(String bucket, String prefix) {
    return new S3Config(
        bucket,
        prefix,
        Optional.empty(),
        "us-east-1",
        false,
        Optional.empty(),
        DEFAULT_MULTIPART_THRESHOLD,
        DEFAULT_PART_SIZE,
        true);
  }

  /**
   * This configuration for an S3-compatible server.
   *
   * @param endpoint the server's URL, {@code http://} or {@code https://}
   * @param pathStyle whether to address the bucket in the path, which most such servers need
   * @return a copy with the endpoint and addressing replaced
   */
  public S3Config withEndpoint(URI endpoint, boolean pathStyle) {
    return new S3Config(
        bucket,
        prefix,
        Optional.of(endpoint),
        region,
        pathStyle,
        key,
        multipartThreshold,
        partSize,
        checksumHeaders);
  }

  /**
   * This configuration signing for another region.
   *
   * @param region the region, e.g. {@code eu-central-1}
   * @return a copy with the region replaced
   */
  public S3Config withRegion(String region) {
    return new S3Config(
        bucket,
        prefix,
        endpoint,
        region,
        pathStyle,
        key,
        multipartThreshold,
        partSize,
        checksumHeaders);
  }

  /**
   * This configuration with explicit credentials instead of the standard AWS chain.
   *
   * @param key the access key pair
   * @return a copy with the key replaced
   */
  public S3Config withKey(AccessKey key) {
    return new S3Config(
        bucket,
        prefix,
        endpoint,
        region,
        pathStyle,
        Optional.of(key),
        multipartThreshold,
        partSize,
        checksumHeaders);
  }

  /**
   * This configuration with other multipart sizes.
   *
   * @param multipartThreshold the size from which files go up in parts; at least 1
   * @param partSize the size of every part but the last; at least {@value #MIN_PART_SIZE}
   * @return a copy with both sizes replaced
   * @throws IllegalArgumentException when a size is below its minimum
   */
  public S3Config withMultipart(long multipartThreshold, long partSize) {
    return new S3Config(
        bucket,
        prefix,
        endpoint,
        region,
        pathStyle,
        key,
        multipartThreshold,
        partSize,
        checksumHeaders);
  }

  /**
   * This configuration with or without {@code x-amz-checksum-sha256} headers.
   *
   * @param checksumHeaders false for a server that refuses the header
   * @return a copy with the setting replaced
   */
  public S3Config withChecksumHeaders(boolean checksumHeaders) {
    return new S3Config(
        bucket,
        prefix,
        endpoint,
        region,
        pathStyle,
        key,
        multipartThreshold,
        partSize,
        checksumHeaders);
  }

  /**
   * An access key pair; {@link #toString()} never shows the secret.
   *
   * @param accessKeyId the key's id, e.g. {@code AKIA…}
   * @param secretAccessKey the secret that signs requests
   */
  public record AccessKey(String accessKeyId, String secretAccessKey) {
    /**
     * Checks that both parts are given.
     *
     * @param accessKeyId the key's id
     * @param secretAccessKey the secret that signs requests
     * @throws NullPointerException when either is null
     */
    public AccessKey {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    /** The key id only, so that a key in a log or message does not give its secret away. */
    @Override
    public String toString() {
      return "AccessKey[" + accessKeyId + ", secret hidden]";
    }
  }
}
