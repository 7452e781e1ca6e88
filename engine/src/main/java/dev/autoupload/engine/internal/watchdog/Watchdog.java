package dev.autoupload.engine.internal.watchdog;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
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

  /**
   * The libraries' statuses, and the last backups the journal knows of those first seen in this
   * check (absent for one never backed up), or why they could not be read.
   */
  private record Checked(
      List<LibraryStatus> statuses, Map<String, Instant> lastBackups, Optional<Throwable> lastBackupsFailure)
      implements Command {}

  private record CheckFailed(Throwable failure) implements Command {}

  /**
   * A watchdog that checks every {@code check-every}; a library's watch starts from its latest
   * backup the journal knows, looked up when the watchdog first sees the library.
   *
   * @param settings the limits, how often to check, and the webhook's settings
   * @param statuses every library's status, without asking this watchdog
   * @param lastBackups the latest backup the journal knows of each of the given libraries, from
   *     earlier runs too; absent for one never backed up
   * @param clock the time stalls are measured on
   * @param alerts where alerts go besides events and the log (the webhook), if anywhere
   * @return the watchdog's behaviour
   */
  public static Behavior<Command> create(
      WatchdogSettings settings,
      Supplier<CompletionStage<List<LibraryStatus>>> statuses,
      Function<Set<String>, CompletionStage<Map<String, Instant>>> lastBackups,
      Clock clock,
      Consumer<LibraryWatch.Alert> alerts) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Watchdog(context, timers, settings, statuses, lastBackups, clock, alerts).watching()));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final WatchdogSettings settings;
  private final Supplier<CompletionStage<List<LibraryStatus>>> statuses;
  private final Function<Set<String>, CompletionStage<Map<String, Instant>>> lastBackups;
  private final Clock clock;
  private final Consumer<LibraryWatch.Alert> alerts;
  private final Map<String, LibraryWatch> watches = new HashMap<>();
  private boolean checking;

  private Watchdog(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      WatchdogSettings settings,
      Supplier<CompletionStage<List<LibraryStatus>>> statuses,
      Function<Set<String>, CompletionStage<Map<String, Instant>>> lastBackups,
      Clock clock,
      Consumer<LibraryWatch.Alert> alerts) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.statuses = statuses;
    this.lastBackups = lastBackups;
    this.clock = clock;
    this.alerts = alerts;
  }

  private Behavior<Command> watching() {
    timers.startTimerWithFixedDelay(Tick.class, new Tick(), settings.checkEvery());
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
      Set<String> watched = Set.copyOf(watches.keySet());
      context.pipeToSelf(
          statuses.get().thenCompose(seen -> withLastBackups(seen, watched)),
          (checked, failure) -> failure == null ? checked : new CheckFailed(failure));
    }
    return Behaviors.same();
  }

  /**
   * The statuses with the last backups of the libraries not {@code watched} yet, looked up by
   * library (a few index lookups, where reading every library's latest out of the Activity's rows
   * took seconds at a million assets, at every start).
   */
  private CompletionStage<Checked> withLastBackups(List<LibraryStatus> seen, Set<String> watched) {
    Set<String> firstSeen = new HashSet<>();
    seen.forEach(status -> firstSeen.add(status.libraryId()));
    firstSeen.removeAll(watched);
    if (firstSeen.isEmpty()) {
      return CompletableFuture.completedFuture(new Checked(seen, Map.of(), Optional.empty()));
    }
    return lastBackups
        .apply(Set.copyOf(firstSeen))
        .handle(
            (found, failure) ->
                failure == null
                    ? new Checked(seen, found, Optional.empty())
                    : new Checked(seen, Map.of(), Optional.of(failure)));
  }

  private Behavior<Command> onChecked(Checked checked) {
    checking = false;
    // Without them such a library counts from now: later, not never.
    checked
        .lastBackupsFailure()
        .ifPresent(
            failure ->
                context.getLog().warn("The watchdog cannot read the last backups from the journal: {}", failure.toString()));
    Instant now = clock.instant();
    Map<String, LibraryWatch> seen = new HashMap<>();
    for (LibraryStatus status : checked.statuses()) {
      LibraryWatch watch =
          watches.getOrDefault(
              status.libraryId(),
              LibraryWatch.start(
                  status.libraryId(), now, Optional.ofNullable(checked.lastBackups().get(status.libraryId()))));
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
