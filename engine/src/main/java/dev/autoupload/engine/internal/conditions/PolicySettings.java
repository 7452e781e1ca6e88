package dev.autoupload.engine.internal.conditions;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code autoupload.policy} settings: which device conditions let uploads run.
 *
 * @param allowCellular mobile data may be used (metered Wi-Fi counts as mobile data)
 * @param stableWifi how long Wi-Fi must stay up before a new background run starts
 * @param startBatteryPercent a new background run needs more battery than this, or a charger
 * @param chargingOnly upload only while charging
 * @param ssidAllowList when not empty, upload on these Wi-Fi networks only
 * @param quietHours a daily window in which nothing is uploaded
 * @param throttledConcurrency uploads at once while the OS throttles us
 * @param bandwidthLimitBytesPerSecond 0 for no limit
 * @param schedule when not empty, upload only within these daily windows
 */
public record PolicySettings(
    boolean allowCellular,
    Duration stableWifi,
    int startBatteryPercent,
    boolean chargingOnly,
    Set<String> ssidAllowList,
    Optional<QuietHours> quietHours,
    int throttledConcurrency,
    long bandwidthLimitBytesPerSecond,
    List<DailyWindow> schedule) {

  /**
   * Copies the collections and checks the numbers, naming the configuration key of a bad one.
   *
   * @param allowCellular mobile data may be used
   * @param stableWifi how long Wi-Fi must stay up before a new background run starts
   * @param startBatteryPercent 0–100
   * @param chargingOnly upload only while charging
   * @param ssidAllowList when not empty, upload on these Wi-Fi networks only
   * @param quietHours a daily window in which nothing is uploaded
   * @param throttledConcurrency at least 1
   * @param bandwidthLimitBytesPerSecond not negative; 0 for no limit
   * @param schedule when not empty, upload only within these daily windows
   * @throws IllegalArgumentException when a number is out of range
   */
  public PolicySettings {
    ssidAllowList = Set.copyOf(ssidAllowList);
    schedule = List.copyOf(schedule);
    if (startBatteryPercent < 0 || startBatteryPercent > 100) {
      throw new IllegalArgumentException("autoupload.policy.start-battery-percent must be 0-100");
    }
    if (throttledConcurrency < 1) {
      throw new IllegalArgumentException("autoupload.policy.throttled-concurrency must be at least 1");
    }
    if (bandwidthLimitBytesPerSecond < 0) {
      throw new IllegalArgumentException("autoupload.policy.bandwidth-limit must not be negative");
    }
  }

  /**
   * Settings with no schedule: uploads at any time of day. For {@link #defaults()} and tests.
   *
   * @param allowCellular mobile data may be used
   * @param stableWifi how long Wi-Fi must stay up before a new background run starts
   * @param startBatteryPercent 0–100
   * @param chargingOnly upload only while charging
   * @param ssidAllowList when not empty, upload on these Wi-Fi networks only
   * @param quietHours a daily window in which nothing is uploaded
   * @param throttledConcurrency at least 1
   * @param bandwidthLimitBytesPerSecond not negative; 0 for no limit
   * @throws IllegalArgumentException when a number is out of range
   */
  public PolicySettings(
      boolean allowCellular,
      Duration stableWifi,
      int startBatteryPercent,
      boolean chargingOnly,
      Set<String> ssidAllowList,
      Optional<QuietHours> quietHours,
      int throttledConcurrency,
      long bandwidthLimitBytesPerSecond) {
    this(
        allowCellular, stableWifi, startBatteryPercent, chargingOnly, ssidAllowList, quietHours, throttledConcurrency,
        bandwidthLimitBytesPerSecond, List.of());
  }

  /**
   * Whether uploads may run at {@code time} by the schedule: any time when there is none.
   *
   * @param time the local time of day
   * @return true when no schedule is set or a window of it holds {@code time}
   */
  public boolean inSchedule(LocalTime time) {
    return schedule.isEmpty() || schedule.stream().anyMatch(window -> window.contains(time));
  }

  /**
   * A daily window; {@code start} after {@code end} spans midnight.
   *
   * @param start when the quiet hours begin
   * @param end when they end
   */
  public record QuietHours(LocalTime start, LocalTime end) {
    /**
     * Whether {@code time} is within the quiet hours, as {@link DailyWindow#contains} says.
     *
     * @param time the local time of day
     * @return true when nothing may be uploaded at {@code time}
     */
    public boolean contains(LocalTime time) {
      return new DailyWindow(start, end).contains(time);
    }
  }

  /**
   * The defaults of {@code reference.conf}, written out: no file is read.
   *
   * @return the default settings
   */
  public static PolicySettings defaults() {
    return new PolicySettings(false, Duration.ofSeconds(30), 80, false, Set.of(), Optional.empty(), 1, 0);
  }

  /**
   * Reads {@code autoupload.policy}.
   *
   * @param config the engine's configuration, with its defaults under it
   * @return the settings
   * @throws IllegalArgumentException naming the key, when a value is out of range or unreadable
   */
  public static PolicySettings from(Config config) {
    Config policy = config.getConfig("autoupload.policy");
    return new PolicySettings(
        policy.getBoolean("allow-cellular"),
        policy.getDuration("stable-wifi"),
        policy.getInt("start-battery-percent"),
        policy.getBoolean("charging-only"),
        Set.copyOf(policy.getStringList("ssid-allow-list")),
        quietHours(policy.getString("quiet-hours.start"), policy.getString("quiet-hours.end")),
        policy.getInt("throttled-concurrency"),
        policy.getBytes("bandwidth-limit"),
        policy.getStringList("schedule").stream().map(DailyWindow::parse).toList());
  }

  private static Optional<QuietHours> quietHours(String start, String end) {
    if (start.isBlank() && end.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new QuietHours(LocalTime.parse(start), LocalTime.parse(end)));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "autoupload.policy.quiet-hours needs start and end as HH:MM, got \"" + start + "\" and \"" + end + "\"");
    }
  }
}
