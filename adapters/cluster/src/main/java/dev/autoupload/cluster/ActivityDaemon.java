package dev.autoupload.cluster;

import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.Piped;
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
 * Runs each slice of the Activity projection ({@code ActivitySlices}) on exactly one node of the
 * cluster: a sharded daemon process with one instance per slice (one tag to read each), which
 * sharding spreads over the nodes and moves when a node leaves or dies. While an instance lives it
 * keeps its slice's projection running in its node's engine ({@link
 * EngineInternals#startActivitySlice}); when sharding hands it over it stops that projection and
 * stops only once the projection has stopped (its last transaction committed or rolled back), so
 * the next node starts it only then, from the slice's offset stored with the rows. The engines of
 * every node start with {@code autoupload.activity.projection = off} ({@link
 * ClusterSettings#engineSettings}) and all read the one read model in the shared journal.
 *
 * <p>A node killed with a slice running is downed (split brain resolver) before its shard moves,
 * and a SIGKILL cannot leave half a transaction: rows and offset commit together, so the node
 * that takes over neither skips nor repeats an event.
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
   * Starts the daemon process on this node's actor system; call it once per node. Every node's
   * engine shares the journal, so all agree on its number of slices.
   *
   * @param system the engine's actor system, a cluster node's
   * @param engine this node's engine, started with {@code autoupload.activity.projection = off}
   * @param askTimeout how long one request to the engine may take before it is made again
   * @param notes told a line when a slice's projection starts or stops on this node
   */
  static void init(ActorSystem<?> system, UploadEngine engine, Duration askTimeout, Consumer<String> notes) {
    int slices = EngineInternals.activitySlices(engine);
    ShardedDaemonProcess.get(system)
        .init(
            Command.class,
            NAME,
            slices,
            slice ->
                Behaviors.setup(
                    context ->
                        Behaviors.withTimers(
                            timers -> new Daemon(engine, slice, slices, askTimeout, notes, context, timers).starting(false))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(HandOff.INSTANCE));
  }

  private static final class Daemon {
    private final UploadEngine engine;
    private final int slice;
    /** How this slice is named in the notes: "the Activity projection" when it is the only one. */
    private final String name;
    private final Duration askTimeout;
    private final Consumer<String> notes;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    /** Whether the projection is surely stopped here (never started, or stopped). */
    private boolean released = true;

    Daemon(
        UploadEngine engine,
        int slice,
        int slices,
        Duration askTimeout,
        Consumer<String> notes,
        ActorContext<Command> context,
        TimerScheduler<Command> timers) {
      this.engine = engine;
      this.slice = slice;
      this.name = slices == 1 ? "the Activity projection" : "Activity slice " + slice + " of " + slices;
      this.askTimeout = askTimeout;
      this.notes = notes;
      this.context = context;
      this.timers = timers;
    }

    /** Asks the engine to run the projection; a hand-off that comes meanwhile waits for the answer. */
    Behavior<Command> starting(boolean handOffAsked) {
      released = false;
      context.pipeToSelf(
          Piped.done(EngineInternals.startActivitySlice(engine, slice, askTimeout)),
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
        context.getLog().warn("Starting {} failed, trying again: {}", name, started.failure().get().toString());
        // It may have started all the same: a hand-off now must stop it before this stops.
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
        return waitingForStart(handOffAsked);
      }
      notes.accept(name + " runs on this node");
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
          Piped.done(EngineInternals.stopActivitySlice(engine, slice, askTimeout)),
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
        context.getLog().warn("Stopping {} failed, trying again: {}", name, stopped.failure().get().toString());
        timers.startSingleTimer(Retry.INSTANCE, RETRY);
        return Behaviors.same();
      }
      released = true;
      notes.accept(name + " stopped on this node");
      return Behaviors.stopped();
    }

    /**
     * Stopped without handing over (its shard stopped, the node is going down): the projection
     * must not go on here without the daemon.
     */
    private Behavior<Command> onPostStop(PostStop stop) {
      if (!released) {
        EngineInternals.stopActivitySlice(engine, slice, askTimeout);
      }
      return Behaviors.same();
    }
  }

}
