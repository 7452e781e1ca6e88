package dev.autoupload.cluster;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.internal.Piped;
import dev.autoupload.engine.library.Library;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharded entity that owns one library on the node sharding puts it on: while it lives, the
 * library runs in this node's {@link UploadEngine} ({@link UploadEngine#addLibrary}); when
 * sharding hands it to another node it takes the library out again ({@link
 * UploadEngine#removeLibrary}) and stops only once the library's backup has stopped, so a library
 * never runs on two nodes at once. A node that dies is downed (split brain resolver) before its
 * libraries start elsewhere, where they recover from the shared journal.
 *
 * <p>Remembered by sharding: once started, a library restarts by itself wherever its shard goes.
 *
 * <p>It also answers for its library to any node ({@link ClusterControl}): its status as its
 * node's engine has it ({@link GetStatus}), the user's pause for that engine ({@link SetPaused}),
 * and a retry ({@link Retry}).
 */
public final class LibraryOwner {

  /** The entity type, keyed by library id. */
  public static final EntityTypeKey<Command> TYPE = EntityTypeKey.create(Command.class, "library");

  /** How long to wait before trying again to take a library out of the engine. */
  private static final Duration REMOVE_RETRY = Duration.ofSeconds(1);

  private LibraryOwner() {}

  /** What the owner takes. */
  public sealed interface Command extends ClusterMessage {}

  /**
   * Starts the library's owner wherever sharding places it; a no-op once it runs. Sent from any
   * node, hence serializable.
   *
   * @param libraryId the library's id, the entity's key
   */
  public record Start(String libraryId) implements Command {}

  /**
   * Asks where the library stands, on the node that runs it: answered with a {@link Report}. Sent
   * from any node ({@link ClusterControl}), hence serializable.
   *
   * @param replyTo where the report goes
   */
  public record GetStatus(ActorRef<Report> replyTo) implements Command {}

  /**
   * The user's pause ({@code paused}) or its end, for the engine of the node that runs the
   * library: {@link UploadEngine#pause()} or {@link UploadEngine#resume()}, which hold for every
   * library of that engine. Answered with an {@link Answer} once the engine has taken it.
   *
   * @param paused true to pause, false to resume
   * @param replyTo where the answer goes
   */
  public record SetPaused(boolean paused, ActorRef<Answer> replyTo) implements Command {}

  /**
   * Tries a failed upload again: {@link UploadEngine#retry} on the node that runs the library (the
   * engine looks for it among all its libraries, so another library of that node may be the one
   * that has it). Answered with an {@link Answer}, {@code done} when such a failed upload was found;
   * a library that is not in its engine now answers not found.
   *
   * @param assetId the asset whose upload failed
   * @param replyTo where the answer goes
   */
  public record Retry(String assetId, ActorRef<Answer> replyTo) implements Command {}

  /**
   * Stops the library for good, because the API removed it: the owner takes it out of its node's
   * engine and has sharding forget it (passivation), so that it does not start again. Answered
   * with an {@link Answer} once the owner has stopped. Sent from any node, hence serializable.
   *
   * @param replyTo where the answer goes
   */
  public record Retire(ActorRef<Answer> replyTo) implements Command {}

  /**
   * The conditions the library follows and its verdict, from the engine of the node that runs it,
   * which takes {@code report} first when there is one ({@link UploadEngine#reportConditions(String,
   * dev.autoupload.engine.conditions.DeviceConditions)}). Answered with a {@link ConditionsAnswer};
   * while the library is not in the engine (starting, moving) with a failure: its new node waits
   * for the next report rather than follow an old one, so the reporter reports again.
   *
   * @param report the library's conditions now; empty to read them
   * @param replyTo where the answer goes
   */
  public record Conditions(Optional<DeviceConditions> report, ActorRef<ConditionsAnswer> replyTo) implements Command {}

  /**
   * What became of a {@link Conditions}.
   *
   * @param libraryId the library
   * @param conditions its conditions and verdict; empty when it failed
   * @param notOwn the report was for a library that follows the device's conditions
   * @param failure why there is no answer, when there is none
   */
  public record ConditionsAnswer(
      String libraryId, Optional<LibraryConditions> conditions, boolean notOwn, Optional<String> failure)
      implements ClusterMessage {}

  /**
   * A library's status as the node that runs it has it.
   *
   * @param libraryId the library
   * @param node the node that answered, {@code host:port}; empty ({@code ""}) when none did
   * @param status that node's engine status cut down to this library (the node's verdict and
   *     conditions, the library, its stall); empty while the library is not in that engine
   * @param unknown why the status is empty (starting, moving to another node, failed to answer)
   */
  public record Report(String libraryId, String node, Optional<EngineStatus> status, Optional<String> unknown)
      implements ClusterMessage {}

  /**
   * What became of a {@link SetPaused} or a {@link Retry}.
   *
   * @param libraryId the library
   * @param done the engine took the pause or resume; the retry found the failed upload
   * @param failure what went wrong on the node, when something did
   */
  public record Answer(String libraryId, boolean done, Optional<String> failure) implements ClusterMessage {}

  /** Sharding's stop message: hand the library over (rebalance, leaving node) or stop it (passivation). */
  enum HandOff implements Command {
    INSTANCE
  }

  /** The library is in the engine now, or could not be added. */
  private record Added(Optional<Throwable> failure) implements Command {}

  /** The library's backup has stopped, or taking it out failed. */
  private record Removed(Optional<Throwable> failure) implements Command {}

  private enum RetryRemove implements Command {
    INSTANCE
  }

  /**
   * What an owner needs from the node it runs on.
   *
   * @param engine this node's engine
   * @param open opens a library by id from this node's definitions (checks its source and target);
   *     empty when this node has no such library
   * @param blocking where opening (which touches the source and target) runs
   * @param notes told one line each time a library starts or stops on this node
   * @param address this node as the others name it, {@code host:port}, for reports
   * @param pauseKnown completes once the node's engine follows the cluster's pause: a library
   *     starts only then, so that it never sends a byte on a node that missed the pause
   */
  record Node(
      UploadEngine engine,
      Function<String, Optional<Library>> open,
      Executor blocking,
      Consumer<String> notes,
      String address,
      CompletionStage<Void> pauseKnown) {}

  static Behavior<Command> create(EntityContext<Command> entity, Node node) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new LibraryOwner.Owner(entity, node, context, timers).starting(false)));
  }

  private static final class Owner {
    private final EntityContext<Command> entity;
    private final Node node;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String id;
    /** Completes with the library once it is in the engine. */
    private final CompletionStage<Library> opened;
    /** Whether the library is surely out of the engine (never added, or removed). */
    private boolean released;
    /** Whether this owner asked sharding to stop and forget it. */
    private boolean passivating;
    /** Who asked for the library to stop for good: answered once this owner has stopped. */
    private final List<ActorRef<Answer>> retirees = new ArrayList<>();

    Owner(EntityContext<Command> entity, Node node, ActorContext<Command> context, TimerScheduler<Command> timers) {
      this.entity = entity;
      this.node = node;
      this.context = context;
      this.timers = timers;
      this.id = entity.getEntityId();
      this.opened =
          node.pauseKnown()
              .thenApplyAsync(known -> node.open().apply(id), node.blocking())
              .thenCompose(
                  library ->
                      library.isEmpty()
                          ? CompletableFuture.failedFuture(new UnknownLibrary())
                          : node.engine()
                              .addLibrary(library.get())
                              .handle(
                                  (done, failure) -> {
                                    if (failure != null) {
                                      // The engine keeps nothing of a library it refused; its target is ours to close.
                                      library.get().target().close();
                                      throw new CompletionException(failure);
                                    }
                                    return library.get();
                                  }));
      context.pipeToSelf(opened, (library, failure) -> new Added(Optional.ofNullable(Failures.unwrap(failure))));
    }

    /** Until the library is in the engine; a hand-off that comes meanwhile waits for it. */
    Behavior<Command> starting(boolean handOffAsked) {
      return Behaviors.receive(Command.class)
          .onMessage(Start.class, start -> Behaviors.same())
          .onMessageEquals(HandOff.INSTANCE, () -> starting(true))
          .onMessage(Added.class, added -> onAdded(added, handOffAsked))
          .onMessage(Retire.class, this::onRetire)
          .onMessage(GetStatus.class, get -> unknown(get, "it is starting on node " + node.address()))
          .onMessage(SetPaused.class, this::onSetPaused)
          .onMessage(Retry.class, this::notRunning)
          .onMessage(Conditions.class, asked -> notRunning(asked, "it is starting on node " + node.address()))
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    private Behavior<Command> onAdded(Added added, boolean handOffAsked) {
      if (added.failure().isPresent()) {
        released = true;
        Throwable failure = added.failure().get();
        if (failure instanceof UnknownLibrary) {
          node.notes().accept("library " + id + " is not among this node's libraries (removed, or missing from its config file): it does not run");
          if (handOffAsked) {
            return Behaviors.stopped();
          }
          // Passivating forgets the remembered library, so it is not restarted again and again.
          passivate();
          return stopping();
        }
        if (handOffAsked) {
          return Behaviors.stopped();
        }
        // Failing the entity makes sharding start it again after entity-restart-backoff; the
        // supervisor's own log line is off, so the node says it.
        node.notes().accept("library " + id + " cannot start on this node, trying again: " + failure.getMessage());
        throw new LibraryCannotStart("library " + id + " cannot start on this node: " + failure.getMessage(), failure);
      }
      node.notes().accept("library " + id + " runs on this node");
      return handOffAsked ? remove() : running();
    }

    /** Passivating: sharding sends the hand-off once it has taken note. */
    private Behavior<Command> stopping() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(HandOff.INSTANCE, Behaviors::stopped)
          .onMessage(Start.class, start -> Behaviors.same())
          .onMessage(Retire.class, this::onRetire)
          .onSignal(PostStop.class, this::onPostStop)
          .onMessage(GetStatus.class, get -> unknown(get, "node " + node.address() + " has no such library"))
          .onMessage(SetPaused.class, this::onSetPaused)
          .onMessage(Retry.class, this::notRunning)
          .onMessage(Conditions.class, asked -> notRunning(asked, "it is stopping on node " + node.address()))
          .build();
    }

    Behavior<Command> running() {
      return Behaviors.receive(Command.class)
          .onMessage(Start.class, start -> Behaviors.same())
          .onMessageEquals(HandOff.INSTANCE, this::remove)
          .onMessage(GetStatus.class, this::onGetStatus)
          .onMessage(SetPaused.class, this::onSetPaused)
          .onMessage(Retry.class, this::onRetry)
          .onMessage(Conditions.class, this::onConditions)
          .onMessage(Retire.class, this::onRetire)
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    /** Takes the library out of the engine; the entity stops only once its backup has stopped. */
    private Behavior<Command> remove() {
      context.pipeToSelf(
          Piped.done(node.engine().removeLibrary(id)), (done, failure) -> new Removed(Optional.ofNullable(Failures.unwrap(failure))));
      return Behaviors.receive(Command.class)
          .onMessage(Start.class, start -> Behaviors.same())
          .onMessageEquals(HandOff.INSTANCE, Behaviors::same)
          .onMessage(Removed.class, this::onRemoved)
          .onMessage(GetStatus.class, get -> unknown(get, "it is stopping on node " + node.address() + " to move"))
          .onMessage(SetPaused.class, this::onSetPaused)
          .onMessage(Retry.class, this::notRunning)
          .onMessage(Conditions.class, asked -> notRunning(asked, "it is stopping on node " + node.address() + " to move"))
          .onMessageEquals(RetryRemove.INSTANCE, this::remove)
          .onMessage(Retire.class, this::onRetire)
          .onSignal(PostStop.class, this::onPostStop)
          .build();
    }

    private Behavior<Command> onRemoved(Removed removed) {
      if (removed.failure().isPresent()) {
        Throwable failure = removed.failure().get();
        if (!(failure instanceof NoSuchElementException)) {
          // Stopping now could let the library start on another node while it still runs here.
          context.getLog().warn("Taking library {} out of the engine failed, trying again: {}", id, failure.toString());
          timers.startSingleTimer(RetryRemove.INSTANCE, REMOVE_RETRY);
          return Behaviors.same();
        }
      }
      released = true;
      node.notes().accept("library " + id + " stopped on this node");
      return Behaviors.stopped();
    }

    /**
     * Has sharding stop this owner (the stop message, {@link HandOff}, takes the library out of
     * the engine) and forget it.
     */
    private Behavior<Command> onRetire(Retire retire) {
      retirees.add(retire.replyTo());
      passivate();
      return Behaviors.same();
    }

    private void passivate() {
      if (!passivating) {
        passivating = true;
        entity.getShard().tell(new ClusterSharding.Passivate<>(context.getSelf()));
      }
    }

    private Behavior<Command> unknown(GetStatus get, String why) {
      get.replyTo().tell(new Report(id, node.address(), Optional.empty(), Optional.of(why)));
      return Behaviors.same();
    }

    /**
     * The node's engine status, cut down to this library, with the library's own verdict and
     * conditions in place of the node's when it has its own; answered from the engine's stage.
     */
    private Behavior<Command> onGetStatus(GetStatus get) {
      boolean own = opened.toCompletableFuture().join().ownConditions();
      node.engine()
          .status()
          .thenCompose(
              status ->
                  own
                      ? node.engine().libraryConditions(id).thenApply(conditions -> report(status, Optional.of(conditions)))
                      : CompletableFuture.completedFuture(report(status, Optional.empty())))
          .whenComplete(
              (report, failure) -> get.replyTo().tell(failure != null ? failedReport(failure) : report));
      return Behaviors.same();
    }

    private Report report(EngineStatus status, Optional<LibraryConditions> own) {
      return status.libraries().stream()
          .filter(library -> library.libraryId().equals(id))
          .findFirst()
          .map(
              library ->
                  new Report(
                      id,
                      node.address(),
                      Optional.of(
                          new EngineStatus(
                              own.map(LibraryConditions::verdict).orElse(status.verdict()),
                              own.isPresent() ? own.get().conditions() : status.conditions(),
                              List.of(library),
                              status.stall(id).map(stall -> Map.of(id, stall)).orElse(Map.of()))),
                      Optional.<String>empty()))
          .orElseGet(
              () ->
                  new Report(
                      id, node.address(), Optional.empty(), Optional.of("node " + node.address() + " does not run it now")));
    }

    private Report failedReport(Throwable failure) {
      return new Report(
          id,
          node.address(),
          Optional.empty(),
          Optional.of("node " + node.address() + " could not tell: " + Failures.unwrap(failure).getMessage()));
    }

    /** Pauses or resumes the node's engine in any state: the library is in it, or about to be. */
    private Behavior<Command> onSetPaused(SetPaused set) {
      (set.paused() ? node.engine().pause() : node.engine().resume())
          .whenComplete(
              (done, failure) ->
                  set.replyTo()
                      .tell(
                          new Answer(
                              id,
                              failure == null,
                              Optional.ofNullable(failure).map(f -> Failures.unwrap(f).toString()))));
      return Behaviors.same();
    }

    private Behavior<Command> onRetry(Retry retry) {
      node.engine()
          .retry(id, retry.assetId())
          .whenComplete(
              (done, failure) -> {
                Throwable cause = Failures.unwrap(failure);
                retry
                    .replyTo()
                    .tell(
                        new Answer(
                            id,
                            cause == null,
                            cause == null || cause instanceof NoSuchElementException
                                ? Optional.empty()
                                : Optional.of(cause.toString())));
              });
      return Behaviors.same();
    }

    /** Takes the report, if any, and answers with the library's conditions as its engine has them. */
    private Behavior<Command> onConditions(Conditions asked) {
      asked
          .report()
          .map(report -> node.engine().reportConditions(id, report))
          .orElseGet(() -> node.engine().libraryConditions(id))
          .whenComplete(
              (conditions, failure) -> {
                Throwable cause = Failures.unwrap(failure);
                asked
                    .replyTo()
                    .tell(
                        new ConditionsAnswer(
                            id,
                            Optional.ofNullable(conditions),
                            cause instanceof NotOwnConditionsException,
                            Optional.ofNullable(cause).map(Throwable::getMessage)));
              });
      return Behaviors.same();
    }

    private Behavior<Command> notRunning(Conditions asked, String why) {
      asked.replyTo().tell(new ConditionsAnswer(id, Optional.empty(), false, Optional.of(why)));
      return Behaviors.same();
    }

    /** A library that is not in the engine has no failed upload of this run. */
    private Behavior<Command> notRunning(Retry retry) {
      retry.replyTo().tell(new Answer(id, false, Optional.empty()));
      return Behaviors.same();
    }

    /**
     * Stopped without handing the library over (its shard stopped, the node is going down): the
     * library must not keep running here without an owner.
     */
    private Behavior<Command> onPostStop(PostStop stop) {
      if (!released) {
        opened.thenAccept(library -> node.engine().removeLibrary(id));
      }
      if (released) {
        retirees.forEach(replyTo -> replyTo.tell(new Answer(id, true, Optional.empty())));
      }
      return Behaviors.same();
    }
  }


  /** This node has no definition for the library. */
  private static final class UnknownLibrary extends RuntimeException {
    UnknownLibrary() {
      super("no such library on this node");
    }
  }

  /** The library could not be opened or added here; sharding tries again. */
  static final class LibraryCannotStart extends RuntimeException {
    LibraryCannotStart(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
