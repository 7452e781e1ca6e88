package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a host app starts an engine with its own settings and nothing else. */
class EngineBuilderTest {

  private static final DeviceConditions ON_WIFI = DeviceConditions.phone().withBattery(70, false).withWifi("home");

  @TempDir Path dataDir;

  @Test
  void startsWithTheGivenSettingsAndConditionsAndUploadsWithoutAReport() throws Exception {
    InMemoryAssets photos = new InMemoryAssets("camera");
    photos.put("PH-1", "DCIM/IMG_0001.JPG", new byte[1234], Instant.parse("2024-05-01T10:00:00Z"));
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine =
        UploadEngine.builder()
            .dataDir(dataDir)
            .setting("autoupload.layout.pattern", "{yyyy}/{path}")
            .setting("autoupload.upload.parallelism", 2)
            .initialConditions(ON_WIFI)
            .start()) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus done = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(done.backedUp()).isEqualTo(1);
      assertThat(done.conditions()).contains(ON_WIFI);
      assertThat(target.files()).containsOnlyKeys("2024/DCIM/IMG_0001.JPG");
    }
  }

  @Test
  void theHostsOwnApplicationConfDoesNotLeakIn() throws Exception {
    // This module's test classpath has an application.conf that makes engines assume a desktop.
    assertThat(ConfigFactory.load().getString("autoupload.conditions.initial")).isEqualTo("desktop");
    try (UploadEngine engine = UploadEngine.builder().dataDir(dataDir).start()) {
      EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(status.conditions()).isEmpty();
    }
  }

  @Test
  void anUnknownSettingOrNoDataDirIsRefusedByName() {
    assertThatThrownBy(() -> UploadEngine.builder().setting("autoupload.upload.paralelism", 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoupload.upload.paralelism");
    assertThatThrownBy(() -> UploadEngine.builder().setting("pekko.loglevel", "DEBUG"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pekko.loglevel");
    assertThatThrownBy(() -> UploadEngine.builder().start())
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("dataDir");
    assertThatThrownBy(() -> UploadEngine.builder().dataDir(dataDir).setting("autoupload.upload.parallelism", "many").start())
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("parallelism");
    assertThatThrownBy(() -> UploadEngine.builder().dataDir(dataDir).setting("autoupload.journal.compact-every", "-1s").start())
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("autoupload.journal.compact-every must be 0s (off) or more");
    assertThatThrownBy(() -> UploadEngine.builder().dataDir(dataDir).setting("autoupload.journal.embedded-cache", "512 KiB").start())
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("autoupload.journal.embedded-cache must be at least 1 MiB, not 524288 bytes");
  }
}
