package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.UploadError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file that failed for good goes up when tried again, through its library or through any. */
class RetryTest {

  @TempDir Path dataDir;

  @Test
  void aFailedFileIsTriedAgainThroughItsLibraryAndOnlyThere() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    byte[] photo = "photo".getBytes(StandardCharsets.UTF_8);
    photos.put("PH-1", "IMG_0001.JPG", photo, Instant.parse("2024-05-01T10:00:00Z"));
    InMemoryTarget target = new InMemoryTarget();
    target.failAppends(path -> Optional.of(new UploadError.Permanent("refused by the test")));
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(dataDir).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.addLibrary(new Library("other", new InMemoryAssets("other"), new InMemoryTarget()))
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      EngineStatus failed = engine.awaitIdle().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String assetId = failed.libraries().stream().filter(l -> l.libraryId().equals("camera")).findFirst().orElseThrow()
          .failures().get(0).assetId();

      assertThatThrownBy(() -> engine.retry("other", assetId).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("library other");
      assertThatThrownBy(() -> engine.retry("camera", "no-such-asset").toCompletableFuture().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(NoSuchElementException.class);
      assertThatThrownBy(() -> engine.retry("no-such-library", assetId).toCompletableFuture().get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(NoSuchElementException.class);

      target.failAppends(path -> Optional.empty());
      engine.retry("camera", assetId).toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.awaitIdle().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(target.files().values()).singleElement().isEqualTo(photo);
    }
  }
}
