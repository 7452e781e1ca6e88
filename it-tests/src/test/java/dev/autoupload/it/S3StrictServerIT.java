package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.s3.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app against S3Proxy as it runs by default, refusing {@code x-amz-checksum-sha256}
 * with 501 NotImplemented, as older Ceph and MinIO do: before, every file was sent in full and then
 * failed (41 of 41).
 */
class S3StrictServerIT {

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void aServerThatRefusesTheChecksumHeaderGetsEveryFileAndTheLogSaysSoOnce() throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 40, KIB, 200 * KIB, new SplittableRandom(41));
    MediaFiles.write(source.resolve("Videos/clip.mov"), 7 * MediaFiles.MIB, new SplittableRandom(7));
    try (S3ProxyServer server = S3ProxyServer.strict()) {
      server.createBucket("phone");
      String uri =
          "s3://phone/backup?endpoint=" + server.endpoint() + "&region=us-east-1&pathStyle=true"
              + "&multipartThreshold=" + (6 * MediaFiles.MIB) + "&partSize=" + S3Config.MIN_PART_SIZE;

      AppProcess app =
          apps.start(
              AppProcess.launch(
                      "run", "--source", source.toString(), "--target", uri, "--data-dir",
                      tmp.resolve("data").toString(), "--once")
                  .withEnvironment("AWS_ACCESS_KEY_ID", server.accessKeyId)
                  .withEnvironment("AWS_SECRET_ACCESS_KEY", server.secretAccessKey));

      assertThat(app.waitFor(Duration.ofMinutes(3))).as(app.describe()).isZero();
      assertThat(app.summary().uploaded()).isEqualTo(41);
      assertThat(app.summary().failed()).isZero();
      assertThat(app.stderr())
          .filteredOn(line -> line.contains("refuses the x-amz-checksum-sha256 header"))
          .hasSize(1);
    }
  }
}
