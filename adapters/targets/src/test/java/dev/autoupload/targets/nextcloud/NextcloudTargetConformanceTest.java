package dev.autoupload.targets.nextcloud;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Nextcloud target passes the suite every target must pass, against the chunking v2 test
 * server with Nextcloud's smallest chunk size, so every file above 5 MiB goes up in chunks.
 */
class NextcloudTargetConformanceTest extends TargetConformance {

  private static final int CHUNK = (int) NextcloudTarget.MIN_CHUNK_SIZE;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir static Path serverDir;
  @TempDir Path spoolDir;

  static NextcloudChunkingServer server;
  /** A fresh folder per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final String rootName = "conformance-" + ROOTS.incrementAndGet();

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
    Files.createDirectories(server.userFiles().resolve("Backup"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected UploadTarget newTarget() {
    return new NextcloudTarget(
        server.origin(),
        NextcloudChunkingServer.USER,
        "/Backup/" + rootName,
        CHUNK,
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
