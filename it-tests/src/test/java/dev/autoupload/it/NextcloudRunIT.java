package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.nextcloud.NextcloudChunkingServer;
import dev.autoupload.targets.nextcloud.NextcloudTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run --once --target nextcloud+http://…} end to end: the packaged app backs up a
 * folder, one file large enough for chunked upload v2, to the Nextcloud chunking test server; every
 * file sha256-equal in the server's storage, and a second run sends nothing. Once more to a server
 * with Nextcloud under a sub-path, named by the URI's {@code webroot}, and to one on object storage
 * behind a proxy, where a run that lost its journal finds everything already there.
 */
class NextcloudRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static final int LARGE = 12 * MediaFiles.MIB;

  @TempDir static Path serverDir;
  private static NextcloudChunkingServer server;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void backsUpAFolderToNextcloudByteExactInChunksAndThenSendsNothing() throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 300 * KIB, new SplittableRandom(21));
    MediaFiles.write(source.resolve("Videos/Sommer 2024/long clip #1.mov"), LARGE, new SplittableRandom(12));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    String uri =
        "nextcloud+http://" + NextcloudChunkingServer.USER + "@127.0.0.1:" + server.port() + "/phone?chunkSize="
            + NextcloudTarget.MIN_CHUNK_SIZE;
    AppProcess.Launch run =
        AppProcess.launch(
                "run", "--source", source.toString(), "--target", uri,
                "--data-dir", tmp.resolve("data").toString(), "--once")
            .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NextcloudChunkingServer.PASSWORD);

    AppProcess first = apps.start(run);
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(MediaFiles.sha256Tree(server.userFiles().resolve("phone"))).isEqualTo(sourceHashes);
    assertThat(server.chunkBytesReceived()).as("bytes sent as chunks").isEqualTo(LARGE);
    assertThat(server.checksumOf("phone/Videos/Sommer 2024/long clip #1.mov"))
        .contains("SHA256:" + sourceHashes.get("Videos/Sommer 2024/long clip #1.mov"));
    try (Stream<Path> uploads = Files.list(server.userUploads())) {
      assertThat(uploads).as("upload folders left behind").isEmpty();
    }
    assertThat(first.describe()).doesNotContain(NextcloudChunkingServer.PASSWORD);

    server.resetCounters();
    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();
    assertThat(server.requests()).noneMatch(request -> request.method().equals("PUT"));
  }

  @Test
  void aLostJournalFindsEveryFileOnObjectStorageBehindAProxyAlreadyThere(@TempDir Path otherServerDir) throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 5, KIB, 100 * KIB, new SplittableRandom(41));
    MediaFiles.write(source.resolve("Videos/clip.mov"), 2 * NextcloudTarget.MIN_CHUNK_SIZE + KIB, new SplittableRandom(42));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    try (NextcloudChunkingServer objectStorage = NextcloudChunkingServer.start(otherServerDir)) {
      // What a Nextcloud on object storage with a distributed cache, behind a proxy, does at once:
      // no checksum and 0 bytes recorded for an assembled file, and a MOVE answered 504 early.
      objectStorage.withoutChecksumStorage();
      objectStorage.recordingZeroSizeAfterAssembly();
      objectStorage.assemblingSlowly(504, Duration.ofMillis(500));
      String uri =
          "nextcloud+http://" + NextcloudChunkingServer.USER + "@127.0.0.1:" + objectStorage.port() + "/phone?chunkSize="
              + NextcloudTarget.MIN_CHUNK_SIZE;

      AppProcess first = apps.start(runOnce(source, uri, tmp.resolve("data")));
      assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
      long sentFirst = objectStorage.putBytesReceived();
      objectStorage.resetCounters();
      AppProcess afterLostJournal = apps.start(runOnce(source, uri, tmp.resolve("fresh data")));
      assertThat(afterLostJournal.waitFor(RUN_TIMEOUT)).as(afterLostJournal.describe()).isZero();

      assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
      assertThat(MediaFiles.sha256Tree(objectStorage.userFiles().resolve("phone"))).isEqualTo(sourceHashes);
      assertThat(sentFirst)
          .as("bytes sent, each once")
          .isEqualTo(sourceHashes.keySet().stream().mapToLong(name -> source.resolve(name).toFile().length()).sum());
      assertThat(afterLostJournal.summary().already()).isEqualTo(sourceHashes.size());
      assertThat(afterLostJournal.summary().bytesSent()).isZero();
      assertThat(objectStorage.requests()).noneMatch(request -> request.method().equals("PUT"));
    }
  }

  private static AppProcess.Launch runOnce(Path source, String uri, Path dataDir) {
    return AppProcess.launch(
            "run", "--source", source.toString(), "--target", uri, "--data-dir", dataDir.toString(), "--once")
        .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NextcloudChunkingServer.PASSWORD);
  }

  @Test
  void backsUpToANextcloudInstalledUnderASubPathNamedByTheWebroot(@TempDir Path otherServerDir) throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 5, KIB, 100 * KIB, new SplittableRandom(31));
    MediaFiles.write(source.resolve("Videos/clip.mov"), NextcloudTarget.MIN_CHUNK_SIZE + KIB, new SplittableRandom(32));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    try (NextcloudChunkingServer underSubPath = NextcloudChunkingServer.start(otherServerDir, "/my cloud")) {
      String uri =
          "nextcloud+http://" + NextcloudChunkingServer.USER + "@127.0.0.1:" + underSubPath.port() + "/phone?chunkSize="
              + NextcloudTarget.MIN_CHUNK_SIZE + "&webroot=/my%20cloud";
      AppProcess run =
          apps.start(
              AppProcess.launch(
                      "run", "--source", source.toString(), "--target", uri,
                      "--data-dir", tmp.resolve("data").toString(), "--once")
                  .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NextcloudChunkingServer.PASSWORD));

      assertThat(run.waitFor(RUN_TIMEOUT)).as(run.describe()).isZero();
      assertThat(run.summary().uploaded()).isEqualTo(sourceHashes.size());
      assertThat(MediaFiles.sha256Tree(underSubPath.userFiles().resolve("phone"))).isEqualTo(sourceHashes);
      assertThat(underSubPath.chunkBytesReceived()).as("bytes sent as chunks").isEqualTo(NextcloudTarget.MIN_CHUNK_SIZE + KIB);
      assertThat(underSubPath.requests()).allMatch(request -> request.path().startsWith("/my cloud/remote.php/dav/"));
    }
  }
}
