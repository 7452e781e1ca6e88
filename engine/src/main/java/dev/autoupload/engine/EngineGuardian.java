package dev.autoupload.engine;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.library.BackupSupervisor;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.UploadSettings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;

/** The root actor: one {@link BackupSupervisor} per library, and the engine-wide blockers. */
final class EngineGuardian extends AbstractBehavior<EngineGuardian.Command> {

  sealed interface Command {}

  record AddLibrary(Library library, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  record ListLibraries(ActorRef<List<ActorRef<BackupSupervisor.Command>>> replyTo) implements Command {}

  record SetBlockers(Set<BlockerReason> reasons, ActorRef<Done> replyTo) implements Command {}

  record GetBlockers(ActorRef<Set<BlockerReason>> replyTo) implements Command {}

  static Behavior<Command> create(UploadSettings settings, int snapshotEvery, Clock clock) {
    return Behaviors.setup(context -> new EngineGuardian(context, settings, snapshotEvery, clock));
  }

  private final UploadSettings settings;
  private final int snapshotEvery;
  private final Clock clock;
  private final Map<String, ActorRef<BackupSupervisor.Command>> libraries = new LinkedHashMap<>();
  private Set<BlockerReason> blockers = Set.of();

  private EngineGuardian(
      ActorContext<Command> context, UploadSettings settings, int snapshotEvery, Clock clock) {
    super(context);
    this.settings = settings;
    this.snapshotEvery = snapshotEvery;
    this.clock = clock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AddLibrary.class, this::onAddLibrary)
        .onMessage(ListLibraries.class, this::onListLibraries)
        .onMessage(SetBlockers.class, this::onSetBlockers)
        .onMessage(GetBlockers.class, this::onGetBlockers)
        .build();
  }

  private Behavior<Command> onAddLibrary(AddLibrary msg) {
    String id = msg.library().id();
    if (libraries.containsKey(id)) {
      msg.replyTo().tell(StatusReply.error("library " + id + " is already added"));
      return this;
    }
    ActorRef<BackupSupervisor.Command> supervisor =
        getContext()
            .spawn(BackupSupervisor.create(msg.library(), settings, snapshotEvery, clock), "library-" + id);
    libraries.put(id, supervisor);
    if (!blockers.isEmpty()) {
      supervisor.tell(new BackupSupervisor.SetBlockers(blockers, getContext().getSystem().ignoreRef()));
    }
    msg.replyTo().tell(StatusReply.ack());
    return this;
  }

  private Behavior<Command> onListLibraries(ListLibraries msg) {
    msg.replyTo().tell(List.copyOf(libraries.values()));
    return this;
  }

  private Behavior<Command> onSetBlockers(SetBlockers msg) {
    blockers = Set.copyOf(msg.reasons());
    for (ActorRef<BackupSupervisor.Command> supervisor : libraries.values()) {
      supervisor.tell(new BackupSupervisor.SetBlockers(blockers, getContext().getSystem().ignoreRef()));
    }
    msg.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onGetBlockers(GetBlockers msg) {
    msg.replyTo().tell(blockers);
    return this;
  }
}
