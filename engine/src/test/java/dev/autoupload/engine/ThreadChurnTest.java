package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An engine that is asked for its status keeps its threads: on a machine with one or two cores
 * (a phone, a small NAS) every async step of a {@code CompletableFuture} without an executor runs on
 * a thread of its own, and Pekko's stages make every step async. A daemon polled every few seconds
 * then starts threads for ever.
 */
class ThreadChurnTest {

  private static final int ASKS = 50;

  @TempDir Path dataDir;

  @Test
  void askingForTheStatusStartsNoThreadPerAsk() throws Exception {
    // The surefire configuration makes the common pool as small as on such a machine.
    assertThat(ForkJoinPool.getCommonPoolParallelism()).isEqualTo(1);
    InMemoryAssets photos = new InMemoryAssets("camera");
    photos.put("PH-1", "IMG_0001.JPG", new byte[1000], Instant.parse("2024-05-01T10:00:00Z"));
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("camera", photos, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);

      long before = threads.getTotalStartedThreadCount();
      for (int i = 0; i < ASKS; i++) {
        engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);
        engine.resume().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      long started = threads.getTotalStartedThreadCount() - before;

      // A pool growing to its size may start a few; one per ask would be hundreds.
      assertThat(started).as("threads started during %d asks of each kind", ASKS).isLessThan(10);
    }
  }
}
