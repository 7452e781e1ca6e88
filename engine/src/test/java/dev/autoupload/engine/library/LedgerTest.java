package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.time.Instant;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The ledger and its event as stored, including what older versions stored. */
class LedgerTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Serialization serialization = SerializationExtension.get(testKit.system());
  private static final ObjectMapper cbor = new ObjectMapper(new CBORFactory());
  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void knowsTheSizesOfItsContentsAcrossASnapshot() throws Exception {
    Ledger ledger =
        Ledger.empty()
            .with("a", SHA, "2024/a.jpg", 1000L)
            .with("b", null, "2024/b.jpg", null)
            .with("c", SHA.replace('9', '8'), "2024/c.mov", 5_000_000_000L);

    Ledger restored = roundTrip(ledger, null);

    assertThat(restored).isEqualTo(ledger);
    assertThat(restored.mayHoldContentOfSize(1000)).isTrue();
    assertThat(restored.mayHoldContentOfSize(5_000_000_000L)).isTrue();
    assertThat(restored.mayHoldContentOfSize(1001)).as("no content of that size").isFalse();
  }

  @Test
  void anEmptyLedgerRulesOutEverySize() {
    assertThat(Ledger.empty().mayHoldContentOfSize(0)).isFalse();
    assertThat(Ledger.empty().mayHoldContentOfSize(123_456)).isFalse();
  }

  @Test
  void aSnapshotFromBeforeSizesWereKeptRulesOutNoSize() throws Exception {
    Ledger ledger = Ledger.empty().with("a", SHA, "2024/a.jpg", 1000L);

    Ledger restored = roundTrip(ledger, "sizes");

    assertThat(restored.contains("a")).isTrue();
    assertThat(restored.containsContent(SHA)).isTrue();
    assertThat(restored.mayHoldContentOfSize(1001)).isTrue();
    assertThat(restored.with("c", SHA.replace('9', '8'), "2024/c.jpg", 2000L).mayHoldContentOfSize(3000))
        .as("unknown for good, whatever comes later")
        .isTrue();
    assertThat(roundTrip(restored, null).mayHoldContentOfSize(3000)).as("also in its next snapshot").isTrue();
  }

  @Test
  void aSnapshotFromBeforeContentsWereKeptHasNoSizeToMiss() throws Exception {
    Ledger ledger = Ledger.empty().with("a", null, "2024/a.jpg", null);

    Ledger restored = roundTrip(roundTrip(ledger, "sizes"), "contents");

    assertThat(restored.contains("a")).isTrue();
    assertThat(restored.mayHoldContentOfSize(1000)).isFalse();
  }

  @Test
  void anEventFromBeforeSizesWereKeptLeavesTheSizesUnknown() throws Exception {
    BackupSupervisor.AssetBackedUp event =
        new BackupSupervisor.AssetBackedUp("a", "2024/a.jpg", Instant.parse("2026-11-01T10:00:00Z"), SHA, 1000L);

    BackupSupervisor.AssetBackedUp old = roundTrip(event, "size");

    assertThat(old).isEqualTo(new BackupSupervisor.AssetBackedUp("a", "2024/a.jpg", event.at(), SHA, null));
    assertThat(roundTrip(event, null)).isEqualTo(event);
    assertThat(Ledger.empty().with(old.assetId(), old.sha256(), old.remotePath(), old.size()).mayHoldContentOfSize(5))
        .isTrue();
  }

  /** Serializes {@code value} as the journal does, without {@code dropped} (as older versions wrote it), and back. */
  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value, String dropped) throws IOException {
    byte[] bytes = serialization.serialize(value).get();
    if (dropped != null) {
      ObjectNode stored = cbor.readValue(bytes, ObjectNode.class);
      assertThat(stored.has(dropped)).as("%s is stored", dropped).isTrue();
      stored.remove(dropped);
      bytes = cbor.writeValueAsBytes(stored);
    }
    int serializerId = serialization.findSerializerFor(value).identifier();
    String manifest = Serializers.manifestFor(serialization.findSerializerFor(value), value);
    return (T) serialization.deserialize(bytes, serializerId, manifest).get();
  }
}
