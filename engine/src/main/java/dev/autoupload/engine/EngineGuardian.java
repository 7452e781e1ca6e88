package dev.autoupload.engine;

import dev.autoupload.engine.conditions.ConditionMonitor;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.PolicySettings;
import dev.autoupload.engine.library.BackupSupervisor;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.BandwidthLimiter;
import dev.autoupload.engine.upload.UploadSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

/** The root actor: the {@link ConditionMonitor} and one {@link BackupSupervisor} per library. */
final class EngineGuardian extends AbstractBehavior<EngineGuardian.Command> {

  sealed interface Command {}

  record AddLibrary(Library library, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  record ListLibraries(ActorRef<List<ActorRef<BackupSupervisor.Command>>> replyTo) implements Command {}

  record ReportConditions(DeviceConditions conditions) implements Command {}

  /** The user's pause; a resume also lifts every library's own blockers at once. */
  record SetUserPaused(boolean paused, ActorRef<Done> replyTo) implements Command {}

  record GetConditions(ActorRef<ConditionMonitor.MonitorState> replyTo) implements Command {}

  /** How the engine was configured, handed down to the actors it spawns. */
  record Settings(
      UploadSettings upload,
      int snapshotEvery,
      BandwidthLimiter bandwidth,
      PolicySettings policy,
      Duration debounce,
      DeviceConditions initialConditions,
      Clock clock) {}

  static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(context -> new EngineGuardian(context, settings));
  }

  private final BackupSupervisor.Wiring wiring;
  private final ActorRef<ConditionMonitor.Command> monitor;
  private final Map<String, ActorRef<BackupSupervisor.Command>> libraries = new LinkedHashMap<>();

  private EngineGuardian(ActorContext<Command> context, Settings settings) {
    super(context);
    this.monitor =
        context.spawn(
            ConditionMonitor.create(
                settings.policy(),
                settings.upload().parallelism(),
                settings.debounce(),
                settings.initialConditions(),
                settings.clock()),
            "conditions");
    this.wiring =
        new BackupSupervisor.Wiring(
            settings.upload(), settings.snapshotEvery(), settings.bandwidth(), monitor, settings.clock());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AddLibrary.class, this::onAddLibrary)
        .onMessage(ListLibraries.class, this::onListLibraries)
        .onMessage(ReportConditions.class, this::onReportConditions)
        .onMessage(SetUserPaused.class, this::onSetUserPaused)
        .onMessage(GetConditions.class, this::onGetConditions)
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

  private Behavior<Command> onGetConditions(GetConditions msg) {
    monitor.tell(new ConditionMonitor.GetState(msg.replyTo()));
    return this;
  }
}
