package dev.autoupload.engine.internal.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts a stand-in ({@link WireOnlySerializer}) in place of each serializer of Pekko's remoting and
 * cluster modules in a local actor system's settings, and binds their classes to none. Pekko makes
 * every serializer its settings name when the system starts, and the cluster modules are on the
 * app's class path for a cluster node's sake: in a local system, which sends nothing over the wire,
 * their fifteen serializers loaded their classes and spun 128 Scala lambdas (which the class-data
 * archive cannot hold) at every start, for nothing. A cluster node's settings ({@code
 * pekko.actor.provider = cluster}) are left as they are.
 */
public final class LocalSerializers {

  private static final List<String> WIRE_ONLY_PACKAGES = List.of("org.apache.pekko.cluster.", "org.apache.pekko.remote.");
  private static final String SERIALIZERS = "pekko.actor.serializers";
  private static final String BINDINGS = "pekko.actor.serialization-bindings";
  private static final String STAND_IN = WireOnlySerializer.class.getName();

  private LocalSerializers() {}

  /**
   * The settings with stand-ins for the remoting and cluster serializers when the provider is local.
   *
   * @param pekko resolved actor-system settings
   * @return {@code pekko} with those serializers replaced and the bindings that name them bound to
   *     none, or {@code pekko} itself for a remote or cluster provider
   */
  public static Config of(Config pekko) {
    String provider = pekko.getString("pekko.actor.provider");
    if (!provider.equals("local") && !provider.equals("org.apache.pekko.actor.LocalActorRefProvider")) {
      return pekko;
    }
    // Pekko lays its reference settings under whatever it is given, so a serializer cannot be
    // removed, only replaced: by a stand-in made in no time, and its bindings by "none", Pekko's
    // word for a class that is never serialized.
    Map<String, Object> replaced = new HashMap<>();
    Set<String> wireOnly = new HashSet<>();
    for (Map.Entry<String, ConfigValue> serializer : pekko.getObject(SERIALIZERS).entrySet()) {
      String className = String.valueOf(serializer.getValue().unwrapped());
      if (WIRE_ONLY_PACKAGES.stream().anyMatch(className::startsWith)) {
        wireOnly.add(serializer.getKey());
        replaced.put(SERIALIZERS + "." + ConfigUtil.quoteString(serializer.getKey()), STAND_IN);
      }
    }
    for (Map.Entry<String, ConfigValue> binding : pekko.getObject(BINDINGS).entrySet()) {
      if (wireOnly.contains(String.valueOf(binding.getValue().unwrapped()))) {
        replaced.put(BINDINGS + "." + ConfigUtil.quoteString(binding.getKey()), "none");
      }
    }
    return ConfigFactory.parseMap(replaced).withFallback(pekko);
  }
}
