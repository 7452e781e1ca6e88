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

  public static final long DEFAULT_MULTIPART_THRESHOLD = 16L * 1024 * 1024;
  public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;

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

  /** A bucket and prefix on AWS in us-east-1, credentials from the standard chain. */
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

  /** An access key pair; {@link #toString()} never shows the secret. */
  public record AccessKey(String accessKeyId, String secretAccessKey) {
    public AccessKey {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
      return "AccessKey[" + accessKeyId + ", secret hidden]";
    }
  }
}
