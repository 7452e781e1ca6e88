package dev.autoupload.targets.koofr;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The Koofr target against the fake Koofr API passes the suite every target must pass. */
class KoofrTargetConformanceTest extends TargetConformance {

  private static final int CHUNK = 64 * 1024;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir Path spoolDir;

  static FakeKoofr koofr;
  /** A fresh folder per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final String rootName = "Backup/conformance-" + ROOTS.incrementAndGet();

  @BeforeAll
  static void startKoofr() throws Exception {
    koofr = FakeKoofr.start();
  }

  @AfterAll
  static void stopKoofr() {
    if (koofr != null) {
      koofr.close();
    }
  }

  @Override
  protected UploadTarget newTarget() {
    return new KoofrTarget(
        koofr.endpoint(),
        FakeKoofr.EMAIL,
        "Koofr",
        "/" + rootName,
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024)
            .withSpoolDir(spoolDir)
            .withPassword(FakeKoofr.APP_PASSWORD));
  }

  @Override
  protected boolean resumable() {
    return false;
  }

  @Override
  protected int chunkSize() {
    return CHUNK;
  }

  /** What the fake Koofr stored, read behind the API's back. */
  @Override
  protected Optional<ServerView> serverView() {
    return Optional.of(
        new ServerView() {
          @Override
          public Optional<byte[]> read(String remotePath) {
            return koofr.read("Koofr", "/" + rootName + "/" + remotePath);
          }

          @Override
          public Optional<byte[]> readBesideRoot(String name) {
            return koofr.read("Koofr", "/Backup/" + name);
          }

          @Override
          public List<String> unfinished() {
            return koofr.files("Koofr", "/" + rootName).keySet().stream()
                .filter(path -> path.endsWith(PART_SUFFIX))
                .sorted()
                .toList();
          }
        });
  }

  /** Changes made behind the API; Koofr computes the MD5 of what it stores. */
  @Override
  protected Optional<Tampering> tampering() {
    return Optional.of(
        new Tampering() {
          @Override
          public void delete(String remotePath) {
            koofr.delete("Koofr", "/" + rootName + "/" + remotePath);
          }

          @Override
          public void replace(String remotePath, byte[] content) {
            koofr.store("Koofr", "/" + rootName + "/" + remotePath, content);
          }
        });
  }
}
