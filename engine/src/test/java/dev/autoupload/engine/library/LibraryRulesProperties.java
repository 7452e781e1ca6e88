package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A library's rules over random assets, networks, rules and times, against a reference written
 * from the settings' documentation, one rule a line.
 */
class LibraryRulesProperties {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

  @Provide
  Arbitrary<Asset> assets() {
    Arbitrary<String> names = Arbitraries.of("IMG_1.HEIC", "IMG_2.jpg", "clip.MOV", "clip.mp4", "raw.dng", "a.webm");
    // Seconds around NOW, in the past and (a camera's clock running ahead) the future.
    Arbitrary<Instant> times = Arbitraries.longs().between(-3 * 86_400, 3_600).map(NOW::plusSeconds);
    return Combinators.combine(names, Arbitraries.longs().between(0, 10_000), times, times)
        .as(
            (name, size, created, modified) ->
                new Asset(
                    "id-" + name, "lib", name, size, created, CreationDateSource.FILE_TIME, modified, Optional.empty()));
  }

  @Provide
  Arbitrary<LibraryRules> rules() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(0L, 1L, 500L, 5_000L, 9_999L),
            Arbitraries.longs().between(0, 7_200).map(Duration::ofSeconds))
        .as((photos, videos, maxSize, minAge) -> new LibraryRules(photos, videos, maxSize, minAge, Optional.empty()));
  }

  @Provide
  Arbitrary<DeviceConditions> devices() {
    return Combinators.combine(Arbitraries.of(Network.class), Arbitraries.of(true, false))
        .as(
            (network, metered) ->
                new DeviceConditions(
                    50, false, false, network, metered, Optional.empty(), true, PhotoAccess.FULL, OsState.BACKGROUND));
  }

  /** The reference: every rule of {@code autoupload.rules}, as its documentation says it. */
  private static Set<BlockerReason> expected(Asset asset, DeviceConditions device, LibraryRules rules, Instant now) {
    Set<BlockerReason> reasons = new HashSet<>();
    String name = asset.relativePath().toLowerCase();
    boolean video = name.endsWith(".mov") || name.endsWith(".mp4") || name.endsWith(".webm");
    boolean mobileData =
        device.network() == Network.CELLULAR || (device.network() != Network.NONE && device.metered());
    Instant taken = asset.createdAt().compareTo(asset.modifiedAt()) <= 0 ? asset.createdAt() : asset.modifiedAt();
    // A time in the future cannot tell an age: such an asset is not held.
    if (!taken.isAfter(now) && Duration.between(taken, now).compareTo(rules.minAge()) < 0) {
      reasons.add(BlockerReason.TOO_RECENT);
    }
    if (mobileData && video && !rules.videosOnMobileData()) {
      reasons.add(BlockerReason.VIDEOS_WAIT_FOR_WIFI);
    }
    if (mobileData && !video && !rules.photosOnMobileData()) {
      reasons.add(BlockerReason.PHOTOS_WAIT_FOR_WIFI);
    }
    if (mobileData && rules.maxSizeOnMetered() != 0 && asset.size() > rules.maxSizeOnMetered()) {
      reasons.add(BlockerReason.TOO_LARGE_FOR_MOBILE_DATA);
    }
    return reasons;
  }

  @Property(tries = 2000, seed = "20261203")
  void everyReasonThatAppliesAndNoOther(
      @ForAll("assets") Asset asset, @ForAll("devices") DeviceConditions device, @ForAll("rules") LibraryRules rules) {
    LibraryRules.Check check = rules.check(asset, device, NOW);

    assertThat(check.reasons()).isEqualTo(expected(asset, device, rules, NOW));
    assertThat(check.allowed()).isEqualTo(check.reasons().isEmpty());
    assertThat(check.reasons()).allMatch(BlockerReason::perAsset);
  }

  @Property(tries = 1000, seed = "20261203")
  void aTooRecentAssetSaysWhenItGoesAndGoesThenAndNotBefore(
      @ForAll("assets") Asset asset, @ForAll("devices") DeviceConditions device, @ForAll("rules") LibraryRules rules) {
    LibraryRules.Check check = rules.check(asset, device, NOW);

    assertThat(check.tooRecentUntil().isPresent()).isEqualTo(check.reasons().contains(BlockerReason.TOO_RECENT));
    check.tooRecentUntil()
        .ifPresent(
            until -> {
              assertThat(rules.check(asset, device, until).reasons()).doesNotContain(BlockerReason.TOO_RECENT);
              assertThat(rules.check(asset, device, until.minusMillis(1)).reasons()).contains(BlockerReason.TOO_RECENT);
              // Never later than min-age from now, whatever date the camera wrote.
              assertThat(until).isBeforeOrEqualTo(NOW.plus(rules.minAge()));
            });
  }

  @Property(tries = 1000, seed = "20261203")
  void theDefaultsHoldNothingBack(@ForAll("assets") Asset asset, @ForAll("devices") DeviceConditions device) {
    assertThat(LibraryRules.NONE.check(asset, device, NOW).allowed()).isTrue();
    assertThat(LibraryRules.NONE.leavesOut(asset)).isFalse();
  }

  @Property(tries = 1000, seed = "20261203")
  void onlySinceLeavesOutExactlyWhatWasTakenBefore(@ForAll("assets") Asset asset, @ForAll("rules") LibraryRules rules) {
    Instant since = NOW.minus(Duration.ofDays(1));

    assertThat(rules.withOnlySince(since).leavesOut(asset)).isEqualTo(asset.createdAt().isBefore(since));
  }
}
