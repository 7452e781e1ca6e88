package dev.autoupload.engine.internal.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

class LocalSerializersTest {

  private static final String SETTINGS =
      """
      pekko.actor {
        provider = %s
        serializers {
          jackson-cbor = "org.apache.pekko.serialization.jackson.JacksonCborSerializer"
          pekko-persistence-snapshot = "org.apache.pekko.persistence.serialization.SnapshotSerializer"
          pekko-sharding = "org.apache.pekko.cluster.sharding.protobuf.ClusterShardingMessageSerializer"
          pekko-misc = "org.apache.pekko.remote.serialization.MiscMessageSerializer"
        }
        serialization-bindings {
          "dev.autoupload.engine.internal.serialization.CborSerializable" = jackson-cbor
          "org.apache.pekko.persistence.serialization.Snapshot" = pekko-persistence-snapshot
          "org.apache.pekko.cluster.sharding.ShardRegion$StartEntity" = pekko-sharding
          "org.apache.pekko.actor.Identify" = pekko-misc
        }
      }
      """;

  @Test
  void aLocalSystemHasAStandInForEachWireOnlySerializerAndBindsTheirClassesToNone() {
    for (String provider : new String[] {"local", "org.apache.pekko.actor.LocalActorRefProvider"}) {
      Config local = LocalSerializers.of(settings(provider));

      assertThat(local.getObject("pekko.actor.serializers").unwrapped())
          .isEqualTo(
              Map.of(
                  "jackson-cbor", "org.apache.pekko.serialization.jackson.JacksonCborSerializer",
                  "pekko-persistence-snapshot", "org.apache.pekko.persistence.serialization.SnapshotSerializer",
                  "pekko-sharding", WireOnlySerializer.class.getName(),
                  "pekko-misc", WireOnlySerializer.class.getName()));
      assertThat(local.getObject("pekko.actor.serialization-bindings").unwrapped())
          .isEqualTo(
              Map.of(
                  "dev.autoupload.engine.internal.serialization.CborSerializable", "jackson-cbor",
                  "org.apache.pekko.persistence.serialization.Snapshot", "pekko-persistence-snapshot",
                  "org.apache.pekko.cluster.sharding.ShardRegion$StartEntity", "none",
                  "org.apache.pekko.actor.Identify", "none"));
    }
  }

  @Test
  void anActorSystemStartsWithTheStandInsAndStillSerializesWhatTheEngineJournals() {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), "local-serializers", LocalSerializers.of(settings("local").withFallback(ConfigFactory.load())));
    try {
      Serialization serialization = SerializationExtension.get(system);
      Journaled event = new Journaled("IMG_0001.JPG");
      byte[] bytes = serialization.serialize(event).get();
      Serializer serializer = serialization.findSerializerFor(event);
      assertThat(serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, event)).get())
          .isEqualTo(event);
      assertThatThrownBy(() -> new WireOnlySerializer().toBinary(event))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("only a cluster node serializes");
    } finally {
      system.terminate();
    }
  }

  record Journaled(String path) implements CborSerializable {}

  @Test
  void aClusterOrRemoteSystemKeepsEverySerializer() {
    for (String provider : new String[] {"cluster", "remote"}) {
      Config wired = settings(provider);

      assertThat(LocalSerializers.of(wired)).isSameAs(wired);
    }
  }

  @Test
  void theEnginesOwnSettingsStillBindWhatItJournalsAndEveryBindingNamesASerializer() {
    Config local = LocalSerializers.of(ConfigFactory.load().resolve());

    Map<String, Object> serializers = local.getObject("pekko.actor.serializers").unwrapped();
    assertThat(serializers.values())
        .noneMatch(className -> ((String) className).startsWith("org.apache.pekko.cluster."))
        .noneMatch(className -> ((String) className).startsWith("org.apache.pekko.remote."))
        .contains("org.apache.pekko.serialization.jackson.JacksonCborSerializer");
    // "none" is Pekko's word for a class that is never serialized.
    assertThat(local.getObject("pekko.actor.serialization-bindings").unwrapped().values())
        .allMatch(alias -> alias.equals("none") || serializers.containsKey((String) alias));
  }

  private static Config settings(String provider) {
    return ConfigFactory.parseString(SETTINGS.formatted(provider)).resolve();
  }
}
