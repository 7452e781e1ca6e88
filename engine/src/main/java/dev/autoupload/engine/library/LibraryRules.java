package dev.autoupload.engine.library;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A library's own rules for which of its assets may upload when ({@code autoupload.rules}), on top
 * of the device's conditions that hold for every library ({@code UploadPolicy}).
 *
 * <p>{@link #check} is a pure function of the asset, the network and the time: the planner holds
 * back what it forbids and starts it once it allows, and says why meanwhile.
 *
 * @param photosOnMobileData photos may upload on a metered network (also needs {@code
 *     autoupload.policy.allow-cellular})
 * @param videosOnMobileData videos may upload on a metered network (idem)
 * @param maxSizeOnMetered larger assets wait for an unmetered network; 0 for no limit
 * @param minAge an asset waits until this long after it was taken, so a burst of edits settles
 *     first; zero for none
 * @param onlySince assets taken before this are not offered at all, only counted
 */
public record LibraryRules(
    boolean photosOnMobileData,
    boolean videosOnMobileData,
    long maxSizeOnMetered,
    Duration minAge,
    Optional<Instant> onlySince) {

  /** No rule: every asset may go whenever the device's conditions let uploads run. */
  public static final LibraryRules NONE = new LibraryRules(true, true, 0, Duration.ZERO, Optional.empty());

  /**
   * Checks the components.
   *
   * @param photosOnMobileData photos may upload on a metered network (also needs {@code
   *     autoupload.policy.allow-cellular})
   * @param videosOnMobileData videos may upload on a metered network (idem)
   * @param maxSizeOnMetered larger assets wait for an unmetered network; 0 for no limit
   * @param minAge an asset waits until this long after it was taken, so a burst of edits settles
   *     first; zero for none
   * @param onlySince assets taken before this are not offered at all, only counted
   * @throws NullPointerException when {@code minAge} or {@code onlySince} is null
   * @throws IllegalArgumentException when {@code maxSizeOnMetered} or {@code minAge} is negative
   */
  public LibraryRules {
    Objects.requireNonNull(minAge, "minAge");
    Objects.requireNonNull(onlySince, "onlySince");
    if (maxSizeOnMetered < 0) {
      throw new IllegalArgumentException("autoupload.rules.max-size-on-metered must not be negative");
    }
    if (minAge.isNegative()) {
      throw new IllegalArgumentException("autoupload.rules.min-age must not be negative");
    }
  }

  /**
   * These rules, letting {@code kind} use mobile data or not.
   *
   * @param kind photos or videos
   * @param allowed whether they may
   * @return the changed rules
   */
  public LibraryRules withMobileData(MediaKind kind, boolean allowed) {
    return kind == MediaKind.PHOTO
        ? new LibraryRules(allowed, videosOnMobileData, maxSizeOnMetered, minAge, onlySince)
        : new LibraryRules(photosOnMobileData, allowed, maxSizeOnMetered, minAge, onlySince);
  }

  /**
   * These rules, with assets larger than {@code bytes} waiting for an unmetered network.
   *
   * @param bytes the limit; 0 for none
   * @return the changed rules
   */
  public LibraryRules withMaxSizeOnMetered(long bytes) {
    return new LibraryRules(photosOnMobileData, videosOnMobileData, bytes, minAge, onlySince);
  }

  /**
   * These rules, holding assets back until they are {@code age} old.
   *
   * @param age the least age; zero for none
   * @return the changed rules
   */
  public LibraryRules withMinAge(Duration age) {
    return new LibraryRules(photosOnMobileData, videosOnMobileData, maxSizeOnMetered, age, onlySince);
  }

  /**
   * These rules, leaving out assets taken before {@code since}.
   *
   * @param since the earliest creation date offered
   * @return the changed rules
   */
  public LibraryRules withOnlySince(Instant since) {
    return new LibraryRules(photosOnMobileData, videosOnMobileData, maxSizeOnMetered, minAge, Optional.of(since));
  }

  /**
   * Whether {@code kind} may use a metered network.
   *
   * @param kind photos or videos
   * @return true when it may
   */
  public boolean mobileData(MediaKind kind) {
    return kind == MediaKind.PHOTO ? photosOnMobileData : videosOnMobileData;
  }

  /**
   * Whether the asset is left out by {@code only-since}: taken before it, never offered.
   *
   * @param asset the asset
   * @return true when it is never offered
   */
  public boolean leavesOut(Asset asset) {
    return onlySince.map(since -> asset.createdAt().isBefore(since)).orElse(false);
  }

  /**
   * Until when {@code min-age} holds the asset back, seen {@code now}; empty when it does not. It
   * counts as taken at the earlier of its creation date and its file's modification, and one taken
   * after {@code now} is not held at all: a camera whose clock runs ahead must not hold its photos
   * back for as long as it is wrong.
   *
   * @param asset the asset
   * @param now the time now
   * @return when it is old enough; empty when it may go now
   */
  public Optional<Instant> tooRecentUntil(Asset asset, Instant now) {
    Instant oldEnough = oldEnoughAt(asset);
    return oldEnough.minus(minAge).isAfter(now) || !now.isBefore(oldEnough) ? Optional.empty() : Optional.of(oldEnough);
  }

  /**
   * When the asset is {@code min-age} old, taken as {@link #tooRecentUntil} says.
   *
   * @param asset the asset
   * @return the instant it is old enough to be backed up
   */
  public Instant oldEnoughAt(Asset asset) {
    Instant taken = asset.createdAt().isBefore(asset.modifiedAt()) ? asset.createdAt() : asset.modifiedAt();
    return taken.plus(minAge);
  }

  /**
   * {@link #check} with the device's conditions.
   *
   * @param asset the asset
   * @param device the device's conditions now
   * @param now the time now
   * @return every reason it waits for, empty when it may go
   */
  public Check check(Asset asset, DeviceConditions device, Instant now) {
    return check(asset, device.onMeteredNetwork(), now);
  }

  /**
   * May {@code asset} upload {@code now}, on a network that is {@code metered} or not; if not,
   * every reason and, for {@code TOO_RECENT}, when that one ends. Only-since is not asked here: an
   * asset it leaves out is never offered ({@link #leavesOut}).
   *
   * @param asset the asset
   * @param metered whether the network is billed by volume
   * @param now the time now
   * @return every reason it waits for, empty when it may go
   */
  public Check check(Asset asset, boolean metered, Instant now) {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    Optional<Instant> until = tooRecentUntil(asset, now);
    if (until.isPresent()) {
      reasons.add(BlockerReason.TOO_RECENT);
    }
    if (metered) {
      MediaKind kind = MediaKind.of(asset);
      if (!mobileData(kind)) {
        reasons.add(kind == MediaKind.PHOTO ? BlockerReason.PHOTOS_WAIT_FOR_WIFI : BlockerReason.VIDEOS_WAIT_FOR_WIFI);
      }
      if (maxSizeOnMetered > 0 && asset.size() > maxSizeOnMetered) {
        reasons.add(BlockerReason.TOO_LARGE_FOR_MOBILE_DATA);
      }
    }
    return new Check(reasons, until);
  }

  /**
   * The rules' answer for one asset.
   *
   * @param reasons every reason it waits for; empty when it may go
   * @param tooRecentUntil while it is too recent, when it is old enough
   */
  public record Check(Set<BlockerReason> reasons, Optional<Instant> tooRecentUntil) {
    /**
     * Copies {@code reasons}.
     *
     * @param reasons every reason it waits for; empty when it may go
     * @param tooRecentUntil while it is too recent, when it is old enough
     */
    public Check {
      reasons = Set.copyOf(reasons);
    }

    /** {@return whether the asset may go}: no reason applies. */
    public boolean allowed() {
      return reasons.isEmpty();
    }
  }
}
