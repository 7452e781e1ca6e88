package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A host's asset ids are its own: the engine takes them whatever characters they hold. */
class HostAssetIdsTest {

  @TempDir Path dataDir;

  @Test
  void idsWithSlashesSpacesPercentAndNonAsciiAreBackedUp() throws Exception {
    // The first is shaped like an iOS PHAsset localIdentifier.
    List<String> ids = List.of("9F3A2C1E-77B0-4C1D-A3E2-5D1B0C9F8E7A/L0/001", "holiday 2024", "50%", "été/ü");
    InMemoryAssets photos = new InMemoryAssets("camera");
    for (int i = 0; i < ids.size(); i++) {
      photos.put(ids.get(i), "IMG_000" + i + ".JPG", ("photo " + i).getBytes(StandardCharsets.UTF_8), Instant.parse("2024-05-01T10:00:00Z"));
    }
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);

      assertThat(status.backedUp()).isEqualTo(ids.size());
      assertThat(target.files()).hasSize(ids.size());
    }
  }
}
