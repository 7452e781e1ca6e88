package dev.autoupload.engine.internal.watchdog;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Looks at every library every {@code check-every} and tells when one stalls or recovers ({@link
 * LibraryWatch} decides): an {@link EngineEvent.Stalled} or {@link EngineEvent.Recovered}, a log
 * line, and the webhook, if one is set. A library that is down counts: its files wait.
 */
public final class Watchdog {

  /** What the watchdog is told or asked. */
  public sealed interface Command {}

  /** The stalls in force, by library id. */
  public record GetStalls(ActorRef<Map<String, Stall>> replyTo) implements Command {}

  private record Tick() implements Command {}

  private record LastBackupsLoaded(Map<String, Instant> lastBackups) implements Command {}

  private record Checked(List<LibraryStatus> statuses) implements Command {}

  private record CheckFailed(Throwable failure) implements Command {}

  /**
   * A watchdog that loads the last backups first, then checks every {@code check-every}.
   *
   * @param settings the limits, how often to check, and the webhook's settings
   * @param statuses every library's status, without asking this watchdog
   * @param lastBackups each library's latest backup the journal knows, from earlier runs too
   * @param clock the time stalls are measured on
   * @param alerts where alerts go besides events and the log (the webhook), if anywhere
   * @return the watchdog's behaviour
   */
  public static Behavior<Command> create(
      WatchdogSettings settings,
      Supplier<CompletionStage<List<LibraryStatus>>> statuses,
      Supplier<CompletionStage<Map<String, Instant>>> lastBackups,
      Clock clock,
      Consumer<LibraryWatch.Alert> alerts) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Watchdog(context, timers, settings, statuses, clock, alerts).loading(lastBackups)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final WatchdogSettings settings;
  private final Supplier<CompletionStage<List<LibraryStatus>>> statuses;
  private final Clock clock;
  private final Consumer<LibraryWatch.Alert> alerts;
  private final Map<String, LibraryWatch> watches = new HashMap<>();
  private Map<String, Instant> lastBackups = Map.of();
  private boolean checking;

  private Watchdog(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      WatchdogSettings settings,
      Supplier<CompletionStage<List<LibraryStatus>>> statuses,
      Clock clock,
      Consumer<LibraryWatch.Alert> alerts) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.statuses = statuses;
    this.clock = clock;
    this.alerts = alerts;
  }

  private Behavior<Command> loading(Supplier<CompletionStage<Map<String, Instant>>> lastBackups) {
    context.pipeToSelf(
        lastBackups.get(),
        (loaded, failure) -> {
          if (failure != null) {
            // Without them a library never backed up in this run counts from now: later, not never.
            context.getLog().warn("The watchdog cannot read the last backups from the journal: {}", failure.toString());
          }
          return new LastBackupsLoaded(failure == null ? loaded : Map.of());
        });
    timers.startTimerWithFixedDelay(Tick.class, new Tick(), settings.checkEvery());
    return Behaviors.receive(Command.class)
        .onMessage(GetStalls.class, this::onGetStalls)
        .onMessage(Tick.class, tick -> Behaviors.same())
        .onMessage(
            LastBackupsLoaded.class,
            loaded -> {
              this.lastBackups = loaded.lastBackups();
              return watching();
            })
        .build();
  }

  private Behavior<Command> watching() {
    return Behaviors.receive(Command.class)
        .onMessage(GetStalls.class, this::onGetStalls)
        .onMessage(Tick.class, tick -> check())
        .onMessage(Checked.class, this::onChecked)
        .onMessage(
            CheckFailed.class,
            failed -> {
              checking = false;
              context.getLog().debug("The watchdog could not ask the libraries: {}", failed.failure().toString());
              return Behaviors.same();
            })
        .build();
  }

  private Behavior<Command> onGetStalls(GetStalls get) {
    Map<String, Stall> stalls = new HashMap<>();
    watches.forEach((id, watch) -> watch.stall().ifPresent(stall -> stalls.put(id, stall)));
    get.replyTo().tell(Map.copyOf(stalls));
    return Behaviors.same();
  }

  private Behavior<Command> check() {
    if (!checking) {
      checking = true;
      context.pipeToSelf(
          statuses.get(), (seen, failure) -> failure == null ? new Checked(seen) : new CheckFailed(failure));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onChecked(Checked checked) {
    checking = false;
    Instant now = clock.instant();
    Map<String, LibraryWatch> seen = new HashMap<>();
    for (LibraryStatus status : checked.statuses()) {
      LibraryWatch watch =
          watches.getOrDefault(
              status.libraryId(),
              LibraryWatch.start(status.libraryId(), now, Optional.ofNullable(lastBackups.get(status.libraryId()))));
      LibraryWatch.Check check = watch.check(now, seen(status), settings.limits());
      seen.put(status.libraryId(), check.next());
      check.alert().ifPresent(alert -> raise(alert, now));
    }
    // A library removed from the engine is no longer watched.
    watches.clear();
    watches.putAll(seen);
    return Behaviors.same();
  }

  /**
   * What the rule needs from a status: waiting files, uploads done, reasons and their words. A file
   * that failed for good in this run waits too: nothing takes it up again until the user retries
   * or the next run, which is the silent stop the watchdog is for.
   */
  static LibraryWatch.Seen seen(LibraryStatus status) {
    long waiting = status.queued() + status.running() + status.retrying() + status.failed();
    if (status.down().isPresent()) {
      waiting = Math.max(waiting, 1);
    }
    List<String> causes = new ArrayList<>();
    status.down().ifPresent(down -> causes.add("the library's backup is down: " + down.reason()));
    status.scanError().ifPresent(error -> causes.add("the scan failed: " + error));
    status.targetError().ifPresent(error -> causes.add("the target: " + error));
    status.failures().stream()
        .limit(3)
        .forEach(failure -> causes.add(failure.path() + ": " + failure.error().message()));
    status.retries().stream()
        .limit(3)
        .forEach(retry -> causes.add(retry.path() + " (retrying): " + retry.error().message()));
    return new LibraryWatch.Seen(waiting, status.completed(), status.reasons(), causes);
  }

  private void raise(LibraryWatch.Alert alert, Instant now) {
    EngineEvent event;
    if (alert instanceof LibraryWatch.Stalled stalled) {
      Stall stall = stalled.stall();
      context.getLog().warn(
          "Library {} is stalled ({}): nothing backed up for {}, {} file(s) waiting; reasons {}; {}",
          stall.libraryId(), stall.kind(), stall.lasting(now), stall.waiting(), stall.reasons(),
          stall.causes().isEmpty() ? "no error known" : String.join("; ", stall.causes()));
      event = new EngineEvent.Stalled(stall, stall.lasting(now));
    } else {
      LibraryWatch.Recovered recovered = (LibraryWatch.Recovered) alert;
      context.getLog().info(
          "Library {} recovered after a stall of {}: {}",
          recovered.libraryId(), recovered.ended().lasting(now), recovered.how());
      event = new EngineEvent.Recovered(recovered.ended(), recovered.at(), recovered.how());
    }
    context.getSystem().eventStream().tell(new EventStream.Publish<>(event));
    alerts.accept(alert);
  }
}
