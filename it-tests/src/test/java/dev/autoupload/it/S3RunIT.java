package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.s3.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code autoupload run --once --target s3://…} end to end: the packaged app backs up a folder,
 * one file large enough for a multipart upload, to a real S3Proxy; every object sha256-equal as
 * the server returns it and carrying that sha256 as its metadata (the multipart one from its
 * creation, as the engine hashes it first), and a second run sends nothing, nor a run that lost
 * its journal.
 */
class S3RunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static final String BUCKET = "phone";
  private static S3ProxyServer server;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    server = new S3ProxyServer();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void backsUpAFolderToS3ByteExactAndThenSendsNothing() {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 300 * KIB, new SplittableRandom(20));
    MediaFiles.write(source.resolve("Videos/long clip.mov"), 12 * MediaFiles.MIB, new SplittableRandom(12));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    String uri =
        "s3://" + BUCKET + "/backup?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true"
            + "&multipartThreshold=" + (6 * MediaFiles.MIB) + "&partSize=" + S3Config.MIN_PART_SIZE;
    AppProcess.Launch run =
        AppProcess.launch(
                "run", "--source", source.toString(), "--target", uri,
                "--data-dir", tmp.resolve("data").toString(), "--once")
            .withEnvironment("AWS_ACCESS_KEY_ID", server.accessKeyId)
            .withEnvironment("AWS_SECRET_ACCESS_KEY", server.secretAccessKey);

    AppProcess first = apps.start(run);
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(objects(false)).isEqualTo(sourceHashes);
    assertThat(objects(true)).as("the sha256 each object carries").isEqualTo(sourceHashes);
    assertThat(first.describe()).doesNotContain(server.secretAccessKey);

    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();

    AppProcess journalLost =
        apps.start(
            AppProcess.launch(
                    "run", "--source", source.toString(), "--target", uri,
                    "--data-dir", tmp.resolve("data-new").toString(), "--once")
                .withEnvironment("AWS_ACCESS_KEY_ID", server.accessKeyId)
                .withEnvironment("AWS_SECRET_ACCESS_KEY", server.secretAccessKey));
    assertThat(journalLost.waitFor(RUN_TIMEOUT)).as(journalLost.describe()).isZero();
    assertThat(journalLost.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(journalLost.summary().bytesSent()).isZero();
  }

  /**
   * Every object under the prefix, by key below it, with the sha256 of what the server returns, or
   * with the one its metadata claims when {@code claimed}.
   */
  private Map<String, String> objects(boolean claimed) {
    Map<String, String> hashes = new TreeMap<>();
    try (S3Client client =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKeyId, server.secretAccessKey)))
            .httpClientBuilder(ApacheHttpClient.builder())
            .build()) {
      for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("backup/")).contents()) {
        String key = object.key().substring("backup/".length());
        if (claimed) {
          hashes.put(key, client.headObject(b -> b.bucket(BUCKET).key(object.key())).metadata().get("sha256"));
        } else {
          byte[] bytes = client.getObject(b -> b.bucket(BUCKET).key(object.key()), ResponseTransformer.toBytes()).asByteArray();
          hashes.put(key, MediaFiles.sha256(bytes));
        }
      }
    }
    return hashes;
  }
}
