package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a host app learns that a backup is done, on the real H2 journal. */
class AwaitIdleTest {

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  @Test
  void completesOnlyOnceEveryAssetIsOnTheTargetAndListenersHaveBeenToldNotWhileUploadsWait() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    for (int i = 0; i < 3; i++) {
      photos.put("PH-" + i, "IMG_000" + i + ".JPG", new byte[2000 + i], Instant.parse("2024-05-01T10:00:00Z"));
    }
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      List<String> uploaded = new CopyOnWriteArrayList<>();
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded done) {
              uploaded.add(done.path());
            }
          });
      engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      CompletableFuture<EngineStatus> idle = engine.awaitIdle().toCompletableFuture();
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(10),
          () -> assertThat(engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).libraries().get(0).queued())
              .isEqualTo(3));
      assertThat(idle).isNotDone();

      engine.resume().toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = idle.get(60, TimeUnit.SECONDS);
      assertThat(status.backedUp()).isEqualTo(3);
      assertThat(target.files()).hasSize(3);
      assertThat(uploaded).containsExactlyInAnyOrder("IMG_0000.JPG", "IMG_0001.JPG", "IMG_0002.JPG");
    }
  }

  @Test
  void withNoLibraryItCompletesAtOnceAndAClosedListenerDoesNotHoldItUp() throws Exception {
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addListener(event -> {}).close();
      EngineStatus status = engine.awaitIdle().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(status.libraries()).isEmpty();
      assertThat(status.idle()).isTrue();
    }
  }

  @Test
  void failsWhenTheEngineClosesBeforeItIsIdle() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    photos.put("PH-1", "IMG_0001.JPG", new byte[100], Instant.parse("2024-05-01T10:00:00Z"));
    CompletableFuture<EngineStatus> idle;
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", photos, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      idle = engine.awaitIdle().toCompletableFuture();
    }
    assertThat(idle)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
  }
}
