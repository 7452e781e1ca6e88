package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.tus.TusServer;
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

/**
 * {@code autoupload run --once --target tus+http://…} end to end: the packaged app backs up a
 * folder, one file several chunks long, to a real tus-java-server; every upload the server finished
 * is sha256-equal to its source file, found by the name the client put in its metadata, and each
 * byte crossed the wire once. A second run sends nothing: tus cannot be asked what it holds under
 * a name, so that comes from the engine's ledger, and the server sees no new upload.
 */
class TusRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  @TempDir static Path storage;
  private static TusServer server;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeAll
  static void startServer() throws Exception {
    server = TusServer.start(storage);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void backsUpAFolderToTusByteExactAndThenSendsNothing() throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 300 * KIB, new SplittableRandom(20));
    MediaFiles.write(source.resolve("Videos/Sommer 2024/clip #1 + more.mov"), 3 * MediaFiles.MIB + 17, new SplittableRandom(3));
    MediaFiles.write(source.resolve("empty.txt"), 0, new SplittableRandom(0));
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

  /** Every finished upload on the server, by the file name in its metadata, with its sha256. */
  private static Map<String, String> finishedUploads() throws Exception {
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
