package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.UploadState;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The thumbnails kept under the data dir: one per content, the least recently shown go first. */
class ThumbnailCacheTest {

  @TempDir Path dataDir;

  @Test
  void keepsOnlyTheThumbnailsShownMostRecently() throws Exception {
    byte[] photo = ThumbnailsTest.encode(ThumbnailsTest.picture(640, 480, Color.GREEN), "jpeg");
    try (ThumbnailCache cache = new ThumbnailCache(dataDir, new HttpSettings.ThumbnailSettings(1, 8, 1L << 20, 1_000_000, 2))) {
      Path thumbnails = dataDir.resolve(ThumbnailCache.FOLDER);
      show(cache, item("a", "a".repeat(64)), photo);
      show(cache, item("b", "b".repeat(64)), photo);
      Files.setLastModifiedTime(thumbnails.resolve("a".repeat(64) + ".jpg"), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      Files.setLastModifiedTime(thumbnails.resolve("b".repeat(64) + ".jpg"), FileTime.from(Instant.now().minus(Duration.ofHours(1))));

      show(cache, item("a", "a".repeat(64)), new byte[0]);
      show(cache, item("c", "c".repeat(64)), photo);

      try (Stream<Path> kept = Files.list(thumbnails)) {
        assertThat(kept.map(path -> path.getFileName().toString()))
            .as("b, shown least recently, went; a was shown again")
            .containsExactlyInAnyOrder("a".repeat(64) + ".jpg", "c".repeat(64) + ".jpg");
      }
    }
  }

  /** Shows {@code item}'s thumbnail, made from {@code original} if it is not kept. */
  private static void show(ThumbnailCache cache, ActivityItem item, byte[] original) throws Exception {
    byte[] jpeg =
        cache.get(item, () -> new ByteArrayInputStream(original)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    // 320 x 240 and green: the picture, not the tile an empty original would get.
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new ByteArrayInputStream(jpeg));
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(new Color(image.getRGB(160, 120)).getGreen()).isGreaterThan(200);
  }

  private static ActivityItem item(String assetId, String sha256) {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    return new ActivityItem(
        "camera", assetId, assetId + ".jpg", Optional.of("2026/01/" + assetId + ".jpg"), at, Optional.of(at), 1000,
        UploadState.COMPLETED, 1000, 1, Optional.empty(), Set.of(), Optional.empty(), Optional.empty(), Optional.of(sha256));
  }
}
