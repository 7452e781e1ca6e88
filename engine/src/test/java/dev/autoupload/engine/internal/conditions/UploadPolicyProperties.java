package dev.autoupload.engine.internal.conditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.conditions.Verdict;
import java.time.Duration;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The policy's rules, checked over the whole space of conditions, settings and run states. */
class UploadPolicyProperties {

  private static final int PARALLELISM = 4;

  @Provide
  Arbitrary<DeviceConditions> conditions() {
    Arbitrary<Optional<String>> ssids = Arbitraries.of("home", "office", "cafe").optional();
    return Combinators.combine(
            Arbitraries.integers().between(0, 100),
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(Network.class),
            Arbitraries.of(true, false),
            ssids,
            Arbitraries.of(true, false),
            Combinators.combine(Arbitraries.of(PhotoAccess.class), Arbitraries.of(OsState.class)).as(PhotoAndOs::new))
        .as(
            (battery, charging, lowPower, network, metered, ssid, refresh, photoAndOs) ->
                new DeviceConditions(
                    battery, charging, lowPower, network, metered, network == Network.WIFI ? ssid : Optional.empty(),
                    refresh, photoAndOs.photo(), photoAndOs.os()));
  }

  private record PhotoAndOs(PhotoAccess photo, OsState os) {}

  @Provide
  Arbitrary<PolicySettings> settings() {
    Arbitrary<Optional<PolicySettings.QuietHours>> quiet =
        Combinators.combine(Arbitraries.integers().between(0, 23), Arbitraries.integers().between(0, 23))
            .as((start, end) -> new PolicySettings.QuietHours(LocalTime.of(start, 0), LocalTime.of(end, 30)))
            .optional();
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 120).map(Duration::ofSeconds),
            Arbitraries.integers().between(0, 100),
            Arbitraries.of(true, false),
            Arbitraries.of(Set.<String>of(), Set.of("home"), Set.of("home", "office")),
            quiet,
            Arbitraries.integers().between(1, 3),
            schedules())
        .as((cellular, stable, battery, chargingOnly, ssids, hours, throttled, schedule) ->
            new PolicySettings(cellular, stable, battery, chargingOnly, ssids, hours, throttled, 0, schedule));
  }

  /** None, or one or two windows at whole quarter hours, some crossing midnight, some a whole day. */
  private static Arbitrary<List<DailyWindow>> schedules() {
    Arbitrary<LocalTime> quarter = Arbitraries.integers().between(0, 95).map(q -> LocalTime.of(q / 4, q % 4 * 15));
    return Combinators.combine(quarter, quarter).as(DailyWindow::new).list().ofMaxSize(2);
  }

  /** The minutes of the day a window covers, counted one by one from its start: the reference. */
  private static Set<Integer> minutesOf(DailyWindow window) {
    Set<Integer> minutes = new java.util.HashSet<>();
    int start = window.start().getHour() * 60 + window.start().getMinute();
    int end = window.end().getHour() * 60 + window.end().getMinute();
    int minute = start;
    do {
      minutes.add(minute);
      minute = (minute + 1) % (24 * 60);
    } while (minute != end);
    return minutes;
  }

  @Provide
  Arbitrary<RunState> runs() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 200).map(Duration::ofSeconds),
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 24 * 60 - 1).map(minute -> LocalTime.of(minute / 60, minute % 60)))
        .as(RunState::new);
  }

  @Property
  void anyBlockingReasonMeansNotAllowed(
      @ForAll("conditions") DeviceConditions device, @ForAll("settings") PolicySettings settings, @ForAll("runs") RunState run) {
    Verdict verdict = UploadPolicy.evaluate(device, settings, run, PARALLELISM);

    assertThat(verdict.allowed()).isEqualTo(verdict.blockers().isEmpty());
    assertThat(verdict.concurrency()).isEqualTo(verdict.allowed() ? (verdict.reasons().contains(BlockerReason.OS_THROTTLED) ? settings.throttledConcurrency() : PARALLELISM) : 0);
  }

  @Property
  void everyReasonThatAppliesIsReported(
      @ForAll("conditions") DeviceConditions device, @ForAll("settings") PolicySettings settings, @ForAll("runs") RunState run) {
    Set<BlockerReason> expected = EnumSet.noneOf(BlockerReason.class);
    boolean background = device.osState() != OsState.FOREGROUND;
    boolean mobileData = device.network() == Network.CELLULAR || (device.network() == Network.WIFI && device.metered());
    if (device.lowPowerMode()) expected.add(BlockerReason.LOW_POWER_MODE);
    if (background && !device.backgroundRefreshAllowed()) expected.add(BlockerReason.BACKGROUND_REFRESH_OFF);
    if (device.photoAccess() == PhotoAccess.LIMITED) expected.add(BlockerReason.PHOTO_ACCESS_LIMITED);
    if (device.photoAccess() == PhotoAccess.NONE) expected.add(BlockerReason.PHOTO_ACCESS_DENIED);
    if (device.network() == Network.NONE) expected.add(BlockerReason.NO_NETWORK);
    if (mobileData && !settings.allowCellular()) expected.add(BlockerReason.WIFI_REQUIRED);
    if (!run.runStarted() && background) {
      boolean stableWifi =
          (device.network() == Network.WIFI || device.network() == Network.ETHERNET)
              && !device.metered()
              && run.networkStableFor().compareTo(settings.stableWifi()) >= 0;
      if (!stableWifi) expected.add(BlockerReason.WAITING_FOR_STABLE_WIFI);
      if (device.batteryPercent() <= settings.startBatteryPercent() && !device.charging()) {
        expected.add(BlockerReason.BATTERY_BELOW_START_THRESHOLD);
      }
    }
    if (device.osState() == OsState.SUSPENDED) expected.add(BlockerReason.OS_SUSPENDED);
    if (device.osState() == OsState.THROTTLED) expected.add(BlockerReason.OS_THROTTLED);
    if (run.userPaused()) expected.add(BlockerReason.USER_PAUSED);
    if (settings.chargingOnly() && !device.charging()) expected.add(BlockerReason.NOT_CHARGING);
    if (!settings.ssidAllowList().isEmpty()
        && device.network() == Network.WIFI
        && (device.wifiSsid().isEmpty() || !settings.ssidAllowList().contains(device.wifiSsid().get()))) {
      expected.add(BlockerReason.SSID_NOT_ALLOWED);
    }
    if (settings.quietHours().isPresent() && settings.quietHours().get().contains(run.localTime())) {
      expected.add(BlockerReason.QUIET_HOURS);
    }
    int minute = run.localTime().getHour() * 60 + run.localTime().getMinute();
    if (!settings.schedule().isEmpty() && settings.schedule().stream().noneMatch(w -> minutesOf(w).contains(minute))) {
      expected.add(BlockerReason.OUTSIDE_SCHEDULE);
    }

    assertThat(UploadPolicy.evaluate(device, settings, run, PARALLELISM).reasons()).isEqualTo(expected);
  }

  /**
   * Before the first report nothing may upload, whatever the settings and the run, and the reasons
   * shown are the unknown device's plus exactly those that hold on every device: the user's pause
   * and the clock's.
   */
  @Property
  void unknownConditionsNeverAllowUploadsAndKeepTheReasonsNoDeviceCanLift(
      @ForAll("conditions") DeviceConditions device, @ForAll("settings") PolicySettings settings, @ForAll("runs") RunState run) {
    Verdict unknown = UploadPolicy.evaluateUnknown(settings, run);
    assertThat(unknown.allowed()).isFalse();
    assertThat(unknown.concurrency()).isZero();
    assertThat(unknown.metered()).isFalse();
    Set<BlockerReason> own = EnumSet.noneOf(BlockerReason.class);
    own.addAll(UploadPolicy.evaluate(device, settings, run, PARALLELISM).reasons());
    own.retainAll(EnumSet.of(BlockerReason.USER_PAUSED, BlockerReason.QUIET_HOURS, BlockerReason.OUTSIDE_SCHEDULE));
    Set<BlockerReason> expected = EnumSet.of(BlockerReason.CONDITIONS_UNKNOWN);
    expected.addAll(own);
    assertThat(unknown.reasons()).isEqualTo(expected);
    assertThat(UploadPolicy.evaluate(device, settings, run, PARALLELISM).reasons())
        .doesNotContain(BlockerReason.CONDITIONS_UNKNOWN);
  }

  @Property
  void batteryNeverStopsARunThatHasStarted(
      @ForAll("conditions") DeviceConditions device,
      @ForAll("settings") PolicySettings settings,
      @ForAll("runs") RunState run,
      @ForAll @IntRange(min = 0, max = 100) int drainedTo) {
    RunState started = new RunState(true, run.networkStableFor(), run.userPaused(), run.localTime());
    DeviceConditions drained =
        new DeviceConditions(
            drainedTo, device.charging(), device.lowPowerMode(), device.network(), device.metered(), device.wifiSsid(),
            device.backgroundRefreshAllowed(), device.photoAccess(), device.osState());

    assertThat(UploadPolicy.evaluate(drained, settings, started, PARALLELISM))
        .isEqualTo(UploadPolicy.evaluate(device, settings, started, PARALLELISM));
  }

  @Property
  void theStartGateAppliesToEveryNewBackgroundRun(
      @ForAll("conditions") DeviceConditions device, @ForAll("settings") PolicySettings settings, @ForAll("runs") RunState run) {
    RunState fresh = new RunState(false, run.networkStableFor(), run.userPaused(), run.localTime());
    Verdict verdict = UploadPolicy.evaluate(device, settings, fresh, PARALLELISM);

    if (verdict.allowed() && device.osState() != OsState.FOREGROUND) {
      assertThat(device.onUnmeteredWifiOrWire()).isTrue();
      assertThat(fresh.networkStableFor()).isGreaterThanOrEqualTo(settings.stableWifi());
      assertThat(device.batteryPercent() > settings.startBatteryPercent() || device.charging()).isTrue();
    }
  }

  @Property
  void theDesktopDefaultsLetUploadsRunAtFullSpeed(@ForAll("runs") RunState run) {
    RunState plain = new RunState(run.runStarted(), run.networkStableFor(), false, run.localTime());

    assertThat(UploadPolicy.evaluate(DeviceConditions.desktop(), PolicySettings.defaults(), plain, PARALLELISM))
        .isEqualTo(Verdict.run(PARALLELISM));
  }
}
