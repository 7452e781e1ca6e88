package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library with conditions of its own (a phone's camera folder a server backs up) follows the
 * reports for it alone: it waits for its first one while the device's libraries upload, the
 * device's conditions do not stop it, the user's pause does, and a library added again waits for a
 * new report.
 */
class OwnConditionsTest {

  private static final ActorTestKit probes = ActorTestKit.create();
  private static final DeviceConditions PHONE_ON_WIFI = DeviceConditions.phone().withBattery(85, false).withWifi("home");
  private static final Duration WAIT = Duration.ofSeconds(5);

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  /** A server's engine: the device (the server) lets uploads run from the start. */
  private Config server() {
    return ConfigFactory.parseMap(
            Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.conditions.initial", "desktop"))
        .withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void aLibraryWithItsOwnConditionsFollowsItsReportsAloneAndWaitsForTheFirst() throws Exception {
    Map<String, byte[]> nasFiles = new TreeMap<>();
    InMemoryAssets nasPhotos = photos("nas", "NAS", nasFiles);
    Map<String, byte[]> phoneFiles = new TreeMap<>();
    InMemoryAssets phonePhotos = photos("phone", "PHONE", phoneFiles);
    InMemoryTarget nasTarget = new InMemoryTarget();
    InMemoryTarget phoneTarget = new InMemoryTarget();
    try (UploadEngine engine = EngineInternals.start(server())) {
      List<EngineEvent.VerdictChanged> verdicts = new CopyOnWriteArrayList<>();
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.VerdictChanged changed) {
              verdicts.add(changed);
            }
          });
      engine.addLibrary(new Library("nas", nasPhotos, nasTarget)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      Library phone = new Library("phone", phonePhotos, phoneTarget).withOwnConditions();
      engine.addLibrary(phone).toCompletableFuture().get(5, TimeUnit.SECONDS);

      // The device's library backs up; the phone's waits for its phone, and says so.
      EngineStatus first =
          probes.createTestProbe().awaitAssert(
              Duration.ofSeconds(30),
              () -> {
                EngineStatus status = get(engine.status());
                assertThat(library(status, "nas").completed()).isEqualTo(3);
                assertThat(library(status, "phone").queued()).isEqualTo(3);
                return status;
              });
      assertThat(first.verdict().allowed()).isTrue();
      assertThat(library(first, "phone").reasons()).contains(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(library(first, "nas").reasons()).doesNotContain(BlockerReason.CONDITIONS_UNKNOWN);
      assertThat(phoneTarget.files()).isEmpty();
      assertThat(sha256s(nasTarget.files()).values()).containsExactlyInAnyOrderElementsOf(sha256s(nasFiles).values());
      LibraryConditions waiting = get(engine.libraryConditions("phone"));
      assertThat(waiting.own()).isTrue();
      assertThat(waiting.conditions()).isEmpty();
      assertThat(waiting.verdict().reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
      LibraryConditions device = get(engine.libraryConditions("nas"));
      assertThat(device.own()).isFalse();
      assertThat(device.conditions()).contains(DeviceConditions.desktop());

      // Reports go only where they belong, by name.
      assertThatThrownBy(() -> get(engine.reportConditions("nas", PHONE_ON_WIFI)))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(NotOwnConditionsException.class)
          .hasMessageContaining("library nas follows the device's conditions");
      assertThatThrownBy(() -> get(engine.reportConditions("nobody", PHONE_ON_WIFI)))
          .cause()
          .isInstanceOf(NoSuchElementException.class)
          .hasMessageContaining("no library nobody");
      assertThatThrownBy(() -> get(engine.libraryConditions("nobody"))).cause().isInstanceOf(NoSuchElementException.class);

      // The phone in Low Power Mode stops only the phone's library, at once.
      Verdict lowPower = get(engine.reportConditions("phone", PHONE_ON_WIFI.withLowPowerMode(true))).verdict();
      assertThat(lowPower.allowed()).isFalse();
      assertThat(lowPower.reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);
      assertThat(get(engine.libraryConditions("nas")).verdict().allowed()).isTrue();
      // Listeners hear it as the phone's, not the device's.
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(5),
          () ->
              assertThat(verdicts)
                  .anyMatch(
                      changed ->
                          changed.libraryId().equals(Optional.of("phone"))
                              && changed.verdict().reasons().equals(Set.of(BlockerReason.LOW_POWER_MODE))));
      assertThat(verdicts).noneMatch(changed -> changed.libraryId().isEmpty() && !changed.verdict().allowed());

      // The user's pause holds for it too.
      get(engine.pause());
      assertThat(get(engine.libraryConditions("phone")).verdict().reasons()).contains(BlockerReason.USER_PAUSED);
      get(engine.resume());
      assertThat(get(engine.libraryConditions("phone")).verdict().reasons()).doesNotContain(BlockerReason.USER_PAUSED);

      // The device's conditions do not stop the phone's library: the server itself stops, the
      // phone on Wi-Fi backs up.
      get(engine.reportConditions(DeviceConditions.desktop().withLowPowerMode(true)));
      get(engine.reportConditions("phone", PHONE_ON_WIFI));
      EngineStatus done = engine.awaitIdle().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(done.reasons()).contains(BlockerReason.LOW_POWER_MODE);
      assertThat(library(done, "phone").completed()).isEqualTo(3);
      assertThat(sha256s(phoneTarget.files()).values()).containsExactlyInAnyOrderElementsOf(sha256s(phoneFiles).values());
      LibraryConditions followed = get(engine.libraryConditions("phone"));
      assertThat(followed.conditions()).contains(PHONE_ON_WIFI);
      assertThat(followed.verdict().allowed()).isTrue();

      // Removed and added again, it waits for a new report: the last one was for a library gone.
      get(engine.removeLibrary("phone"));
      engine.addLibrary(new Library("phone", phonePhotos, new InMemoryTarget()).withOwnConditions())
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      LibraryConditions again = get(engine.libraryConditions("phone"));
      assertThat(again.conditions()).isEmpty();
      assertThat(again.verdict().reasons()).containsExactly(BlockerReason.CONDITIONS_UNKNOWN);
    }
  }

  private static InMemoryAssets photos(String libraryId, String prefix, Map<String, byte[]> contents) {
    InMemoryAssets photos = new InMemoryAssets(libraryId);
    for (int i = 0; i < 3; i++) {
      byte[] bytes = (prefix + " photo " + i).repeat(400 + i).getBytes(StandardCharsets.UTF_8);
      contents.put(prefix + "_" + i + ".JPG", bytes);
      photos.put(prefix + "-" + i, prefix + "_" + i + ".JPG", bytes, Instant.parse("2024-05-01T10:00:00Z"));
    }
    return photos;
  }

  private static LibraryStatus library(EngineStatus status, String id) {
    return status.libraries().stream().filter(library -> library.libraryId().equals(id)).findFirst().orElseThrow();
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static Map<String, String> sha256s(Map<String, byte[]> files) throws Exception {
    Map<String, String> hashes = new TreeMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      hashes.put(file.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.getValue())));
    }
    return hashes;
  }
}
