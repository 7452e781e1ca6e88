package dev.autoupload.cluster;

import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Makes a running engine a node of the cluster its actor system joins ({@link
 * ClusterSettings#pekkoSettings()} started it so): the libraries are sharded by id over the nodes,
 * each run by a {@link LibraryOwner} in the engine of the node it is on. Every node knows every
 * library (the same definitions on each) and asks for each to start once {@code
 * autoupload.cluster.wait-for-nodes} nodes are up; sharding starts each on one node. The
 * Activity projection runs on one node of them ({@link ActivityDaemon}).
 */
public final class ClusterNode {

  private ClusterNode() {}

  /**
   * Joins the cluster and starts the libraries.
   *
   * @param engine the engine, started with {@link ClusterSettings#engineSettings} and {@link
   *     ClusterSettings#pekkoSettings()} over its wiring
   * @param settings this node's cluster settings
   * @param libraryIds every library of the cluster as it is now: asked when the node has joined
   *     (each is started then) and for each request that goes to every library
   * @param open opens a library by id as this node has it (checks source and target); empty for
   *     an id this node does not know or that was removed. Called off the actors' threads; a
   *     failure is retried by sharding after {@code pekko.cluster.sharding.entity-restart-backoff}
   * @param notes told a line when a library or the Activity projection starts or stops on this
   *     node, and when the node follows the cluster's pause or resume, on an engine thread
   * @return what answers for every library of the cluster on this node: status, pause, resume and
   *     retry, through each library's owner wherever it runs
   */
  public static ClusterControl join(
      UploadEngine engine,
      ClusterSettings settings,
      Supplier<List<String>> libraryIds,
      Function<String, Optional<Library>> open,
      Consumer<String> notes) {
    ActorSystem<?> system = EngineInternals.actorSystem(engine);
    Duration askTimeout = system.settings().config().getDuration("autoupload.cluster.library-ask-timeout");
    ClusterPause pause = ClusterPause.start(system, engine, askTimeout, notes);
    LibraryOwner.Node node =
        new LibraryOwner.Node(
            engine,
            open,
            system.dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher")),
            notes,
            settings.address(),
            pause.known());
    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<ShardingEnvelope<LibraryOwner.Command>> region =
        sharding
            .init(
                Entity.of(LibraryOwner.TYPE, entity -> LibraryOwner.create(entity, node))
                    .withStopMessage(LibraryOwner.HandOff.INSTANCE));
    ActivityDaemon.init(system, engine, system.settings().config().getDuration("autoupload.ask-timeout"), notes);
    system.systemActorOf(
        startOnceUp(Cluster.get(system), settings.waitForNodes(), libraryIds, region),
        "cluster-library-starter",
        Props.empty());
    return new ClusterControl(sharding, pause, libraryIds, askTimeout);
  }

  /**
   * Asks for every library once {@code nodes} members are up. Starting a library that runs
   * already is a no-op, so every node asks.
   *
   * <p>Counts the members from the events themselves (the members up before it subscribed come as
   * events too): {@code Cluster.state()} is updated by another actor, so at the last member's
   * event it may not count that member yet, and no later event would come to ask again.
   */
  private static Behavior<ClusterEvent.MemberUp> startOnceUp(
      Cluster cluster, int nodes, Supplier<List<String>> libraryIds, ActorRef<ShardingEnvelope<LibraryOwner.Command>> region) {
    // The list may come from the database: when it cannot be read, start over (the members come
    // again as events) a little later.
    return Behaviors.supervise(startOnceUpUnsupervised(cluster, nodes, libraryIds, region))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
  }

  private static Behavior<ClusterEvent.MemberUp> startOnceUpUnsupervised(
      Cluster cluster, int nodes, Supplier<List<String>> libraryIds, ActorRef<ShardingEnvelope<LibraryOwner.Command>> region) {
    return Behaviors.setup(
        context -> {
          cluster.subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberUp.class));
          Set<Address> up = new HashSet<>();
          return Behaviors.receive(ClusterEvent.MemberUp.class)
              .onMessage(
                  ClusterEvent.MemberUp.class,
                  event -> {
                    up.add(event.member().address());
                    if (up.size() < nodes) {
                      return Behaviors.same();
                    }
                    for (String id : libraryIds.get()) {
                      region.tell(new ShardingEnvelope<>(id, new LibraryOwner.Start(id)));
                    }
                    return Behaviors.stopped();
                  })
              .build();
        });
  }
}
