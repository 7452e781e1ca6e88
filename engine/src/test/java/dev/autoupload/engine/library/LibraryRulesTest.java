package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.ConfigSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LibraryRulesTest {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

  private static Asset asset(String name, long size, Instant taken) {
    return new Asset("id-" + name, "lib", name, size, taken, CreationDateSource.EXIF, taken, Optional.empty());
  }

  /** Videos on unmetered Wi-Fi only, photos on mobile data too, up to 10 MB there. */
  private static final LibraryRules PHONE =
      LibraryRules.NONE.withMobileData(MediaKind.VIDEO, false).withMaxSizeOnMetered(10_000_000);

  @Test
  void onMobileDataAPhotoGoesAndAVideoWaitsForWifi() {
    Instant old = NOW.minus(Duration.ofDays(3));

    assertThat(PHONE.check(asset("IMG_0001.HEIC", 3_000_000, old), true, NOW).allowed()).isTrue();
    assertThat(PHONE.check(asset("IMG_0002.MOV", 3_000_000, old), true, NOW).reasons())
        .containsExactly(BlockerReason.VIDEOS_WAIT_FOR_WIFI);
    assertThat(PHONE.check(asset("IMG_0002.MOV", 3_000_000, old), false, NOW).allowed()).isTrue();
  }

  @Test
  void aLargeVideoOnMobileDataSaysBothReasons() {
    assertThat(PHONE.check(asset("long.mp4", 80_000_000, NOW.minusSeconds(60)), true, NOW).reasons())
        .containsExactlyInAnyOrder(BlockerReason.VIDEOS_WAIT_FOR_WIFI, BlockerReason.TOO_LARGE_FOR_MOBILE_DATA);
  }

  @Test
  void aPhotoTakenJustNowWaitsForMinAgeAndSaysUntilWhen() {
    LibraryRules rules = LibraryRules.NONE.withMinAge(Duration.ofMinutes(10));

    LibraryRules.Check check = rules.check(asset("IMG_0003.jpg", 100, NOW.minusSeconds(60)), false, NOW);

    assertThat(check.reasons()).containsExactly(BlockerReason.TOO_RECENT);
    assertThat(check.tooRecentUntil()).contains(NOW.plusSeconds(540));
    assertThat(BlockerReason.TOO_RECENT.description()).contains("min-age");
  }

  @Test
  void readFromConfigWithTheDefaultsHoldingNothingBack() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    assertThat(ConfigSettings.libraryRules(ConfigFactory.load(), paris)).isEqualTo(LibraryRules.NONE);

    LibraryRules rules =
        ConfigSettings.libraryRules(
            ConfigFactory.parseMap(
                    Map.of(
                        "autoupload.rules.videos.mobile-data", false,
                        "autoupload.rules.max-size-on-metered", "20 MiB",
                        "autoupload.rules.min-age", "10m",
                        "autoupload.rules.only-since", "2024-01-01"))
                .withFallback(ConfigFactory.load()),
            paris);

    assertThat(rules)
        .isEqualTo(
            new LibraryRules(
                true, false, 20L << 20, Duration.ofMinutes(10), Optional.of(Instant.parse("2023-12-31T23:00:00Z"))));
  }

  @Test
  void aBadDateIsRefusedWithTheKeyAndAnExample() {
    assertThatThrownBy(
            () ->
                ConfigSettings.libraryRules(
                    ConfigFactory.parseMap(Map.of("autoupload.rules.only-since", "last year"))
                        .withFallback(ConfigFactory.load()),
                    ZoneId.of("UTC")))
        .hasMessageContaining("autoupload.rules.only-since")
        .hasMessageContaining("2024-01-01");
  }
}
