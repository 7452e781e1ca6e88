package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded engine knows nothing of the device until its host reports: it must not upload on what
 * may be mobile data, and must say why it waits.
 */
class ConditionsUnknownTest {

  private static final ActorTestKit probes = ActorTestKit.create();
  private static final DeviceConditions ON_WIFI = DeviceConditions.phone().withBattery(85, false).withWifi("home");

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  /** The engine as an embedder starts it: the reference defaults, not this module's test config. */
  private Config embedded() {
    return ConfigFactory.parseMap(
            Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.conditions.initial", "unknown"))
        .withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void byDefaultAnEmbeddedEngineUploadsNothingUntilTheHostReportsAndSaysWhy() throws Exception {
    assertThat(ConfigFactory.defaultReference().getString("autoupload.conditions.initial")).isEqualTo("unknown");
    InMemoryAssets photos = new InMemoryAssets("camera");
    Map<String, byte[]> contents = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      byte[] bytes = ("photo " + i).repeat(500 + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      contents.put("IMG_000" + i + ".JPG", bytes);
      photos.put("PH-" + i, "IMG_000" + i + ".JPG", bytes, Instant.parse("2024-05-01T10:00:00Z"));
    }
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine = EngineInternals.start(embedded())) {
      engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);

      // Every file found and planned, none sent: the engine waits for the host, and says so.
      EngineStatus waiting =
          probes.createTestProbe().awaitAssert(
              Duration.ofSeconds(10),
              () -> {
                EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(status.libraries().get(0).queued()).isEqualTo(3);
                return status;
              });
      assertThat(waiting.verdict().allowed()).isFalse();
      assertThat(waiting.reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(waiting.conditions()).isEmpty();
      assertThat(ON_WIFI)
          .isEqualTo(
              new DeviceConditions(
                  85, false, false, DeviceConditions.Network.WIFI, false, java.util.Optional.of("home"), true,
                  DeviceConditions.PhotoAccess.FULL, DeviceConditions.OsState.FOREGROUND));
      LibraryStatus library = waiting.libraries().get(0);
      assertThat(library.reasons()).contains(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(library.running()).isZero();
      assertThat(target.files()).isEmpty();

      // A report that stops uploads applies at once, and the answer says so.
      Verdict lowPower =
          engine.reportConditions(ON_WIFI.withLowPowerMode(true)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(lowPower.allowed()).isFalse();
      assertThat(lowPower.reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);

      engine.reportConditions(ON_WIFI).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus done = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(done.backedUp()).isEqualTo(3);
      assertThat(done.conditions()).contains(ON_WIFI);
      // Under the default date layout: 2024/05/<name>.
      assertThat(sha256s(target.files()).values()).containsExactlyInAnyOrderElementsOf(sha256s(contents).values());
      assertThat(target.files().keySet()).allMatch(path -> path.startsWith("2024/05/IMG_000"));
    }
  }

  @Test
  void theUsersPauseShowsBesideTheUnknownConditions() throws Exception {
    try (UploadEngine engine = EngineInternals.start(embedded())) {
      engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.reasons()).containsExactlyInAnyOrder(BlockerReason.CONDITIONS_UNKNOWN, BlockerReason.USER_PAUSED);
    }
  }

  @Test
  void theDesktopSettingUploadsWithoutAReportAndAnyOtherIsRefusedByName() throws Exception {
    Config desktop =
        ConfigFactory.parseMap(Map.of("autoupload.conditions.initial", "desktop")).withFallback(embedded());
    try (UploadEngine engine = EngineInternals.start(desktop)) {
      EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(status.verdict().allowed()).isTrue();
      assertThat(status.conditions()).contains(DeviceConditions.desktop());
    }
    Config typo = ConfigFactory.parseMap(Map.of("autoupload.conditions.initial", "laptop")).withFallback(embedded());
    assertThatThrownBy(() -> EngineInternals.start(typo))
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("autoupload.conditions.initial")
        .hasMessageContaining("laptop");
  }

  private static Map<String, String> sha256s(Map<String, byte[]> files) throws Exception {
    Map<String, String> hashes = new TreeMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      hashes.put(file.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.getValue())));
    }
    return hashes;
  }
}
