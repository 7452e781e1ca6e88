package dev.autoupload.cluster;

import dev.autoupload.engine.UploadEngine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The user's pause of the whole cluster: one flag replicated to every node (Pekko Distributed
 * Data, a last-writer-wins register), which each node's engine follows. A node that joins or
 * restarts while the cluster is paused, and every library that moves to it, stay paused; a
 * library waits to start on a node until the node has read the flag from a majority of nodes
 * ({@link #known()}). The flag lives in the nodes' memory: it holds while any node runs, and a
 * cluster started again from nothing is not paused.
 */
final class ClusterPause {

  static final Key<LWWRegister<Boolean>> KEY = LWWRegisterKey.create("autoupload-user-paused");

  private final ActorRef<Command> actor;
  private final CompletableFuture<Void> known;
  private final ActorSystem<?> system;
  private final Duration timeout;

  private ClusterPause(ActorRef<Command> actor, CompletableFuture<Void> known, ActorSystem<?> system, Duration timeout) {
    this.actor = actor;
    this.known = known;
    this.system = system;
    this.timeout = timeout;
  }

  sealed interface Command {}

  /** The user's pause or its end, written to a majority of nodes. */
  private record Set(boolean paused, ActorRef<Boolean> replyTo) implements Command {}

  /** The flag as this node's replica has it now. */
  private record Observed(boolean paused) implements Command {}

  /** The first read, from a majority, is over: the flag, or empty when none was set or the read failed. */
  private record FirstRead(Optional<Boolean> paused) implements Command {}

  private record Written(boolean written, ActorRef<Boolean> replyTo) implements Command {}

  private enum Ignored implements Command {
    INSTANCE
  }

  /**
   * Starts following the flag on this node.
   *
   * @param system this node's actor system, a member of the cluster
   * @param engine this node's engine, paused and resumed as the flag says
   * @param timeout how long a majority may take to answer a read or a write
   * @param notes told a line each time this node's engine follows the flag to a pause or a resume
   */
  static ClusterPause start(ActorSystem<?> system, UploadEngine engine, Duration timeout, Consumer<String> notes) {
    CompletableFuture<Void> known = new CompletableFuture<>();
    ActorRef<Command> actor =
        system.systemActorOf(
            Behaviors.supervise(follower(new Engine(engine, notes, new AtomicBoolean()), timeout, known))
                .onFailure(SupervisorStrategy.restart()),
            "cluster-pause",
            Props.empty());
    return new ClusterPause(actor, known, system, timeout);
  }

  /** Completes once this node knows whether the cluster is paused, and its engine is paused if so. */
  CompletionStage<Void> known() {
    return known;
  }

  /**
   * Sets the flag for every node.
   *
   * @return fails with {@link TimeoutException} when a majority of nodes did not take it in time
   */
  CompletionStage<Void> set(boolean paused) {
    return AskPattern.<Command, Boolean>ask(
            actor, replyTo -> new Set(paused, replyTo), timeout.multipliedBy(2), system.scheduler())
        .thenCompose(
            written ->
                written
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(
                        new TimeoutException(
                            "the " + (paused ? "pause" : "resume") + " did not reach a majority of the cluster's nodes within "
                                + timeout.toMillis() + " ms")));
  }

  /**
   * This node's engine, told to pause or resume as the flag says, with a line each time.
   *
   * @param paused what the engine was last told (an engine starts not paused); kept here, not in
   *     the follower, so that a follower started again knows it
   */
  private record Engine(UploadEngine engine, Consumer<String> notes, AtomicBoolean paused) {

    /** Tells the engine, unless it was told so last; completes once it took it. */
    CompletionStage<Void> follow(boolean paused) {
      if (this.paused.getAndSet(paused) == paused) {
        return CompletableFuture.completedFuture(null);
      }
      return (paused ? engine.pause() : engine.resume())
          .whenComplete(
              (done, failure) ->
                  notes.accept(
                      failure != null
                          ? "the cluster's " + (paused ? "pause" : "resume") + " failed on this node: " + failure.getMessage()
                          : paused
                              ? "the cluster is paused: uploads on this node wait for a resume"
                              : "the cluster is resumed: uploads on this node go on"));
    }
  }

  private static Behavior<Command> follower(Engine engine, Duration timeout, CompletableFuture<Void> known) {
    return Behaviors.setup(
        context ->
            DistributedData.<Command, LWWRegister<Boolean>>withReplicatorMessageAdapter(
                replicator -> {
                  replicator.askGet(
                      replyTo -> new Replicator.Get<>(KEY, new Replicator.ReadMajority(timeout), replyTo),
                      response ->
                          new FirstRead(
                              response instanceof Replicator.GetSuccess<LWWRegister<Boolean>> found
                                  ? Optional.of(found.get(KEY).getValue())
                                  : Optional.empty()));
                  replicator.subscribe(
                      KEY,
                      response ->
                          response instanceof Replicator.Changed<LWWRegister<Boolean>> changed
                              ? new Observed(changed.get(KEY).getValue())
                              : Ignored.INSTANCE);
                  SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
                  return new Follower(engine, timeout, known, replicator, self).behavior();
                }));
  }

  private record Follower(
      Engine engine,
      Duration timeout,
      CompletableFuture<Void> known,
      ReplicatorMessageAdapter<Command, LWWRegister<Boolean>> replicator,
      SelfUniqueAddress self) {

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(FirstRead.class, read -> {
            // Libraries wait for this: the engine is paused before the first one starts here.
            read.paused()
                .map(engine::follow)
                .orElseGet(() -> CompletableFuture.completedFuture(null))
                .whenComplete((done, failure) -> known.complete(null));
            return Behaviors.same();
          })
          .onMessage(Observed.class, observed -> {
            engine.follow(observed.paused());
            return Behaviors.same();
          })
          .onMessage(Set.class, set -> {
            replicator.askUpdate(
                replyTo ->
                    new Replicator.Update<>(
                        KEY,
                        LWWRegister.create(self, set.paused()),
                        new Replicator.WriteMajority(timeout),
                        replyTo,
                        register -> register.withValue(self, set.paused())),
                response -> new Written(response instanceof Replicator.UpdateSuccess, set.replyTo()));
            return Behaviors.same();
          })
          .onMessage(Written.class, written -> {
            written.replyTo().tell(written.written());
            return Behaviors.same();
          })
          .onMessageEquals(Ignored.INSTANCE, Behaviors::same)
          .build();
    }
  }
}
