package dev.autoupload.engine;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.internal.Restarts;
import dev.autoupload.engine.internal.activity.ActivityProjections;
import dev.autoupload.engine.internal.conditions.ConditionMonitor;
import dev.autoupload.engine.internal.conditions.PolicySettings;
import dev.autoupload.engine.internal.conditions.RunMarker;
import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.library.LibraryHealth;
import dev.autoupload.engine.internal.metrics.EngineMetrics;
import dev.autoupload.engine.internal.persistence.JournalFailures;
import dev.autoupload.engine.internal.upload.BandwidthLimiter;
import dev.autoupload.engine.internal.upload.StepTracker;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.RemoteLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorInitializationException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root actor: the {@link ConditionMonitor}, one {@link BackupSupervisor} per library and the
 * Activity projections ({@link ActivityProjections}, one per slice of the journal).
 *
 * <p>It watches every child. The monitor restarts itself (Pekko's backoff); a library's supervisor
 * that fails is restarted here, after a backoff, as its {@link LibraryHealth} decides, and shows as
 * down with the reason until it has recovered, while the other libraries go on.
 */
final class EngineGuardian extends AbstractBehavior<EngineGuardian.Command> {

  private static final Logger log = LoggerFactory.getLogger(EngineGuardian.class);

  sealed interface Command {}

  record AddLibrary(Library library, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Stops a library's backup; the reply, with the library, comes once its supervisor has stopped. */
  record RemoveLibrary(String libraryId, ActorRef<StatusReply<Library>> replyTo) implements Command {}

  record ListLibraries(ActorRef<List<LibraryEntry>> replyTo) implements Command {}

  /** A library and how to reach its supervisor, or why it is down. */
  record LibraryEntry(Library library, ActorRef<BackupSupervisor.Command> supervisor, Optional<LibraryStatus.Down> down) {}

  record ReportConditions(DeviceConditions conditions) implements Command {}

  /** The user's pause; a resume also lifts every library's own blockers at once. */
  record SetUserPaused(boolean paused, ActorRef<Done> replyTo) implements Command {}

  record GetConditions(ActorRef<ConditionMonitor.MonitorState> replyTo) implements Command {}

  /**
   * Which monitor a library follows: its own, or the engine's; empty for a library the engine
   * does not have.
   */
  record GetLibraryMonitor(String libraryId, ActorRef<Optional<LibraryMonitor>> replyTo) implements Command {}

  /**
   * The monitor whose verdict a library follows.
   *
   * @param own true for one of the library's own, which takes reports for it alone
   */
  record LibraryMonitor(boolean own, ActorRef<ConditionMonitor.Command> monitor) {}

  /**
   * Sent once the Activity projection's offset tables exist: starts the projection of each of the
   * journal's slices when {@code run}, else keeps them stopped until {@link RunActivity} asks for
   * them.
   */
  record StartActivity(DataSource dataSource, boolean run, Duration readAgainWhileIdle) implements Command {}

  /**
   * Starts ({@code run}) or stops the Activity projection of one slice on this engine, or of every
   * slice; see {@link ActivityProjections.Run}.
   */
  record RunActivity(OptionalInt slice, boolean run, ActorRef<Done> replyTo) implements Command {}

  /** Stops the projections, empties the read model and replays the journal into it. */
  record RebuildActivity(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  private record LibraryRecovered(BackupSupervisor.Recovered recovered) implements Command {}

  private record RestartLibrary(String libraryId) implements Command {}

  private record MonitorStopped() implements Command {}

  /** How the engine was configured, handed down to the actors it spawns. */
  record Settings(
      UploadSettings upload,
      RemoteLayout layout,
      int snapshotEvery,
      BandwidthLimiter bandwidth,
      StepTracker steps,
      PolicySettings policy,
      Duration debounce,
      Optional<DeviceConditions> initialConditions,
      RunMarker runMarker,
      Function<String, RunMarker> ownRunMarker,
      Clock clock,
      ContentHashCache hashes,
      LedgerTable ledgers,
      Restarts restarts,
      JournalFailures journal,
      EngineMetrics metrics) {}

  static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new EngineGuardian(context, timers, settings)));
  }

  /** A library as the guardian keeps it: its current supervisor (a new one after each restart). */
  private record Supervised(Library library, ActorRef<BackupSupervisor.Command> supervisor, LibraryHealth health) {
    Supervised with(LibraryHealth next) {
      return new Supervised(library, supervisor, next);
    }
  }

  private final TimerScheduler<Command> timers;
  private final Settings settings;
  private final BackupSupervisor.Wiring wiring;
  private final ActorRef<ConditionMonitor.Command> monitor;
  private final Map<String, Supervised> libraries = new LinkedHashMap<>();
  /**
   * The monitors of the libraries with conditions of their own, by library id: one each, kept
   * across restarts of its supervisor so that a restart does not forget the last report.
   */
  private final Map<String, ActorRef<ConditionMonitor.Command>> ownMonitors = new LinkedHashMap<>();
  /** The user's pause as last set: a library's own monitor starts with it. */
  private boolean userPaused;
  /**
   * Libraries being removed whose supervisor has not stopped yet, and who waits for that: the id
   * cannot be added again before, as two supervisors would write one journal.
   */
  private final Map<ActorRef<BackupSupervisor.Command>, Removal> removing = new LinkedHashMap<>();
  private long incarnations;

  private record Removal(Library library, ActorRef<StatusReply<Library>> replyTo) {}
  /** The Activity projections, once StartActivity brought what they need. */
  private ActorRef<ActivityProjections.Command> activity;
  /** What RunActivity asked before StartActivity, which then wins over the setting it brings. */
  private final List<RunActivity> activityAsked = new ArrayList<>();

  private EngineGuardian(ActorContext<Command> context, TimerScheduler<Command> timers, Settings settings) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.monitor =
        context.spawn(
            ConditionMonitor.create(
                settings.policy(),
                settings.upload().parallelism(),
                settings.debounce(),
                settings.initialConditions(),
                settings.clock(),
                settings.runMarker(),
                settings.restarts()),
            "conditions");
    // It restarts itself after a failure, so it stops only when something stops it: without it no
    // library hears whether it may upload, so the engine cannot go on.
    context.watchWith(monitor, new MonitorStopped());
    this.wiring =
        new BackupSupervisor.Wiring(
            settings.upload(),
            settings.layout(),
            settings.snapshotEvery(),
            settings.bandwidth(),
            settings.steps(),
            monitor,
            settings.clock(),
            settings.hashes(),
            settings.ledgers(),
            context.messageAdapter(BackupSupervisor.Recovered.class, LibraryRecovered::new),
            settings.metrics());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AddLibrary.class, this::onAddLibrary)
        .onMessage(RemoveLibrary.class, this::onRemoveLibrary)
        .onMessage(ListLibraries.class, this::onListLibraries)
        .onMessage(ReportConditions.class, this::onReportConditions)
        .onMessage(SetUserPaused.class, this::onSetUserPaused)
        .onMessage(GetConditions.class, this::onGetConditions)
        .onMessage(GetLibraryMonitor.class, this::onGetLibraryMonitor)
        .onMessage(StartActivity.class, this::onStartActivity)
        .onMessage(RunActivity.class, this::onRunActivity)
        .onMessage(RebuildActivity.class, this::onRebuildActivity)
        .onMessage(LibraryRecovered.class, this::onLibraryRecovered)
        .onMessage(RestartLibrary.class, this::onRestartLibrary)
        .onMessage(MonitorStopped.class, this::onMonitorStopped)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onAddLibrary(AddLibrary msg) {
    String id = msg.library().id();
    if (libraries.containsKey(id)) {
      msg.replyTo().tell(StatusReply.error("library " + id + " is already added"));
      return this;
    }
    if (removing.values().stream().anyMatch(removal -> removal.library().id().equals(id))) {
      msg.replyTo().tell(StatusReply.error("library " + id + " is still being removed; add it again once that is done"));
      return this;
    }
    libraries.put(id, new Supervised(msg.library(), spawn(msg.library()), LibraryHealth.up()));
    msg.replyTo().tell(StatusReply.ack());
    return this;
  }

  /**
   * Stops the library's supervisor, and with it its uploads, as closing the engine would: each
   * upload keeps what it journaled, so adding the library again resumes it and re-sends nothing
   * that is backed up. A library that is down has no supervisor running, nor a restart due after this.
   */
  private Behavior<Command> onRemoveLibrary(RemoveLibrary msg) {
    Supervised supervised = libraries.remove(msg.libraryId());
    if (supervised == null) {
      msg.replyTo().tell(StatusReply.error("no library " + msg.libraryId()));
      return this;
    }
    timers.cancel(msg.libraryId());
    if (supervised.health().down().isPresent() && !isRunning(supervised.supervisor())) {
      removed(supervised.library(), msg.replyTo());
      return this;
    }
    removing.put(supervised.supervisor(), new Removal(supervised.library(), msg.replyTo()));
    getContext().stop(supervised.supervisor());
    return this;
  }

  /**
   * Its work is over: the monitor must not count it busy (a run waits for busy libraries). Told
   * once the supervisor has stopped, after anything it told the monitor itself.
   */
  private void removed(Library library, ActorRef<StatusReply<Library>> replyTo) {
    ActorRef<ConditionMonitor.Command> own = ownMonitors.remove(library.id());
    if (own != null) {
      // Its reports were for this library alone; added again, it waits for a new one.
      getContext().stop(own);
    } else {
      monitor.tell(new ConditionMonitor.LibraryBusy(library.id(), false));
    }
    replyTo.tell(StatusReply.success(library));
  }

  /**
   * The library's own monitor, spawned the first time: it waits for the library's first report
   * ({@code CONDITIONS_UNKNOWN}), starts with the user's pause, and remembers a run under way in
   * a marker of its own.
   */
  private ActorRef<ConditionMonitor.Command> ownMonitor(String libraryId) {
    return ownMonitors.computeIfAbsent(
        libraryId,
        id -> {
          ActorRef<ConditionMonitor.Command> own =
              getContext()
                  .spawn(
                      ConditionMonitor.create(
                          settings.policy(),
                          settings.upload().parallelism(),
                          settings.debounce(),
                          Optional.empty(),
                          settings.clock(),
                          settings.ownRunMarker().apply(id),
                          settings.restarts(),
                          Optional.of(id)),
                      "conditions-" + id + "-" + (++incarnations));
          if (userPaused) {
            own.tell(new ConditionMonitor.SetUserPaused(true, getContext().getSystem().ignoreRef()));
          }
          return own;
        });
  }

  /** The monitor whose verdict {@code library} follows. */
  private ActorRef<ConditionMonitor.Command> monitorOf(Library library) {
    return library.ownConditions() ? ownMonitor(library.id()) : monitor;
  }

  /** Whether {@code supervisor} is still a child: a failed one is gone while its restart waits. */
  private boolean isRunning(ActorRef<BackupSupervisor.Command> supervisor) {
    return getContext().getChild(supervisor.path().name()).isPresent();
  }

  private ActorRef<BackupSupervisor.Command> spawn(Library library) {
    BackupSupervisor.Wiring libraryWiring =
        library.ownConditions() ? wiring.following(ownMonitor(library.id())) : wiring;
    ActorRef<BackupSupervisor.Command> supervisor =
        getContext().spawn(BackupSupervisor.create(library, libraryWiring), "library-" + library.id() + "-" + (++incarnations));
    getContext().watch(supervisor);
    return supervisor;
  }

  private Behavior<Command> onListLibraries(ListLibraries msg) {
    msg.replyTo()
        .tell(
            libraries.values().stream()
                .map(
                    supervised ->
                        new LibraryEntry(supervised.library(), supervised.supervisor(), supervised.health().down()))
                .toList());
    return this;
  }

  /** A library's supervisor stopped: it failed (with a cause) or something stopped it. */
  private Behavior<Command> onTerminated(Terminated terminated) {
    Removal removal = removing.remove(terminated.getRef());
    if (removal != null) {
      log.info("The backup of {} stopped: the library was removed", removal.library().id());
      removed(removal.library(), removal.replyTo());
      return this;
    }
    Optional<Supervised> stopped =
        libraries.values().stream().filter(supervised -> supervised.supervisor().equals(terminated.getRef())).findFirst();
    if (stopped.isEmpty()) {
      return this;
    }
    Supervised supervised = stopped.get();
    Library library = supervised.library();
    Throwable cause =
        terminated instanceof ChildFailed failed
            ? failed.getCause()
            : new IllegalStateException("the backup stopped unexpectedly");
    String reason = reason(cause);
    boolean restartCannotHelp = settings.journal().restartCannotHelp(cause);
    LibraryHealth.Decision decision =
        supervised.health()
            .failed(
                reason,
                restartCannotHelp,
                library.keepWatching(),
                settings.clock().instant(),
                ThreadLocalRandom.current().nextDouble(),
                settings.restarts());
    libraries.put(library.id(), supervised.with(decision.health()));
    if (decision.restartAfter().isPresent()) {
      log.warn(
          "The backup of {} failed: {}; restarting it in {} ms",
          library.id(),
          reason,
          decision.restartAfter().get().toMillis(),
          cause);
      timers.startSingleTimer(library.id(), new RestartLibrary(library.id()), decision.restartAfter().get());
    } else {
      log.error("The backup of {} failed: {}; it stays down", library.id(), reason, cause);
      // It has no work any more: the run may end without it.
      monitorOf(library).tell(new ConditionMonitor.LibraryBusy(library.id(), false));
    }
    return this;
  }

  private String reason(Throwable failure) {
    // A failure while it started comes wrapped; what the user needs is inside.
    Throwable cause =
        failure instanceof ActorInitializationException && failure.getCause() != null ? failure.getCause() : failure;
    if (JournalFailures.fromJournal(cause)) {
      return settings.journal().describe(cause);
    }
    String message = cause.getMessage() == null || cause.getMessage().isBlank() ? "" : ": " + cause.getMessage();
    return cause.getClass().getSimpleName() + message;
  }

  private Behavior<Command> onRestartLibrary(RestartLibrary msg) {
    Supervised supervised = libraries.get(msg.libraryId());
    libraries.put(msg.libraryId(), new Supervised(supervised.library(), spawn(supervised.library()), supervised.health()));
    return this;
  }

  private Behavior<Command> onLibraryRecovered(LibraryRecovered msg) {
    Supervised supervised = libraries.get(msg.recovered().libraryId());
    if (supervised != null && supervised.health().down().isPresent()) {
      log.info("The backup of {} is up again", supervised.library().id());
      libraries.put(supervised.library().id(), supervised.with(supervised.health().recovered(settings.clock().instant())));
    }
    return this;
  }

  private Behavior<Command> onMonitorStopped(MonitorStopped msg) {
    log.error("The condition monitor stopped; the engine stops");
    return Behaviors.stopped();
  }

  private Behavior<Command> onReportConditions(ReportConditions msg) {
    monitor.tell(new ConditionMonitor.ReportConditions(msg.conditions()));
    return this;
  }

  private Behavior<Command> onSetUserPaused(SetUserPaused msg) {
    userPaused = msg.paused();
    if (!msg.paused()) {
      for (Supervised supervised : libraries.values()) {
        supervised.supervisor().tell(new BackupSupervisor.ClearLibraryBlockers(getContext().getSystem().ignoreRef()));
      }
    }
    List<ActorRef<ConditionMonitor.Command>> all = new ArrayList<>(ownMonitors.values());
    all.add(monitor);
    getContext().spawnAnonymous(PauseRound.create(all, msg.paused(), msg.replyTo()));
    return this;
  }

  private Behavior<Command> onStartActivity(StartActivity msg) {
    activity =
        getContext()
            .spawn(
                ActivityProjections.create(msg.dataSource(), msg.run(), msg.readAgainWhileIdle()),
                "activity-projections");
    activityAsked.forEach(run -> activity.tell(new ActivityProjections.Run(run.slice(), run.run(), run.replyTo())));
    activityAsked.clear();
    return this;
  }

  private Behavior<Command> onRunActivity(RunActivity msg) {
    if (activity == null) {
      // Before StartActivity (the engine is still starting): asked of the projections once they exist.
      activityAsked.add(msg);
    } else {
      activity.tell(new ActivityProjections.Run(msg.slice(), msg.run(), msg.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onRebuildActivity(RebuildActivity msg) {
    if (activity == null) {
      msg.replyTo().tell(StatusReply.error("the Activity projection is not running"));
    } else {
      activity.tell(new ActivityProjections.Rebuild(msg.replyTo()));
    }
    return this;
  }

  private Behavior<Command> onGetLibraryMonitor(GetLibraryMonitor msg) {
    Supervised supervised = libraries.get(msg.libraryId());
    msg.replyTo()
        .tell(
            Optional.ofNullable(supervised)
                .map(found -> new LibraryMonitor(found.library().ownConditions(), monitorOf(found.library()))));
    return this;
  }

  private Behavior<Command> onGetConditions(GetConditions msg) {
    monitor.tell(new ConditionMonitor.GetState(msg.replyTo()));
    return this;
  }
}
