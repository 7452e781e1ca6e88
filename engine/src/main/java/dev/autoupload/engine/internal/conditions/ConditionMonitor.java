package dev.autoupload.engine.internal.conditions;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.internal.Restarts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.LoggerFactory;

/**
 * Turns device conditions into a {@link Verdict} and tells every subscribed supervisor when it
 * changes.
 *
 * <p>Changes that stop or slow uploads are broadcast at once, so no byte leaves after Low Power
 * Mode comes on. Changes that only let uploads go again (a blocker gone, more concurrency) wait
 * until conditions have stayed that way for {@code debounce}: Wi-Fi flapping every 200 ms pauses the
 * uploads once and resumes them once when it settles, instead of writing a pause and a resume to
 * the journal per flap.
 *
 * <p>It also keeps the run state the policy needs: a run starts when uploads are allowed while a
 * library has work, and ends when every library has drained its queue; the next run passes the
 * start gate again.
 *
 * <p>It is restarted with backoff when it fails. What it was told (the conditions, the user's
 * pause, who subscribed, which libraries have work) outlives a restart: a crash must neither lift
 * the user's pause nor leave a library without verdicts. The run marker's file I/O runs off its
 * thread, in order.
 */
public final class ConditionMonitor extends AbstractBehavior<ConditionMonitor.Command> {

  /** What the monitor is told or asked. */
  public sealed interface Command {}

  /** A snapshot from a condition source; replaces the previous one. */
  public record ReportConditions(DeviceConditions conditions) implements Command {}

  /**
   * The user paused all uploads, or lifted the pause; a pause reaches the subscribers at once, a
   * resume after the debounce.
   *
   * @param paused whether uploads are paused
   * @param replyTo told once the monitor has taken it in
   */
  public record SetUserPaused(boolean paused, ActorRef<Done> replyTo) implements Command {}

  /** A library has work (queued, running or waiting to retry) or has drained it. */
  public record LibraryBusy(String libraryId, boolean busy) implements Command {}

  /** Sends the current verdict at once, then every change. */
  public record Subscribe(ActorRef<Verdict> subscriber) implements Command {}

  /**
   * Asks what the monitor knows, for status views.
   *
   * @param replyTo where the state goes
   */
  public record GetState(ActorRef<MonitorState> replyTo) implements Command {}

  private record Unsubscribe(ActorRef<Verdict> subscriber) implements Command {}

  private record Reevaluate() implements Command {}

  /**
   * What the monitor knows, for status views.
   *
   * @param conditions as last reported; empty before the first report when the engine started
   *     without initial conditions
   */
  public record MonitorState(Optional<DeviceConditions> conditions, Verdict verdict, boolean runStarted) {}

  private static final Object DEBOUNCE = "debounce";
  private static final Object GATE = "gate";
  private static final Object CLOCK_TICK = "clock-tick";

  /**
   * A monitor that starts from {@code initial}, remembers no run across restarts of the engine and
   * restarts with the default backoff. For tests.
   *
   * @param settings the {@code autoupload.policy} settings
   * @param parallelism uploads per library at once when nothing slows them down
   * @param debounce how long conditions must stay better before uploads go again
   * @param initial the conditions until the first report
   * @param clock the time the schedule, quiet hours and network's stable time are read on
   * @return the monitor's behaviour
   */
  public static Behavior<Command> create(
      PolicySettings settings, int parallelism, Duration debounce, DeviceConditions initial, Clock clock) {
    return create(settings, parallelism, debounce, Optional.of(initial), clock, RunMarker.none(), Restarts.defaults());
  }

  /**
   * As above, remembering through {@code marker} whether a run is under way across restarts of the
   * engine, and restarting after a failure as {@code restarts} says. Without {@code initial}
   * conditions uploads wait ({@link BlockerReason#CONDITIONS_UNKNOWN}) until the first report: an
   * engine embedded in a phone app must not upload on mobile data before the app says where it is.
   *
   * @param settings the {@code autoupload.policy} settings
   * @param parallelism uploads per library at once when nothing slows them down
   * @param debounce how long conditions must stay better before uploads go again
   * @param initial the conditions until the first report; empty to wait for it
   * @param clock the time the schedule, quiet hours and network's stable time are read on
   * @param marker where a run under way is remembered
   * @param restarts how the monitor is restarted after a failure
   * @return the monitor's behaviour, supervised
   */
  public static Behavior<Command> create(
      PolicySettings settings,
      int parallelism,
      Duration debounce,
      Optional<DeviceConditions> initial,
      Clock clock,
      RunMarker marker,
      Restarts restarts) {
    return create(settings, parallelism, debounce, initial, clock, marker, restarts, Optional.empty());
  }

