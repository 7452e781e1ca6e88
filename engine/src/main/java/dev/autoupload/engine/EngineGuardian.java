package dev.autoupload.engine;

import dev.autoupload.engine.activity.ActivityProjection;
import dev.autoupload.engine.conditions.ConditionMonitor;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.PolicySettings;
import dev.autoupload.engine.conditions.RunMarker;
import dev.autoupload.engine.library.BackupSupervisor;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.BandwidthLimiter;
import dev.autoupload.engine.upload.StepTracker;
import dev.autoupload.engine.upload.UploadSettings;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.projection.ProjectionBehavior;

/**
 * The root actor: the {@link ConditionMonitor}, one {@link BackupSupervisor} per library and the
 * Activity projection, which it restarts if it stops and replays from scratch on a rebuild.
 */
final class EngineGuardian extends AbstractBehavior<EngineGuardian.Command> {

  sealed interface Command {}

  record AddLibrary(Library library, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  record ListLibraries(ActorRef<List<ActorRef<BackupSupervisor.Command>>> replyTo) implements Command {}

  record ReportConditions(DeviceConditions conditions) implements Command {}

  /** The user's pause; a resume also lifts every library's own blockers at once. */
  record SetUserPaused(boolean paused, ActorRef<Done> replyTo) implements Command {}

  record GetConditions(ActorRef<ConditionMonitor.MonitorState> replyTo) implements Command {}

  /** Starts the Activity projection; sent once its offset tables exist. */
  record StartActivity(DataSource dataSource) implements Command {}

  /** Stops the projection, empties the read model and replays the journal into it. */
  record RebuildActivity(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  private record ActivityStopped() implements Command {}

  private record ActivityReset(Optional<Throwable> failure) implements Command {}

  /** How the engine was configured, handed down to the actors it spawns. */
  record Settings(
      UploadSettings upload,
      RemoteLayout layout,
      int snapshotEvery,
      BandwidthLimiter bandwidth,
      StepTracker steps,
      PolicySettings policy,
      Duration debounce,
      DeviceConditions initialConditions,
      RunMarker runMarker,
      Clock clock,
      ContentHashCache hashes) {}

  static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(context -> new EngineGuardian(context, settings));
  }

  private final BackupSupervisor.Wiring wiring;
  private final ActorRef<ConditionMonitor.Command> monitor;
  private final Map<String, ActorRef<BackupSupervisor.Command>> libraries = new LinkedHashMap<>();
  private DataSource activityDataSource;
  private ActorRef<ProjectionBehavior.Command> activity;
  private final List<ActorRef<StatusReply<Done>>> rebuildWaiting = new ArrayList<>();

  private EngineGuardian(ActorContext<Command> context, Settings settings) {
    super(context);
    this.monitor =
        context.spawn(
            ConditionMonitor.create(
                settings.policy(),
                settings.upload().parallelism(),
                settings.debounce(),
                settings.initialConditions(),
                settings.clock(),
                settings.runMarker()),
            "conditions");
    this.wiring =
        new BackupSupervisor.Wiring(
            settings.upload(),
            settings.layout(),
            settings.snapshotEvery(),
            settings.bandwidth(),
            settings.steps(),
            monitor,
            settings.clock(),
            settings.hashes());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AddLibrary.class, this::onAddLibrary)
        .onMessage(ListLibraries.class, this::onListLibraries)
        .onMessage(ReportConditions.class, this::onReportConditions)
        .onMessage(SetUserPaused.class, this::onSetUserPaused)
        .onMessage(GetConditions.class, this::onGetConditions)
        .onMessage(StartActivity.class, this::onStartActivity)
        .onMessage(RebuildActivity.class, this::onRebuildActivity)
        .onMessage(ActivityStopped.class, this::onActivityStopped)
        .onMessage(ActivityReset.class, this::onActivityReset)
        .build();
  }

  private Behavior<Command> onAddLibrary(AddLibrary msg) {
    String id = msg.library().id();
    if (libraries.containsKey(id)) {
      msg.replyTo().tell(StatusReply.error("library " + id + " is already added"));
      return this;
    }
    libraries.put(id, getContext().spawn(BackupSupervisor.create(msg.library(), wiring), "library-" + id));
    msg.replyTo().tell(StatusReply.ack());
    return this;
  }

  private Behavior<Command> onListLibraries(ListLibraries msg) {
    msg.replyTo().tell(List.copyOf(libraries.values()));
    return this;
  }

  private Behavior<Command> onReportConditions(ReportConditions msg) {
    monitor.tell(new ConditionMonitor.ReportConditions(msg.conditions()));
    return this;
  }

  private Behavior<Command> onSetUserPaused(SetUserPaused msg) {
    if (!msg.paused()) {
      for (ActorRef<BackupSupervisor.Command> supervisor : libraries.values()) {
        supervisor.tell(new BackupSupervisor.ClearLibraryBlockers(getContext().getSystem().ignoreRef()));
      }
    }
    monitor.tell(new ConditionMonitor.SetUserPaused(msg.paused(), msg.replyTo()));
    return this;
  }

  private Behavior<Command> onStartActivity(StartActivity msg) {
    activityDataSource = msg.dataSource();
    spawnActivity();
    return this;
  }

  private void spawnActivity() {
    activity =
        getContext()
            .spawn(ActivityProjection.behavior(getContext().getSystem(), activityDataSource), "activity-" + UUID.randomUUID());
    getContext().watchWith(activity, new ActivityStopped());
  }

  private Behavior<Command> onRebuildActivity(RebuildActivity msg) {
    if (activity == null && rebuildWaiting.isEmpty()) {
      msg.replyTo().tell(StatusReply.error("the Activity projection is not running"));
      return this;
    }
    rebuildWaiting.add(msg.replyTo());
    if (rebuildWaiting.size() == 1) {
      activity.tell(ProjectionBehavior.stopMessage());
    }
    return this;
  }

  private Behavior<Command> onActivityStopped(ActivityStopped msg) {
    activity = null;
    if (rebuildWaiting.isEmpty()) {
      getContext().getLog().warn("The Activity projection stopped; starting it again");
      spawnActivity();
      return this;
    }
    Executor blockingIo =
        getContext().getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    getContext()
        .pipeToSelf(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    ActivityProjection.reset(activityDataSource);
                  } catch (SQLException e) {
                    throw new CompletionException(e);
                  }
                },
                blockingIo),
            (ok, error) -> new ActivityReset(Optional.ofNullable(error)));
    return this;
  }

  private Behavior<Command> onActivityReset(ActivityReset msg) {
    spawnActivity();
    StatusReply<Done> reply =
        msg.failure()
            .<StatusReply<Done>>map(e -> StatusReply.error("cannot empty the Activity read model: " + e.getMessage()))
            .orElse(StatusReply.ack());
    rebuildWaiting.forEach(replyTo -> replyTo.tell(reply));
    rebuildWaiting.clear();
    return this;
  }

  private Behavior<Command> onGetConditions(GetConditions msg) {
    monitor.tell(new ConditionMonitor.GetState(msg.replyTo()));
    return this;
  }
}
