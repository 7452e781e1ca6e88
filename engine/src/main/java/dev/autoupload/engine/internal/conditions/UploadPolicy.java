package dev.autoupload.engine.internal.conditions;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.conditions.Verdict;
import java.util.EnumSet;
import java.util.Set;

/**
 * Decides whether uploads may run: a pure function of the device's conditions, the settings and
 * the run's state, so every rule can be tested over the whole input space.
 *
 * <p>The rules follow how iOS treats background uploads: a new background run waits for stable
 * Wi-Fi and a charged battery (the start gate), but once started it continues whatever the battery
 * does while every other rule holds. Every reason that applies is reported, not just the first.
 */
public final class UploadPolicy {

  private UploadPolicy() {}

  /**
   * The verdict for what the device reports.
   *
   * @param device the device's latest report
   * @param settings the {@code autoupload.policy} settings
   * @param run whether a run is under way, how long the network has been stable, whether the user
   *     paused, and the local time
   * @param parallelism uploads per library at once when nothing slows us down
   * @return whether uploads may run, how many at once, and every reason that applies
   */
  public static Verdict evaluate(
      DeviceConditions device, PolicySettings settings, RunState run, int parallelism) {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    addDeviceReasons(reasons, device, settings, run);
    addOwnReasons(reasons, settings, run);
    return verdict(reasons, settings, parallelism, device.onMeteredNetwork());
  }

  /**
   * The verdict before the device has said anything about itself: {@link
   * BlockerReason#CONDITIONS_UNKNOWN}, with every reason that does not depend on the device.
   *
   * @param settings the {@code autoupload.policy} settings
   * @param run whether a run is under way, whether the user paused, and the local time
   * @return a verdict that does not allow uploads
   */
  public static Verdict evaluateUnknown(PolicySettings settings, RunState run) {
    Set<BlockerReason> reasons = EnumSet.of(BlockerReason.CONDITIONS_UNKNOWN);
    addOwnReasons(reasons, settings, run);
    return verdict(reasons, settings, 0, false);
  }

  private static void addDeviceReasons(
      Set<BlockerReason> reasons, DeviceConditions device, PolicySettings settings, RunState run) {
    if (device.lowPowerMode()) {
      reasons.add(BlockerReason.LOW_POWER_MODE);
    }
    if (!device.backgroundRefreshAllowed() && device.osState() != OsState.FOREGROUND) {
      reasons.add(BlockerReason.BACKGROUND_REFRESH_OFF);
    }
    if (device.photoAccess() == PhotoAccess.LIMITED) {
      reasons.add(BlockerReason.PHOTO_ACCESS_LIMITED);
    } else if (device.photoAccess() == PhotoAccess.NONE) {
      reasons.add(BlockerReason.PHOTO_ACCESS_DENIED);
    }
    if (device.network() == Network.NONE) {
      reasons.add(BlockerReason.NO_NETWORK);
    }
    if (!settings.allowCellular() && onMobileData(device)) {
      reasons.add(BlockerReason.WIFI_REQUIRED);
    }
    if (!run.runStarted() && device.osState() != OsState.FOREGROUND) {
      if (!device.onUnmeteredWifiOrWire() || run.networkStableFor().compareTo(settings.stableWifi()) < 0) {
        reasons.add(BlockerReason.WAITING_FOR_STABLE_WIFI);
      }
      if (device.batteryPercent() <= settings.startBatteryPercent() && !device.charging()) {
        reasons.add(BlockerReason.BATTERY_BELOW_START_THRESHOLD);
      }
    }
    if (device.osState() == OsState.SUSPENDED) {
      reasons.add(BlockerReason.OS_SUSPENDED);
    } else if (device.osState() == OsState.THROTTLED) {
      reasons.add(BlockerReason.OS_THROTTLED);
    }
    if (settings.chargingOnly() && !device.charging()) {
      reasons.add(BlockerReason.NOT_CHARGING);
    }
    if (!settings.ssidAllowList().isEmpty()
        && device.network() == Network.WIFI
        && !device.wifiSsid().map(settings.ssidAllowList()::contains).orElse(false)) {
      reasons.add(BlockerReason.SSID_NOT_ALLOWED);
    }
  }

  /** The reasons of the user and the settings' clock, whatever the device does. */
  private static void addOwnReasons(Set<BlockerReason> reasons, PolicySettings settings, RunState run) {
    if (run.userPaused()) {
      reasons.add(BlockerReason.USER_PAUSED);
    }
    if (settings.quietHours().map(hours -> hours.contains(run.localTime())).orElse(false)) {
      reasons.add(BlockerReason.QUIET_HOURS);
    }
    if (!settings.inSchedule(run.localTime())) {
      reasons.add(BlockerReason.OUTSIDE_SCHEDULE);
    }
  }

  private static Verdict verdict(Set<BlockerReason> reasons, PolicySettings settings, int parallelism, boolean metered) {
    boolean allowed = reasons.stream().noneMatch(BlockerReason::blocking);
    int concurrency =
        !allowed ? 0 : reasons.contains(BlockerReason.OS_THROTTLED) ? Math.min(parallelism, settings.throttledConcurrency()) : parallelism;
    return new Verdict(allowed, concurrency, reasons, metered);
  }

  /** Cellular, or Wi-Fi billed by volume (a phone's hotspot). */
  static boolean onMobileData(DeviceConditions device) {
    return device.network() == Network.CELLULAR || (device.network() == Network.WIFI && device.metered());
  }
}
