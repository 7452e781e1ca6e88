package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.AssetSources;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UploadEngine#removeLibrary} on a real engine and its H2 journal. */
class RemoveLibraryTest {

  private static final Instant TAKEN = Instant.parse("2024-05-01T10:00:00Z");

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  @Test
  void stopsTheLibraryMidUploadLeavesTheOthersAndAddedAgainItResumesWithoutUploadingTwice() throws Exception {
    InMemoryAssets camera = AssetSources.inMemory();
    byte[] small = content("small", 2_000);
    byte[] large = content("large", 300_000);
    camera.put("PH-1", "DCIM/small.jpg", small, TAKEN.plusSeconds(60));
    camera.put("PH-2", "DCIM/large.jpg", large, TAKEN);
    InMemoryTarget cameraTarget = new InMemoryTarget();
    cameraTarget.holdAppendsAfter(100_000);
    InMemoryAssets phone = AssetSources.inMemory();
    byte[] selfie = content("selfie", 5_000);
    phone.put("PH-9", "selfie.jpg", selfie, TAKEN);
    InMemoryTarget phoneTarget = new InMemoryTarget();

    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addLibrary(new Library("camera", camera, cameraTarget)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.addLibrary(new Library("phone", phone, phoneTarget)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      cameraTarget.awaitHeld();
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(20),
          () -> assertThat(library(engine, "camera").completed()).isEqualTo(1));

      engine.removeLibrary("camera").toCompletableFuture().get(15, TimeUnit.SECONDS);

      EngineStatus after = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(after.libraries()).extracting(LibraryStatus::libraryId).containsExactly("phone");
      assertThat(engine.libraries()).extracting(Library::id).containsExactly("phone");
      assertThat(phoneTarget.files().values()).containsExactly(selfie);
      assertThat(cameraTarget.files().values()).as("the large one stopped mid-upload").containsExactly(small);
      String smallPath = cameraTarget.files().keySet().iterator().next();
      assertThatThrownBy(() -> engine.removeLibrary("camera").toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(NoSuchElementException.class);

      cameraTarget.releaseHeld(false);
      engine.addLibrary(new Library("camera", camera, cameraTarget)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus done = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);

      LibraryStatus again = done.libraries().stream().filter(l -> l.libraryId().equals("camera")).findFirst().orElseThrow();
      assertThat(again.failed()).isZero();
      assertThat(cameraTarget.files().values()).containsExactlyInAnyOrder(small, large);
      assertThat(cameraTarget.sessionOpenings(smallPath)).as("backed up before the removal: not sent again").hasSize(1);
    }
  }

  private static LibraryStatus library(UploadEngine engine, String id) throws Exception {
    return engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).libraries().stream()
        .filter(status -> status.libraryId().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private static byte[] content(String seed, int size) {
    byte[] bytes = new byte[size];
    byte[] text = seed.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (text[i % text.length] + i / 251);
    }
    return bytes;
  }
}
