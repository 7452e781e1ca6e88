package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.TargetConformance;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The S3 target against a real S3Proxy passes the suite every target must pass. Chunks are one
 * multipart part (S3's minimum, 5 MiB), so a resumed upload may re-send at most one part.
 */
class S3TargetConformanceTest extends TargetConformance {

  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static final String PREFIX = "backup/phone";

  private static S3ProxyServer server;
  /** A fresh bucket per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final S3Config config = freshBucket();
  private final S3Client client = S3Target.client(config);

  @BeforeAll
  static void startServer() throws Exception {
    server = new S3ProxyServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static S3Config freshBucket() {
    String bucket = "conformance-" + BUCKETS.incrementAndGet();
    server.createBucket(bucket);
    return S3Config.of(bucket, PREFIX)
        .withEndpoint(server.endpoint(), true)
        .withKey(new S3Config.AccessKey(server.accessKeyId, server.secretAccessKey))
        .withMultipart(S3Config.MIN_PART_SIZE, S3Config.MIN_PART_SIZE);
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Override
  protected UploadTarget newTarget() {
    return S3Target.connect(config);
  }

  @Override
  protected boolean resumable() {
    return true;
  }

  @Override
  protected int chunkSize() {
    return (int) S3Config.MIN_PART_SIZE;
  }

  /** What the object store really holds, read with a plain S3 client. */
  @Override
  protected Optional<ServerView> serverView() {
    return Optional.of(
        new ServerView() {
          @Override
          public Optional<byte[]> read(String remotePath) {
            return get(PREFIX + "/" + remotePath);
          }

          @Override
          public Optional<byte[]> readBesideRoot(String name) {
            return get("backup/" + name);
          }

          @Override
          public List<String> unfinished() {
            return client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads().stream()
                .map(upload -> upload.key() + " (multipart upload " + upload.uploadId() + ")")
                .toList();
          }
        });
  }

  private Optional<byte[]> get(String key) {
    try {
      return Optional.of(
          client.getObject(b -> b.bucket(config.bucket()).key(key), ResponseTransformer.toBytes()).asByteArray());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    }
  }

  /** Changes made with a plain S3 client, which sends no sha256 of Autoupload's. */
  @Override
  protected Optional<Tampering> tampering() {
    return Optional.of(
        new Tampering() {
          @Override
          public void delete(String remotePath) {
            client.deleteObject(b -> b.bucket(config.bucket()).key(PREFIX + "/" + remotePath));
          }

          @Override
          public void replace(String remotePath, byte[] content) {
            client.putObject(b -> b.bucket(config.bucket()).key(PREFIX + "/" + remotePath), RequestBody.fromBytes(content));
          }
        });
  }
}
