package dev.autoupload.engine.internal.conditions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.internal.Restarts;
import dev.autoupload.engine.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionMonitorTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final Duration DEBOUNCE = Duration.ofSeconds(2);
  private static final Duration STABLE_WIFI = Duration.ofSeconds(30);

  private MutableClock clock;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  }

  private ActorRef<ConditionMonitor.Command> monitor;

  /**
   * Moves time on once the monitor has handled everything sent so far, so a timer it starts is
   * scheduled before the clock passes it.
   */
  private void pass(Duration duration) {
    TestProbe<ConditionMonitor.MonitorState> state = testKit.createTestProbe(ConditionMonitor.MonitorState.class);
    monitor.tell(new ConditionMonitor.GetState(state.getRef()));
    state.receiveMessage();
    clock.advance(duration);
    manualTime.timePasses(duration);
  }

  private ActorRef<ConditionMonitor.Command> monitor(DeviceConditions initial) {
    PolicySettings settings =
        new PolicySettings(false, STABLE_WIFI, 80, false, Set.of(), Optional.empty(), 1, 0);
    monitor = testKit.spawn(ConditionMonitor.create(settings, 4, DEBOUNCE, initial, clock));
    return monitor;
  }

  private static DeviceConditions phone(int battery, boolean charging, boolean lowPower, Network network, OsState os) {
    return new DeviceConditions(
        battery, charging, lowPower, network, false, Optional.of("home"), true, PhotoAccess.FULL, os);
  }

  private static DeviceConditions inBackground(Network network) {
    return phone(90, false, false, network, OsState.BACKGROUND);
  }

  private TestProbe<Verdict> subscribe(ActorRef<ConditionMonitor.Command> monitor) {
    TestProbe<Verdict> probe = testKit.createTestProbe(Verdict.class);
    monitor.tell(new ConditionMonitor.Subscribe(probe.getRef()));
    return probe;
  }

  /** Starts a run: Wi-Fi settled and a library with work, so the start gate is behind us. */
  private TestProbe<Verdict> runningInBackground(ActorRef<ConditionMonitor.Command> monitor) {
    TestProbe<Verdict> verdicts = subscribe(monitor);
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));
    assertThat(verdicts.receiveMessage().reasons()).contains(BlockerReason.WAITING_FOR_STABLE_WIFI);
    pass(STABLE_WIFI);
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
    return verdicts;
  }

  @Test
  void aLateSubscriberGetsTheCurrentVerdictAtOnce() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(DeviceConditions.desktop());
    monitor.tell(new ConditionMonitor.ReportConditions(phone(50, true, true, Network.WIFI, OsState.FOREGROUND)));

    TestProbe<Verdict> late = subscribe(monitor);

    assertThat(late.receiveMessage().reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);
  }

  @Test
  void broadcastsOnlyWhenTheVerdictChanges() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(DeviceConditions.desktop());
    TestProbe<Verdict> verdicts = subscribe(monitor);
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));

    // Battery and SSID changes that no rule cares about in the foreground.
    monitor.tell(new ConditionMonitor.ReportConditions(phone(70, false, false, Network.ETHERNET, OsState.FOREGROUND)));
    monitor.tell(new ConditionMonitor.ReportConditions(phone(60, false, false, Network.ETHERNET, OsState.FOREGROUND)));
    pass(DEBOUNCE.multipliedBy(2));
    verdicts.expectNoMessage(Duration.ofMillis(100));

    monitor.tell(new ConditionMonitor.ReportConditions(phone(60, false, true, Network.ETHERNET, OsState.FOREGROUND)));
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);
  }

  @Test
  void stopsAtOnceButGoesAgainOnlyOnceConditionsSettle() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(inBackground(Network.WIFI));
    TestProbe<Verdict> verdicts = runningInBackground(monitor);

    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, false, true, Network.WIFI, OsState.BACKGROUND)));
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);

    monitor.tell(new ConditionMonitor.ReportConditions(inBackground(Network.WIFI)));
    pass(DEBOUNCE.minusMillis(1));
    verdicts.expectNoMessage(Duration.ofMillis(100));
    pass(Duration.ofMillis(1));
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
  }

  @Test
  void turningMeteredIsToldAtOnceAndLeavingItOnlyOnceTheNetworkSettles() {
    PolicySettings cellularAllowed = new PolicySettings(true, STABLE_WIFI, 80, false, Set.of(), Optional.empty(), 1, 0);
    monitor = testKit.spawn(
        ConditionMonitor.create(cellularAllowed, 4, DEBOUNCE, phone(90, false, false, Network.WIFI, OsState.FOREGROUND), clock));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));

    // Uploads may go on over mobile data, but a library's rules may keep its videos off it: at once.
    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, false, false, Network.CELLULAR, OsState.FOREGROUND)));
    assertThat(verdicts.receiveMessage()).isEqualTo(new Verdict(true, 4, Set.of(), true));

    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, false, false, Network.WIFI, OsState.FOREGROUND)));
    pass(DEBOUNCE.minusMillis(1));
    verdicts.expectNoMessage(Duration.ofMillis(100));
    pass(Duration.ofMillis(1));
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
  }

  @Test
  void aNewBlockerIsShownAtOnceEvenWhenAnotherLiftsAtTheSameTime() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(DeviceConditions.desktop());
    TestProbe<Verdict> verdicts = subscribe(monitor);
    verdicts.receiveMessage();
    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, true, true, Network.ETHERNET, OsState.FOREGROUND)));
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.LOW_POWER_MODE);

    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, true, false, Network.CELLULAR, OsState.FOREGROUND)));

    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.WIFI_REQUIRED);
  }

  @Test
  void wifiFlappingEvery200msPausesOnceAndResumesOnceWhenItSettles() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(inBackground(Network.WIFI));
    TestProbe<Verdict> verdicts = runningInBackground(monitor);

    for (int flap = 0; flap < 20; flap++) {
      monitor.tell(new ConditionMonitor.ReportConditions(inBackground(flap % 2 == 0 ? Network.NONE : Network.WIFI)));
      pass(Duration.ofMillis(200));
    }
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.NO_NETWORK);
    verdicts.expectNoMessage(Duration.ofMillis(100));

    pass(DEBOUNCE);
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
    verdicts.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aNewBackgroundRunWaitsForStableWifiAndBatteryThenIgnoresTheBattery() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(phone(50, false, false, Network.CELLULAR, OsState.BACKGROUND));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));
    assertThat(verdicts.receiveMessage().reasons())
        .containsExactlyInAnyOrder(
            BlockerReason.WIFI_REQUIRED, BlockerReason.WAITING_FOR_STABLE_WIFI, BlockerReason.BATTERY_BELOW_START_THRESHOLD);

    monitor.tell(new ConditionMonitor.ReportConditions(phone(85, false, false, Network.WIFI, OsState.BACKGROUND)));
    pass(DEBOUNCE);
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.WAITING_FOR_STABLE_WIFI);
    pass(STABLE_WIFI.minus(DEBOUNCE));
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));

    monitor.tell(new ConditionMonitor.ReportConditions(phone(15, false, false, Network.WIFI, OsState.BACKGROUND)));
    pass(DEBOUNCE);
    verdicts.expectNoMessage(Duration.ofMillis(100));

    // The queue drains: the run is over, and the next one must pass the gate with 15 % battery.
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", false));
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.BATTERY_BELOW_START_THRESHOLD);
  }

  @Test
  void aHostThatKnowsHowLongTheWifiHasHeldPassesTheGateWithoutTheEnginesOwnWait() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(phone(90, false, false, Network.CELLULAR, OsState.BACKGROUND));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));
    assertThat(verdicts.receiveMessage().reasons()).contains(BlockerReason.WAITING_FOR_STABLE_WIFI);

    // On this Wi-Fi for an hour: only the debounce of a loosening change is left.
    DeviceConditions anHourOnWifi =
        inBackground(Network.WIFI).withNetworkSince(clock.instant().minus(Duration.ofHours(1)));
    monitor.tell(new ConditionMonitor.ReportConditions(anHourOnWifi));
    pass(DEBOUNCE);
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
  }

  @Test
  void aNetworkSinceAheadOfTheEnginesClockCountsFromNowNotFromTheFuture() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(phone(90, false, false, Network.CELLULAR, OsState.BACKGROUND));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));
    verdicts.receiveMessage();

    monitor.tell(
        new ConditionMonitor.ReportConditions(
            inBackground(Network.WIFI).withNetworkSince(clock.instant().plus(Duration.ofHours(1)))));
    pass(DEBOUNCE);
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.WAITING_FOR_STABLE_WIFI);
    pass(STABLE_WIFI.minus(DEBOUNCE));
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
  }

  @Test
  void aRunInterruptedByARestartContinuesWithoutWaitingAtTheGate() {
    List<String> marks = new java.util.concurrent.CopyOnWriteArrayList<>();
    RunMarker interrupted =
        new RunMarker() {
          @Override
          public boolean wasRunning() {
            return true;
          }

          @Override
          public void started() {
            marks.add("started");
          }

          @Override
          public void ended() {
            marks.add("ended");
          }
        };
    PolicySettings settings = new PolicySettings(true, STABLE_WIFI, 80, false, Set.of(), Optional.empty(), 1, 0);
    monitor =
        testKit.spawn(
            ConditionMonitor.create(
                settings,
                4,
                DEBOUNCE,
                Optional.of(phone(15, false, false, Network.CELLULAR, OsState.BACKGROUND)),
                clock,
                interrupted,
                Restarts.defaults()));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));

    // On mobile data: metered, for the libraries' rules.
    assertThat(verdicts.receiveMessage()).isEqualTo(new Verdict(true, 4, Set.of(), true));
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", false));
    assertThat(verdicts.receiveMessage().reasons())
        .containsExactlyInAnyOrder(BlockerReason.WAITING_FOR_STABLE_WIFI, BlockerReason.BATTERY_BELOW_START_THRESHOLD);
    // The marker is written off the monitor's thread.
    testKit.createTestProbe().awaitAssert(() -> assertThat(marks).containsExactly("ended"));
  }

  @Test
  void throttlingKeepsGoingWithOneUploadAndSaysWhy() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(inBackground(Network.WIFI));
    TestProbe<Verdict> verdicts = runningInBackground(monitor);

    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, false, false, Network.WIFI, OsState.THROTTLED)));

    assertThat(verdicts.receiveMessage()).isEqualTo(new Verdict(true, 1, Set.of(BlockerReason.OS_THROTTLED)));
  }

  @Test
  void theUsersPauseAndResumeApplyAtOnce() {
    ActorRef<ConditionMonitor.Command> monitor = monitor(DeviceConditions.desktop());
    TestProbe<Verdict> verdicts = subscribe(monitor);
    verdicts.receiveMessage();
    TestProbe<Done> acks = testKit.createTestProbe(Done.class);

    monitor.tell(new ConditionMonitor.SetUserPaused(true, acks.getRef()));
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.USER_PAUSED);
    monitor.tell(new ConditionMonitor.SetUserPaused(false, acks.getRef()));
    assertThat(verdicts.receiveMessage()).isEqualTo(Verdict.run(4));
  }

  @Test
  void aRunMarkerThatCannotBeWrittenNeitherStopsNorStallsTheMonitor(@TempDir Path dir) throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("file"), "");
    PolicySettings settings = new PolicySettings(true, STABLE_WIFI, 80, false, Set.of(), Optional.empty(), 1, 0);
    monitor =
        testKit.spawn(
            ConditionMonitor.create(
                settings,
                4,
                DEBOUNCE,
                Optional.of(DeviceConditions.desktop()),
                clock,
                RunMarker.file(notAFolder.resolve("run-in-progress")),
                Restarts.defaults()));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    verdicts.receiveMessage();

    // A library with work starts a run: the marker cannot be written below a regular file.
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", true));
    monitor.tell(new ConditionMonitor.LibraryBusy("camera", false));
    TestProbe<Done> acks = testKit.createTestProbe(Done.class);
    monitor.tell(new ConditionMonitor.SetUserPaused(true, acks.getRef()));

    acks.receiveMessage();
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.USER_PAUSED);
  }

  @Test
  void aFailureRestartsTheMonitorWhichKeepsThePauseAndItsSubscribers() {
    FailingClock failing = new FailingClock(clock);
    Restarts restarts = new Restarts(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, 3);
    monitor =
        testKit.spawn(
            ConditionMonitor.create(
                new PolicySettings(false, STABLE_WIFI, 80, false, Set.of(), Optional.empty(), 1, 0),
                4,
                DEBOUNCE,
                Optional.of(DeviceConditions.desktop()),
                failing,
                RunMarker.none(),
                restarts));
    TestProbe<Verdict> verdicts = subscribe(monitor);
    verdicts.receiveMessage();
    TestProbe<Done> acks = testKit.createTestProbe(Done.class);
    monitor.tell(new ConditionMonitor.SetUserPaused(true, acks.getRef()));
    acks.receiveMessage();
    assertThat(verdicts.receiveMessage().reasons()).containsExactly(BlockerReason.USER_PAUSED);

    failing.failNext();
    monitor.tell(new ConditionMonitor.ReportConditions(inBackground(Network.CELLULAR)));
    manualTime.timePasses(Duration.ofSeconds(1));

    // Restarted, it still holds the pause, and its subscriber hears the next change.
    TestProbe<ConditionMonitor.MonitorState> state = testKit.createTestProbe(ConditionMonitor.MonitorState.class);
    monitor.tell(new ConditionMonitor.GetState(state.getRef()));
    assertThat(state.receiveMessage().verdict().reasons()).contains(BlockerReason.USER_PAUSED);
    monitor.tell(new ConditionMonitor.ReportConditions(phone(90, true, true, Network.WIFI, OsState.FOREGROUND)));
    assertThat(verdicts.receiveMessage().reasons()).contains(BlockerReason.USER_PAUSED, BlockerReason.LOW_POWER_MODE);
  }

  /** A clock that throws once when told to, as a bug deep in the monitor would. */
  private static final class FailingClock extends Clock {
    private final Clock clock;
    private final AtomicBoolean failNext = new AtomicBoolean();

    FailingClock(Clock clock) {
      this.clock = clock;
    }

    void failNext() {
      failNext.set(true);
    }

    @Override
    public ZoneId getZone() {
      return clock.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      if (failNext.getAndSet(false)) {
        throw new IllegalStateException("a bug");
      }
      return clock.instant();
    }
  }
}
