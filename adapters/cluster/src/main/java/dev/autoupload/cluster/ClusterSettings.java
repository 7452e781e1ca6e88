package dev.autoupload.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code autoupload.cluster}: this node's address, the seed nodes, and how the cluster decides
 * that a node is gone. See the module's {@code reference.conf}.
 *
 * @param host this node's host name or address for the other nodes
 * @param port this node's port
 * @param seedNodes {@code host:port} of each seed node; empty when there is no cluster
 * @param waitForNodes how many nodes must be up before the libraries are first started
 * @param stableAfter how long membership must stay unchanged before the split brain resolver decides
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, int waitForNodes, Duration stableAfter) {

  /** The actor system's name, the same on every node (the engine names it). */
  static final String SYSTEM_NAME = "autoupload";

  private static final String WIRING = "dev/autoupload/cluster/cluster-wiring.conf";

  /**
   * Reads {@code autoupload.cluster}.
   *
   * @param config the whole configuration, with the module's {@code reference.conf} beneath it
   * @return the settings
   * @throws IllegalArgumentException for a port outside 1–65535, a seed node that is not {@code
   *     host:port}, or a wait for fewer than one node
   */
  public static ClusterSettings from(Config config) {
    Config cluster = config.getConfig("autoupload.cluster");
    int port = cluster.getInt("port");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("autoupload.cluster.port must be 1-65535, got " + port);
    }
    List<String> seeds = cluster.getStringList("seed-nodes");
    for (String seed : seeds) {
      int colon = seed.lastIndexOf(':');
      if (colon <= 0 || !seed.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException(
            "autoupload.cluster.seed-nodes: expected \"host:port\" such as \"10.0.0.5:2551\", got \"" + seed + "\"");
      }
    }
    int waitFor = cluster.getInt("wait-for-nodes");
    if (waitFor < 1) {
      throw new IllegalArgumentException("autoupload.cluster.wait-for-nodes must be at least 1, got " + waitFor);
    }
    return new ClusterSettings(cluster.getString("host"), port, List.copyOf(seeds), waitFor, cluster.getDuration("stable-after"));
  }

  /**
   * Whether a cluster is configured at all.
   *
   * @param config the whole configuration
   * @return true when {@code autoupload.cluster.seed-nodes} lists any node
   */
  public static boolean configured(Config config) {
    return config.hasPath("autoupload.cluster.seed-nodes") && !config.getStringList("autoupload.cluster.seed-nodes").isEmpty();
  }

  /**
   * The engine's settings on a node: {@code config} with the Activity projection off (the cluster
   * runs each slice of it on one node at a time, {@link ActivityDaemon}), {@code
   * autoupload.cluster.activity-slices} slices for a new journal, and read again at least every
   * {@code autoupload.cluster.activity-read-again-while-idle}, since the other nodes' events do
   * not wake it.
   *
   * @param config the whole configuration, with the module's {@code reference.conf} beneath it
   * @return the settings to start the node's engine with
   * @throws IllegalArgumentException for a read interval under 1 ms or slices out of range
   */
  public static Config engineSettings(Config config) {
    Duration readAgain = config.getDuration("autoupload.cluster.activity-read-again-while-idle");
    if (readAgain.toMillis() < 1) {
      throw new IllegalArgumentException("autoupload.cluster.activity-read-again-while-idle must be at least 1ms");
    }
    int slices =
        ActivitySlices.requireValid(
            config.getInt("autoupload.cluster.activity-slices"), "autoupload.cluster.activity-slices");
    return ConfigFactory.parseMap(
            Map.of(
                "autoupload.activity.projection", "off",
                ActivitySlices.SETTING, slices,
                "autoupload.activity.read-again-while-idle", readAgain.toMillis() + "ms"))
        .withFallback(config);
  }

  /** {@return this node as the other nodes name it, {@code host:port}} */
  public String address() {
    return host + ":" + port;
  }

  /**
   * The Pekko settings of a node, to lay over the engine's wiring: cluster provider, Artery on
   * {@link #host}:{@link #port}, the seed nodes, the split brain resolver, remembered libraries.
   *
   * @return settings for {@code EngineInternals.start(config, overWiring)}
   */
  public Config pekkoSettings() {
    List<String> seedUris = new ArrayList<>();
    for (String seed : seedNodes) {
      seedUris.add("pekko://" + SYSTEM_NAME + "@" + seed);
    }
    return ConfigFactory.parseMap(
            Map.of(
                "pekko.remote.artery.canonical.hostname", host,
                "pekko.remote.artery.canonical.port", port,
                "pekko.cluster.split-brain-resolver.stable-after", stableAfter.toMillis() + "ms"))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedUris))
        .withFallback(
            ConfigFactory.parseResources(
                ClusterSettings.class.getClassLoader(), WIRING, ConfigParseOptions.defaults().setAllowMissing(false)))
        .resolve();
  }
}
