package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.autoupload.targets.tus.TusServer;
import dev.autoupload.targets.tus.TusTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run --once --target tus+http://…} end to end: the packaged app backs up a
 * folder, one file several chunks long, to a real tus-java-server; every upload the server finished
 * is sha256-equal to its source file, found by the name the client put in its metadata, and each
 * byte crossed the wire once. A second run sends nothing: tus cannot be asked what it holds under
 * a name, so that comes from the engine's ledger, and the server sees no new upload.
 */
class TusRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  @TempDir Path storage;
  private TusServer server;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeEach
  void startServer() throws Exception {
    server = TusServer.start(storage);
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void backsUpAFolderToTusByteExactAndThenSendsNothing() throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 300 * KIB, new SplittableRandom(20));
    MediaFiles.write(source.resolve("Videos/Sommer 2024/clip #1 + more.mov"), 3 * MediaFiles.MIB + 17, new SplittableRandom(3));
    MediaFiles.write(source.resolve("Screenshots/empty.png"), 0, new SplittableRandom(0));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    long sourceBytes = MediaFiles.totalSize(source);
    AppProcess.Launch run =
        AppProcess.launch(
            "run", "--source", source.toString(),
            "--target", "tus+http://127.0.0.1:" + server.port() + TusServer.FILES,
            "--data-dir", tmp.resolve("data").toString(), "--once");

    AppProcess first = apps.start(run);
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(finishedUploads()).isEqualTo(sourceHashes);
    assertThat(server.uploads()).hasSize(sourceHashes.size());
    assertThat(server.patchBytesReceived()).as("bytes the server received").isEqualTo(sourceBytes);

    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();
    assertThat(server.uploads()).hasSize(sourceHashes.size());
    assertThat(server.patchBytesReceived()).isEqualTo(sourceBytes);
  }

  @Test
  void resumesTheBigFilesOwnUploadAfterKill9() throws Exception {
    String bigFile = "Videos/long clip 🎬.mov";
    long bigBytes = 64L * MediaFiles.MIB;
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 5, KIB, 64 * KIB, new SplittableRandom(5));
    MediaFiles.write(source.resolve(bigFile), bigBytes, new SplittableRandom(64));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    AppProcess.Launch run =
        AppProcess.launch(
            "run", "--source", source.toString(),
            "--target", "tus+http://127.0.0.1:" + server.port() + TusServer.FILES,
            "--data-dir", tmp.resolve("data").toString(), "--once",
            "--set", "autoupload.upload.chunk-bytes=256KiB");

    long smallFiles = MediaFiles.totalSize(source) - bigBytes;
    AppProcess first = apps.start(run);
    // The server's upload records cannot be read while it writes them: watch its byte count.
    await("more than 8 MiB of the big file on the server")
        .atMost(Duration.ofMinutes(1))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .failFast("the first run ended before it could be killed", () -> !first.isAlive())
        .until(() -> server.patchBytesReceived() > smallFiles + 8L * MediaFiles.MIB);
    first.kill9();
    // The request cut by the kill may still be on its way into the server: its records are read
    // only once the second run is over.
    long receivedAtKill = server.patchBytesReceived();

    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();

    TusServer.StoredUpload done = bigUpload(bigFile, first.describe() + "\n" + second.describe()).orElseThrow();
    assertThat(done.finished()).isTrue();
    assertThat(MediaFiles.sha256(server.bytes(done.url()))).isEqualTo(sourceHashes.get(bigFile));
    assertThat(server.uploads()).as("one upload per file: the big file's was continued, not started again")
        .hasSize(sourceHashes.size());
    long resent = server.patchBytesReceived() - MediaFiles.totalSize(source);
    String resumedLine =
        second.firstLine(line -> line.startsWith("resumed " + bigFile + " at "))
            .orElseThrow(() -> new AssertionError("no resumed line for the big file\n" + second.describe()));
    long resumedAt = Long.parseLong(resumedLine.replaceAll(".* at (\\d+)/\\d+$", "$1"));
    System.out.printf(
        "TusRunIT: killed after the server received %d bytes; the second run resumed the big file at %d"
            + " of %d bytes, and the server received %d bytes twice (limit %d)%n",
        receivedAtKill, resumedAt, bigBytes, resent, (long) TusTarget.PATCH_BYTES);
    // The PATCH the kill cut may have reached the server in part, which it keeps or drops.
    assertThat(resent).as("bytes the server received twice").isBetween(0L, (long) TusTarget.PATCH_BYTES);
    assertThat(resumedAt).isBetween(1L, bigBytes - 1);
  }

  /** The one upload on the server named {@code name}, finished or not. */
  private Optional<TusServer.StoredUpload> bigUpload(String name, String runs) throws Exception {
    List<TusServer.StoredUpload> named =
        server.uploads().stream().filter(u -> u.filename().equals(Optional.of(name))).toList();
    assertThat(named).as("uploads named %s\n%s", name, runs).hasSizeLessThanOrEqualTo(1);
    return named.stream().findFirst();
  }

  /** Every finished upload on the server, by the file name in its metadata, with its sha256. */
  private Map<String, String> finishedUploads() throws Exception {
    Map<String, String> found = new TreeMap<>();
    for (TusServer.StoredUpload upload : server.uploads()) {
      if (upload.finished()) {
        String name = upload.filename().orElseThrow(() -> new AssertionError(upload + " has no file name"));
        String previous = found.put(name, MediaFiles.sha256(server.bytes(upload.url())));
        assertThat(previous).as("a second upload of %s", name).isNull();
      }
    }
    return found;
  }
}
