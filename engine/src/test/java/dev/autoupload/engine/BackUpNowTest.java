package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.AssetSources;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UploadEngine#backUpNow()} on a real engine and its H2 journal. */
class BackUpNowTest {

  private static final Instant TAKEN = Instant.parse("2024-05-01T10:00:00Z");

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  @Test
  void backsUpWhatWasAddedToASourceThatIsNotWatchedAfterItsFirstBackup() throws Exception {
    InMemoryAssets photos = AssetSources.inMemory();
    Map<String, byte[]> handedOver = new TreeMap<>();
    put(photos, handedOver, 1);
    put(photos, handedOver, 2);
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS).backedUp()).isEqualTo(2);

      put(photos, handedOver, 3);
      put(photos, handedOver, 4);
      EngineStatus status = engine.backUpNow().toCompletableFuture().get(60, TimeUnit.SECONDS);

      assertThat(status.idle()).isTrue();
      assertThat(status.backedUp()).isEqualTo(4);
      assertThat(status.failed()).isZero();
      assertThat(sha256s(target.files())).isEqualTo(sha256s(handedOver));
      assertThat(target.files()).hasSize(4);
    }
  }

  @Test
  void waitsWhileUploadsArePausedAndCompletesOnceTheyRan() throws Exception {
    InMemoryAssets photos = AssetSources.inMemory();
    Map<String, byte[]> handedOver = new TreeMap<>();
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);

      put(photos, handedOver, 1);
      CompletableFuture<EngineStatus> backedUp = engine.backUpNow().toCompletableFuture();
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(10),
          () -> assertThat(engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).libraries().get(0).queued())
              .isEqualTo(1));
      assertThat(backedUp).isNotDone();

      engine.resume().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(backedUp.get(60, TimeUnit.SECONDS).backedUp()).isEqualTo(1);
      assertThat(sha256s(target.files())).isEqualTo(sha256s(handedOver));
    }
  }

  private static void put(InMemoryAssets photos, Map<String, byte[]> handedOver, int n) {
    byte[] content = ("photo " + n + " ").repeat(2000 * n).getBytes(StandardCharsets.UTF_8);
    photos.put("PH-" + n, "DCIM/IMG_000" + n + ".JPG", content, TAKEN);
    handedOver.put("DCIM/IMG_000" + n + ".JPG", content);
  }

  private static java.util.Set<String> sha256s(Map<String, byte[]> files) {
    return files.values().stream()
        .map(content -> HexFormat.of().formatHex(Sha256.newDigest().digest(content)))
        .collect(Collectors.toSet());
  }
}
