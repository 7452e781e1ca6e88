package dev.autoupload.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A node's actor system, configured as {@code serve} configures it: what crosses nodes goes as
 * Jackson CBOR, Java serialization is off, and Pekko's own Replicated Event Sourcing serializer is
 * back in place of the engine's stand-in (the engine's reference.conf, on this class path, binds
 * the stand-in).
 */
class ClusterSerializationTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ClusterSettings.SYSTEM_NAME,
          new ClusterSettings("127.0.0.1", 0, List.of(), 1, Duration.ofSeconds(3))
              .pekkoSettings()
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Serialization serialization() {
    return SerializationExtension.get(testKit.system());
  }

  @Test
  void theStartOfALibraryCrossesNodesAsJacksonCbor() {
    LibraryOwner.Start start = new LibraryOwner.Start("alice");
    Serializer serializer = serialization().findSerializerFor(start);
    assertThat(serializer.getClass().getName()).isEqualTo("org.apache.pekko.serialization.jackson.JacksonCborSerializer");

    byte[] bytes = serialization().serialize(start).get();
    String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, start);
    assertThat(serialization().deserialize(bytes, serializer.identifier(), manifest).get()).isEqualTo(start);
  }

  @Test
  void javaSerializationIsOff() {
    assertThat(serialization().findSerializerFor(new java.util.ArrayList<String>()).getClass().getName())
        .isEqualTo("org.apache.pekko.serialization.DisabledJavaSerializer");
  }

  @Test
  void replicatedEventSourcingHasPekkosOwnSerializerAgain() throws Exception {
    Class<?> versionVector = Class.forName("org.apache.pekko.persistence.typed.internal.VersionVector");
    assertThat(serialization().serializerFor(versionVector).getClass().getName())
        .isEqualTo("org.apache.pekko.persistence.typed.serialization.ReplicatedEventSourcingSerializer");
  }
}
