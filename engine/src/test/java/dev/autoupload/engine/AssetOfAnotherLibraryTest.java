package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that hands a library assets naming another library gets a failed scan saying so, and
 * nothing is uploaded under a split history (journals key uploads by the asset's library id).
 */
class AssetOfAnotherLibraryTest {

  @TempDir Path dataDir;

  @Test
  void aSourceWhoseAssetsNameAnotherLibraryFailsItsScanNamingBoth() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("phone");
    photos.put("PH-1", "IMG_0001.JPG", "photo".getBytes(StandardCharsets.UTF_8), Instant.parse("2024-05-01T10:00:00Z"));
    InMemoryTarget target = new InMemoryTarget();
    CompletableFuture<EngineEvent.ScanFailed> failed = new CompletableFuture<>();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.ScanFailed scanFailed) {
              failed.complete(scanFailed);
            }
          });
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);

      EngineEvent.ScanFailed event = failed.get(10, TimeUnit.SECONDS);
      assertThat(event.libraryId()).isEqualTo("camera");
      assertThat(event.message())
          .contains("IMG_0001.JPG", "library \"phone\"", "to library \"camera\"", "libraryId must be its library's id");
      EngineStatus status = engine.awaitIdle().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(status.discovered()).isZero();
      assertThat(target.files()).isEmpty();
    }
  }
}
