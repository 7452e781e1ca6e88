package dev.autoupload.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
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

  /** What a node asks a library's owner on another node, and what comes back, survives CBOR. */
  @Test
  void statusPauseRetryConditionsAndTheirAnswersCrossNodesAsJacksonCbor() {
    TestProbe<LibraryOwner.Report> reports = testKit.createTestProbe();
    TestProbe<LibraryOwner.Answer> answers = testKit.createTestProbe();
    TestProbe<LibraryOwner.ConditionsAnswer> conditions = testKit.createTestProbe();
    Instant at = Instant.parse("2026-01-02T03:04:05Z");
    LibraryStatus library =
        new LibraryStatus(
            "alice",
            "/srv/photos/alice",
            "file:///backup/alice",
            false,
            Optional.of("a folder could not be read"),
            12,
            3,
            4,
            1,
            1,
            2,
            1,
            0,
            1000,
            400,
            500,
            Set.of(BlockerReason.TARGET_FULL),
            List.of(new LibraryStatus.InFlight("a1", "dcim/a.jpg", 100, 2000, Set.of(BlockerReason.USER_PAUSED))),
            List.of(),
            List.of(new LibraryStatus.Skip("a9", "dcim/z.tmp", "ignored")),
            List.of(),
            Optional.of("no space left"),
            Optional.of(at),
            true,
            List.of("note"),
            Optional.of(new LibraryStatus.Down("gone", at, 2, true)),
            List.of(new LibraryStatus.Held("a3", "dcim/c.jpg", Set.of(BlockerReason.USER_PAUSED), Optional.of(at))),
            7,
            new NotOffered(5, new TreeMap<>(Map.of("pdf", 3, "", 1))));
    EngineStatus status =
        new EngineStatus(
            new Verdict(false, 2, Set.of(BlockerReason.USER_PAUSED), true),
            Optional.of(DeviceConditions.desktop()),
            List.of(library),
            Map.of("alice", new Stall("alice", Stall.Kind.NO_PROGRESS, at, 4, Set.of(BlockerReason.USER_PAUSED), List.of("paused"))));
    for (Object message :
        List.of(
            new LibraryOwner.GetStatus(reports.getRef()),
            new LibraryOwner.SetPaused(true, answers.getRef()),
            new LibraryOwner.Retry("a1", answers.getRef()),
            new LibraryOwner.Retire(answers.getRef()),
            new LibraryOwner.Report("alice", "10.0.0.5:2551", Optional.of(status), Optional.empty()),
            new LibraryOwner.Report("bob", "10.0.0.6:2551", Optional.empty(), Optional.of("it is starting on node 10.0.0.6:2551")),
            new LibraryOwner.Answer("alice", true, Optional.empty()),
            new LibraryOwner.Answer("bob", false, Optional.of("IllegalStateException: stopped")),
            new LibraryOwner.Conditions(Optional.of(DeviceConditions.phone().withWifi("home")), conditions.getRef()),
            new LibraryOwner.Conditions(Optional.empty(), conditions.getRef()),
            new LibraryOwner.ConditionsAnswer(
                "phone",
                Optional.of(
                    new LibraryConditions(
                        "phone",
                        true,
                        Optional.of(DeviceConditions.phone().withLowPowerMode(true)),
                        new Verdict(false, 0, Set.of(BlockerReason.LOW_POWER_MODE), false))),
                false,
                Optional.empty()),
            new LibraryOwner.ConditionsAnswer("alice", Optional.empty(), true, Optional.of("follows the device's")))) {
      assertThat(roundTrip(message)).isEqualTo(message);
    }
  }

  private static Object roundTrip(Object message) {
    Serializer serializer = serialization().findSerializerFor(message);
    assertThat(serializer.getClass().getName()).isEqualTo("org.apache.pekko.serialization.jackson.JacksonCborSerializer");
    byte[] bytes = serialization().serialize(message).get();
    String manifest = org.apache.pekko.serialization.Serializers.manifestFor(serializer, message);
    return serialization().deserialize(bytes, serializer.identifier(), manifest).get();
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
