package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand small files through the engine's Java API, as an app embedding it would: all of
 * them byte-exact on the target, and after a restart the journal knows every one of them.
 */
class TenThousandFilesIT {

  private static final int FILES = 10_000;
  private static final String LIBRARY = "bulk";
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

  @Test
  void backsUpTenThousandFilesAndKnowsThemAllAfterARestart(@TempDir Path tmp) throws Exception {
    Path source = tmp.resolve("bulk");
    Path target = tmp.resolve("backup");
    Path dataDir = tmp.resolve("data");
    MediaFiles.randomTree(source, FILES, KIB, 8 * KIB, new SplittableRandom(10_000));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    assertThat(sourceHashes).hasSize(FILES);

    long started = System.nanoTime();
    EngineStatus done;
    try (UploadEngine engine = EngineInternals.start(mirroring(dataDir))) {
      addLibrary(engine, source, target);
      done = awaitIdle(engine);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "TenThousandFilesIT: %d files backed up in %.1f s, %.0f files/s%n", FILES, seconds, FILES / seconds);

    assertThat(done.failed()).as("failed").isZero();
    assertThat(done.skipped()).as("skipped").isZero();
    assertThat(done.discovered()).as("discovered").isEqualTo(FILES);
    assertThat(done.backedUp()).as("backed up").isEqualTo(FILES);
    Map<String, String> onTarget = MediaFiles.sha256Tree(target);
    assertThat(onTarget).as("files on the target").hasSize(FILES);
    assertThat(onTarget).isEqualTo(sourceHashes);

    long restarted = System.nanoTime();
    try (UploadEngine engine = EngineInternals.start(mirroring(dataDir))) {
      addLibrary(engine, source, target);
      LibraryStatus again = awaitIdle(engine).libraries().get(0);
      System.out.printf(
          "TenThousandFilesIT: restart found all %d backed up in %.1f s%n",
          again.alreadyBackedUp(), (System.nanoTime() - restarted) / 1e9);
      assertThat(again.alreadyBackedUp()).as("already backed up").isEqualTo(FILES);
      assertThat(again.completed()).as("completed again").isZero();
      assertThat(again.failed()).as("failed").isZero();
      assertThat(again.bytesSent()).as("bytes sent").isZero();
    }
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(sourceHashes);
  }

  private static void addLibrary(UploadEngine engine, Path source, Path target) throws Exception {
    engine
        .addLibrary(new Library(LIBRARY, new FolderSource(LIBRARY, source), new LocalFolderTarget(target)))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static EngineStatus awaitIdle(UploadEngine engine) {
    return await("the engine idle")
        .atMost(IDLE_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> engine.status().toCompletableFuture().get(30, TimeUnit.SECONDS), EngineStatus::idle);
  }

  /** The engine's defaults, with the target mirroring the source tree so the two compare. */
  private static com.typesafe.config.Config mirroring(Path dataDir) {
    return com.typesafe.config.ConfigFactory.parseMap(
            Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.layout.pattern", "{path}"))
        .withFallback(com.typesafe.config.ConfigFactory.load());
  }
}