  /**
   * As above, for the device's conditions or for those of one library that has conditions of its
   * own, which its log lines and its {@link EngineEvent.VerdictChanged} events name.
   *
   * @param settings the {@code autoupload.policy} settings
   * @param parallelism uploads per library at once when nothing slows them down
   * @param debounce how long conditions must stay better before uploads go again
   * @param initial the conditions until the first report; empty to wait for it
   * @param clock the time the schedule, quiet hours and network's stable time are read on
   * @param marker where a run under way is remembered
   * @param restarts how the monitor is restarted after a failure
   * @param libraryId the library whose own conditions it follows; empty for the device's
   * @return the monitor's behaviour, supervised
   */
  public static Behavior<Command> create(
      PolicySettings settings,
      int parallelism,
      Duration debounce,
      Optional<DeviceConditions> initial,
      Clock clock,
      RunMarker marker,
      Restarts restarts,
      Optional<String> libraryId) {
    Memory memory = new Memory(initial, marker.wasRunning(), clock.instant(), libraryId);
    return Behaviors.supervise(
            Behaviors.<Command>setup(
                context ->
                    Behaviors.withTimers(
                        timers ->
                            new ConditionMonitor(
                                context, timers, settings, parallelism, debounce, clock, marker, memory))))
        .onFailure(Exception.class, restarts.strategy());
  }

  /**
   * What the monitor was told and decided, kept across its restarts; only its actor's thread
   * touches it, one incarnation at a time.
   */
  private static final class Memory {
    final Set<ActorRef<Verdict>> subscribers = new HashSet<>();
    final Set<String> busyLibraries = new HashSet<>();
    Optional<DeviceConditions> conditions;
    Instant networkSince;
    boolean userPaused;
    boolean runStarted;
    Optional<Verdict> broadcast = Optional.empty();
    /** The marker's writes, chained so that a start and an end reach the file in order. */
    CompletableFuture<Void> markerWrites = CompletableFuture.completedFuture(null);

    /** The library whose own conditions these are; empty for the device's. */
    final Optional<String> libraryId;
    /** What the log lines say is allowed or blocked. */
    final String subject;

    Memory(Optional<DeviceConditions> conditions, boolean runStarted, Instant networkSince, Optional<String> libraryId) {
      this.libraryId = libraryId;
      this.subject = libraryId.map(id -> "Uploads of library " + id).orElse("Uploads");
      this.conditions = conditions;
      this.runStarted = runStarted;
      this.networkSince = networkSince;
    }
  }

  private final TimerScheduler<Command> timers;
  private final PolicySettings settings;
  private final int parallelism;
  private final Duration debounce;
  private final Clock clock;
  private final RunMarker marker;
  private final Executor blockingIo;
  private final Memory memory;

