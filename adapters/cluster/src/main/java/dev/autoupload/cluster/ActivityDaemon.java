package dev.autoupload.cluster;

import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * Runs the Activity projection on exactly one node of the cluster: a sharded daemon process of one
 * instance (one tag to read), which sharding places on one node and moves when that node leaves
 * or dies. While it lives it keeps its node's engine's projection running ({@link
 * EngineInternals#startActivityProjection}); when sharding hands it over it stops the projection
 * and stops only once the projection has stopped (its last transaction committed or rolled back),
 * so the next node starts it only then, from the offset stored with the rows. The engines of
 * every node start with {@code autoupload.activity.projection = off} ({@link
 * ClusterSettings#engineSettings}) and all read the one read model in the shared journal.
 *
 * <p>A node killed with the projection running is downed (split brain resolver) before its shard
 * moves, and a SIGKILL cannot leave half a transaction: rows and offset commit together, so the
 * node that takes over neither skips nor repeats an event.
 */
public final class ActivityDaemon {

  /** The daemon process's name, the same on every node. */
  static final String NAME = "activity-projection";

  /** How long to wait before asking the engine again after it failed to answer. */
  private static final Duration RETRY = Duration.ofSeconds(1);

  private ActivityDaemon() {}

  /** What the daemon takes: all local to its node (sharding starts it by a message of its own). */
  sealed interface Command {}

  /** Sharding's stop message: hand the projection over. */
  enum HandOff implements Command {
    INSTANCE
  }

  private record Started(Optional<Throwable> failure) implements Command {}

  private record Stopped(Optional<Throwable> failure) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  /**
   * Starts the daemon process on this node's actor system; call it once per node.
   *
   * @param system the engine's actor system, a cluster node's
   * @param engine this node's engine, started with {@code autoupload.activity.projection = off}
   * @param askTimeout how long one request to the engine may take before it is made again
   * @param notes told a line when the projection starts or stops on this node
   */
  static void init(ActorSystem<?> system, UploadEngine engine, Duration askTimeout, Consumer<String> notes) {
    ShardedDaemonProcess.get(system)
        .init(
            Command.class,
            NAME,
            1,
            instance ->
                Behaviors.setup(
                    context ->
                        Behaviors.withTimers(timers -> new Daemon(engine, askTimeout, notes, context, timers).starting(false))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(HandOff.INSTANCE));
  }

  private static final class Daemon {
    private final UploadEngine engine;
    private final Duration askTimeout;
    private final Consumer<String> notes;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    /** Whether the projection is surely stopped here (never started, or stopped). */
    private boolean released = true;

    Daemon(
        UploadEngine engine,
        Duration askTimeout,
        Consumer<String> notes,
        ActorContext<Command> context,
        TimerScheduler<Command> timers) {
      this.engine = engine;
      this.askTimeout = askTimeout;
      this.notes = notes;
      this.context = context;
      this.timers = timers;
    }

    /** Asks the engine to run the projection; a hand-off that comes meanwhile waits for the answer. */
    Behavior<Command> starting(boolean handOffAsked) {
      released = false;
      context.pipeToSelf(
          EngineInternals.startActivityProjection(engine, askTimeout),
          (done, failure) -> new Started(Optional.ofNullable(Failures.unwrap(failure))));
      return waitingForStart(handOffAsked);
    }

    private Behavior<Command> waitingForStart(boolean handOffAsked) {
      return Behaviors.receive(Command.class)
          .onMessageEquals(HandOff.INSTANCE, () -> waitingForStart(true))
          .onMessage(Started.class, started -> onStarted(started, handOffAsked))
          .onMessageEquals(Retry.INSTANCE, () -> handOffAsked ? stopping() : starting(false))
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    private Behavior<Command> onStarted(Started started, boolean handOffAsked) {
      if (started.failure().isPresent()) {
        context.getLog().warn("Starting the Activity projection failed, trying again: {}", started.failure().get().toString());
        // It may have started all the same: a hand-off now must stop it before this stops.
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
        return waitingForStart(handOffAsked);
      }
      notes.accept("the Activity projection runs on this node");
      return handOffAsked ? stopping() : running();
    }

    private Behavior<Command> running() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(HandOff.INSTANCE, this::stopping)
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    /** Stops the projection; the daemon stops only once it has. */
    private Behavior<Command> stopping() {
      context.pipeToSelf(
          EngineInternals.stopActivityProjection(engine, askTimeout),
          (done, failure) -> new Stopped(Optional.ofNullable(Failures.unwrap(failure))));
      return Behaviors.receive(Command.class)
          .onMessageEquals(HandOff.INSTANCE, Behaviors::same)
          .onMessage(Stopped.class, this::onStopped)
          .onMessageEquals(Retry.INSTANCE, this::stopping)
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    private Behavior<Command> onStopped(Stopped stopped) {
      if (stopped.failure().isPresent()) {
        // Stopping now could let the projection start on another node while it still runs here.
        context.getLog().warn("Stopping the Activity projection failed, trying again: {}", stopped.failure().get().toString());
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
        return Behaviors.same();
      }
      released = true;
      notes.accept("the Activity projection stopped on this node");
      return Behaviors.stopped();
    }

    /**
     * Stopped without handing over (its shard stopped, the node is going down): the projection
     * must not go on here without the daemon.
     */
    private Behavior<Command> onPostStop(PostStop stop) {
      if (!released) {
        EngineInternals.stopActivityProjection(engine, askTimeout);
      }
      return Behaviors.same();
    }
  }

}
