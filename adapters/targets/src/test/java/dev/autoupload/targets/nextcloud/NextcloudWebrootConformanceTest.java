package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import dev.autoupload.targets.nextcloud.NextcloudChunkingServer.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite every target must pass, against a Nextcloud installed under a sub-path with a space in
 * it, the target opened from its URI with {@code ?webroot=}. The server answers 404 outside the
 * webroot, and after each test every request it saw is checked to have gone below the webroot:
 * also those whose failure the target shrugs off (cleaning up an upload folder).
 */
class NextcloudWebrootConformanceTest extends TargetConformance {

  private static final String WEBROOT = "/my cloud";
  private static final int CHUNK = (int) NextcloudTarget.MIN_CHUNK_SIZE;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir static Path serverDir;
  @TempDir Path spoolDir;

  private static NextcloudChunkingServer server;
  /** A fresh folder per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final String rootName = "conformance-" + ROOTS.incrementAndGet();

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir, WEBROOT);
    Files.createDirectories(server.userFiles().resolve("Backup"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void everyRequestWentBelowTheWebroot() {
    List<Request> requests = server.requests();
    server.resetCounters();
    assertThat(requests).extracting(Request::path).allMatch(path -> path.startsWith(WEBROOT + "/remote.php/dav/"));
  }

  @Override
  protected UploadTarget newTarget() {
    return TargetUris.open(
        "nextcloud+http://" + NextcloudChunkingServer.USER + "@127.0.0.1:" + server.port() + "/Backup/" + rootName
            + "?chunkSize=" + CHUNK + "&webroot=/my%20cloud/",
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024 * 1024)
            .withSpoolDir(spoolDir)
            .withPassword(NextcloudChunkingServer.PASSWORD));
  }

  @Override
  protected boolean resumable() {
    return true;
  }

  @Override
  protected int chunkSize() {
    return CHUNK;
  }

  /** What the server stored, read from its storage folder; chunk folders by their destination. */
  @Override
  protected Optional<ServerView> serverView() {
    ServerView folder = ServerView.ofFolder(server.userFiles().resolve("Backup").resolve(rootName));
    return Optional.of(
        new ServerView() {
          @Override
          public Optional<byte[]> read(String remotePath) throws Exception {
            return folder.read(remotePath);
          }

          @Override
          public Optional<byte[]> readBesideRoot(String name) throws Exception {
            return folder.readBesideRoot(name);
          }

          @Override
          public List<String> unfinished() throws Exception {
            List<String> unfinished = new ArrayList<>(folder.unfinished());
            server.uploadDestinations().stream()
                .filter(destination -> destination.contains("/Backup/" + rootName + "/"))
                .map(destination -> "chunks for " + destination)
                .forEach(unfinished::add);
            return unfinished;
          }
        });
  }

  /** Changes as another Nextcloud client's would be: the server keeps no checksum for them. */
  @Override
  protected Optional<Tampering> tampering() {
    String folder = "Backup/" + rootName + "/";
    return Optional.of(
        new Tampering() {
          @Override
          public void delete(String remotePath) throws Exception {
            server.deleteFile(folder + remotePath);
          }

          @Override
          public void replace(String remotePath, byte[] content) throws Exception {
            server.replaceFile(folder + remotePath, content);
          }
        });
  }
}
