package dev.autoupload.engine.conditions;

import dev.autoupload.engine.EngineEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

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
 */
public final class ConditionMonitor extends AbstractBehavior<ConditionMonitor.Command> {

  public sealed interface Command {}

  /** A snapshot from a condition source; replaces the previous one. */
  public record ReportConditions(DeviceConditions conditions) implements Command {}

  public record SetUserPaused(boolean paused, ActorRef<Done> replyTo) implements Command {}

  /** A library has work (queued, running or waiting to retry) or has drained it. */
  public record LibraryBusy(String libraryId, boolean busy) implements Command {}

  /** Sends the current verdict at once, then every change. */
  public record Subscribe(ActorRef<Verdict> subscriber) implements Command {}

  public record GetState(ActorRef<MonitorState> replyTo) implements Command {}

  private record Unsubscribe(ActorRef<Verdict> subscriber) implements Command {}

  private record Reevaluate() implements Command {}

  /** What the monitor knows, for status views. */
  public record MonitorState(DeviceConditions conditions, Verdict verdict, boolean runStarted) {}

  private static final Object DEBOUNCE = "debounce";
  private static final Object GATE = "gate";
  private static final Object CLOCK_TICK = "clock-tick";

  public static Behavior<Command> create(
      PolicySettings settings, int parallelism, Duration debounce, DeviceConditions initial, Clock clock) {
    return create(settings, parallelism, debounce, initial, clock, RunMarker.none());
  }

  /** As above, remembering through {@code marker} whether a run is under way across restarts. */
  public static Behavior<Command> create(
      PolicySettings settings,
      int parallelism,
      Duration debounce,
      DeviceConditions initial,
      Clock clock,
      RunMarker marker) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new ConditionMonitor(context, timers, settings, parallelism, debounce, initial, clock, marker)));
  }

  private final TimerScheduler<Command> timers;
  private final PolicySettings settings;
  private final int parallelism;
  private final Duration debounce;
  private final Clock clock;
  private final RunMarker marker;
  private final Set<ActorRef<Verdict>> subscribers = new HashSet<>();
  private final Set<String> busyLibraries = new HashSet<>();

  private DeviceConditions conditions;
  private Instant networkSince;
  private boolean userPaused;
  private boolean runStarted;
  private Verdict broadcast;

  private ConditionMonitor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      PolicySettings settings,
      int parallelism,
      Duration debounce,
      DeviceConditions initial,
      Clock clock,
      RunMarker marker) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.parallelism = parallelism;
    this.debounce = debounce;
    this.clock = clock;
    this.marker = marker;
    this.runStarted = marker.wasRunning();
    this.conditions = initial;
    this.networkSince = clock.instant();
    this.broadcast = evaluate();
    scheduleTimeChecks();
    if (settings.quietHours().isPresent()) {
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
          subscribers.remove(msg.subscriber());
          return this;
        })
        .onMessage(GetState.class, msg -> {
          msg.replyTo().tell(new MonitorState(conditions, broadcast, runStarted));
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
    if (next.network() != conditions.network()
        || next.metered() != conditions.metered()
        || !Objects.equals(next.wifiSsid(), conditions.wifiSsid())) {
      networkSince = clock.instant();
    }
    conditions = next;
    update(true);
    return this;
  }

  private Behavior<Command> onSetUserPaused(SetUserPaused msg) {
    userPaused = msg.paused();
    update(false);
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onLibraryBusy(LibraryBusy msg) {
    boolean changed = msg.busy() ? busyLibraries.add(msg.libraryId()) : busyLibraries.remove(msg.libraryId());
    if (changed && busyLibraries.isEmpty() && runStarted) {
      // The queue drained: this run is over, the next one passes the start gate again.
      runStarted = false;
      marker.ended();
    }
    if (changed) {
      update(false);
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe msg) {
    subscribers.add(msg.subscriber());
    getContext().watchWith(msg.subscriber(), new Unsubscribe(msg.subscriber()));
    msg.subscriber().tell(broadcast);
    return this;
  }

  /**
   * Re-evaluates; broadcasts a stricter verdict at once and a looser one after the debounce when
   * it came from the device (user actions and timers apply at once).
   */
  private void update(boolean fromDevice) {
    Verdict next = evaluate();
    scheduleTimeChecks();
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
    broadcast = next;
    markRunStarted();
    if (next.allowed()) {
      getContext().getLog().info("Uploads allowed, {} at once {}", next.concurrency(), next.reasons());
    } else {
      getContext().getLog().info("Uploads blocked by {}", next.reasons());
    }
    for (ActorRef<Verdict> subscriber : subscribers) {
      subscriber.tell(next);
    }
    getContext().getSystem().eventStream().tell(new EventStream.Publish<>(new EngineEvent.VerdictChanged(next)));
  }

  private void markRunStarted() {
    if (!runStarted && broadcast.allowed() && !busyLibraries.isEmpty()) {
      runStarted = true;
      marker.started();
    }
  }

  private Verdict evaluate() {
    Instant now = clock.instant();
    RunState run =
        new RunState(runStarted, Duration.between(networkSince, now), userPaused, LocalTime.ofInstant(now, clock.getZone()));
    return UploadPolicy.evaluate(conditions, settings, run, parallelism);
  }

  /** While the start gate waits for Wi-Fi to settle, look again the moment it has. */
  private void scheduleTimeChecks() {
    Duration stableFor = Duration.between(networkSince, clock.instant());
    if (!runStarted && conditions.onUnmeteredWifiOrWire() && stableFor.compareTo(settings.stableWifi()) < 0) {
      timers.startSingleTimer(GATE, new Reevaluate(), settings.stableWifi().minus(stableFor));
    }
  }

  /**
   * Whether {@code next} only lifts blockers or raises concurrency compared with {@code previous}.
   * A change that adds a blocker is never held back, even if it lifts another at the same time:
   * the reasons shown must be the true ones.
   */
  static boolean onlyLoosens(Verdict previous, Verdict next) {
    boolean addsNone = previous.blockers().containsAll(next.blockers());
    boolean lifts = !next.blockers().containsAll(previous.blockers()) || next.concurrency() > previous.concurrency();
    return addsNone && lifts;
  }
}