  private ConditionMonitor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      PolicySettings settings,
      int parallelism,
      Duration debounce,
      Clock clock,
      RunMarker marker,
      Memory memory) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.parallelism = parallelism;
    this.debounce = debounce;
    this.clock = clock;
    this.marker = marker;
    this.memory = memory;
    this.blockingIo =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    if (memory.broadcast.isEmpty()) {
      memory.broadcast = Optional.of(evaluate());
      scheduleTimeChecks();
    } else {
      // Restarted: a debounce or a gate's wait may have been under way; look again now.
      getContext().getLog().info("The condition monitor restarted; it keeps what it was told");
      update(false);
    }
    if (settings.quietHours().isPresent() || !settings.schedule().isEmpty()) {
      timers.startTimerWithFixedDelay(CLOCK_TICK, new Reevaluate(), Duration.ofSeconds(30));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReportConditions.class, this::onReport)
        .onMessage(SetUserPaused.class, this::onSetUserPaused)
        .onMessage(LibraryBusy.class, this::onLibraryBusy)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, msg -> {
          memory.subscribers.remove(msg.subscriber());
          return this;
        })
        .onMessage(GetState.class, msg -> {
          msg.replyTo().tell(new MonitorState(memory.conditions, broadcast(), memory.runStarted));
          return this;
        })
        .onMessage(Reevaluate.class, msg -> {
          update(false);
          return this;
        })
        .build();
  }

  private Behavior<Command> onReport(ReportConditions msg) {
    DeviceConditions next = msg.conditions();
    // A first report says how long the device has been on its network only if the app knows:
    // until then the network counts from now, so stable Wi-Fi is waited for in full.
    boolean networkChanged =
        memory.conditions
            .map(
                before ->
                    next.network() != before.network()
                        || next.metered() != before.metered()
                        || !Objects.equals(next.wifiSsid(), before.wifiSsid()))
            .orElse(true);
    Instant now = clock.instant();
    if (next.networkSince().isPresent()) {
      // The app knows better than our count; a clock ahead of ours must not pass the gate early.
      Instant since = next.networkSince().get();
      memory.networkSince = since.isAfter(now) ? now : since;
    } else if (networkChanged) {
      memory.networkSince = now;
    }
    memory.conditions = Optional.of(next);
    update(true);
    return this;
  }

  private Behavior<Command> onSetUserPaused(SetUserPaused msg) {
    memory.userPaused = msg.paused();
    update(false);
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onLibraryBusy(LibraryBusy msg) {
    Set<String> busyLibraries = memory.busyLibraries;
    boolean changed = msg.busy() ? busyLibraries.add(msg.libraryId()) : busyLibraries.remove(msg.libraryId());
    if (changed && busyLibraries.isEmpty() && memory.runStarted) {
      // The queue drained: this run is over, the next one passes the start gate again.
      memory.runStarted = false;
      mark(RunMarker::ended);
    }
    if (changed) {
      update(false);
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    memory.subscribers.add(msg.subscriber());
    getContext().watchWith(msg.subscriber(), new Unsubscribe(msg.subscriber()));
    msg.subscriber().tell(broadcast());
    return this;
  }

  /**
   * Re-evaluates; broadcasts a stricter verdict at once and a looser one after the debounce when
   * it came from the device (user actions and timers apply at once).
   */
  private void update(boolean fromDevice) {
    Verdict next = evaluate();
    scheduleTimeChecks();
    Verdict broadcast = broadcast();
    if (next.equals(broadcast)) {
      timers.cancel(DEBOUNCE);
      markRunStarted();
      return;
    }
    if (fromDevice && onlyLoosens(broadcast, next) && !debounce.isZero()) {
      timers.startSingleTimer(DEBOUNCE, new Reevaluate(), debounce);
      return;
    }
    timers.cancel(DEBOUNCE);
    memory.broadcast = Optional.of(next);
    markRunStarted();
    if (next.allowed()) {
      getContext().getLog().info(
          "{} allowed, {} at once {}{}", memory.subject, next.concurrency(), next.reasons(), next.metered() ? " on a metered network" : "");
    } else {
      getContext().getLog().info("{} blocked by {}", memory.subject, next.reasons());
    }
    for (ActorRef<Verdict> subscriber : memory.subscribers) {
      subscriber.tell(next);
    }
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(new EngineEvent.VerdictChanged(next, memory.libraryId)));
  }

  private void markRunStarted() {
    if (!memory.runStarted && broadcast().allowed() && !memory.busyLibraries.isEmpty()) {
      memory.runStarted = true;
      mark(RunMarker::started);
    }
  }

  /** Changes the run marker's file off this thread, after the changes before it. */
  private void mark(java.util.function.Consumer<RunMarker> change) {
    memory.markerWrites =
        memory.markerWrites
            .thenRunAsync(() -> change.accept(marker), blockingIo)
            .exceptionally(
                failure -> {
                  // A marker that fails costs a restarted engine only the start gate's wait.
                  LoggerFactory.getLogger(ConditionMonitor.class).warn("The run marker failed: {}", failure.toString());
                  return null;
                });
  }

  private Verdict broadcast() {
    return memory.broadcast.orElseThrow();
  }

  private Verdict evaluate() {
    Instant now = clock.instant();
    RunState run =
        new RunState(
            memory.runStarted,
            Duration.between(memory.networkSince, now),
            memory.userPaused,
            LocalTime.ofInstant(now, clock.getZone()));
    return memory.conditions
        .map(device -> UploadPolicy.evaluate(device, settings, run, parallelism))
        .orElseGet(() -> UploadPolicy.evaluateUnknown(settings, run));
  }

  /** While the start gate waits for Wi-Fi to settle, look again the moment it has. */
  private void scheduleTimeChecks() {
    Duration stableFor = Duration.between(memory.networkSince, clock.instant());
    if (!memory.runStarted
        && memory.conditions.filter(DeviceConditions::onUnmeteredWifiOrWire).isPresent()
        && stableFor.compareTo(settings.stableWifi()) < 0) {
      timers.startSingleTimer(GATE, new Reevaluate(), settings.stableWifi().minus(stableFor));
    }
  }

  /**
   * Whether {@code next} only lifts blockers, raises concurrency or leaves a metered network
   * compared with {@code previous}. A change that adds a blocker or turns the network metered is
   * never held back, even if it lifts another at the same time: the reasons shown must be the true
   * ones, and a library's rules may keep assets off a metered network.
   */
  static boolean onlyLoosens(Verdict previous, Verdict next) {
    boolean addsNone = previous.blockers().containsAll(next.blockers()) && (previous.metered() || !next.metered());
    boolean lifts =
        !next.blockers().containsAll(previous.blockers())
            || next.concurrency() > previous.concurrency()
            || (previous.metered() && !next.metered());
    return addsNone && lifts;
  }
}
