package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The ledger: which version of each asset is backed up, and its event and snapshot as stored. */
class LedgerTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final Instant AT = Instant.parse("2026-11-01T10:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Asset asset(String path, long size, Instant modified, String stamp) {
    return new Asset(
        "id-" + path, "lib", path, size, AT, CreationDateSource.FILE_TIME, modified, Optional.of(stamp), Optional.empty());
  }

  private static BackupSupervisor.AssetBackedUp backedUp(Asset asset, String sha256, String remotePath) {
    return new BackupSupervisor.AssetBackedUp(
        asset.id(), asset.version(), sha256, asset.size(), Optional.ofNullable(remotePath), AT);
  }

  @Test
  void aPathCountsAsBackedUpOnlyInTheVersionThatWas() {
    Asset photo = asset("DSC_0001.JPG", 5000, AT, "1:2:t1");
    Ledger ledger = Ledger.empty().with(backedUp(photo, SHA, "2023/05/DSC_0001.JPG"));

    assertThat(ledger.check(photo)).isEqualTo(Ledger.Known.UNCHANGED);
    assertThat(ledger.check(asset("DSC_0001.JPG", 6000, AT, "1:2:t1"))).as("another size").isEqualTo(Ledger.Known.CHANGED);
    assertThat(ledger.check(asset("DSC_0001.JPG", 5000, AT.plusSeconds(1), "1:2:t1")))
        .as("another modification time, also an earlier one")
        .isEqualTo(Ledger.Known.CHANGED);
    assertThat(ledger.check(asset("DSC_0001.JPG", 5000, AT, "1:3:t2")))
        .as("the same size and time, but a new file under the name (inode, ctime)")
        .isEqualTo(Ledger.Known.CHANGED);
    assertThat(ledger.check(asset("renamed.JPG", 5000, AT, "1:2:t1"))).isEqualTo(Ledger.Known.NEW);
    assertThat(ledger.versionOf(photo.id())).hasValue(photo.version());
  }

  @Test
  void anAliasRecordsTheVersionAndContentButNoPath() {
    Asset copy = asset("copy.jpg", 5000, AT, "1:9:t1");
    Ledger ledger = Ledger.empty().with(backedUp(copy, SHA, null));

    assertThat(ledger.check(copy)).isEqualTo(Ledger.Known.UNCHANGED);
    assertThat(ledger.containsContent(SHA)).isTrue();
    assertThat(ledger.holdsPath("copy.jpg")).isFalse();
  }

  @Test
  void knowsTheSizesOfItsContentsAndTheRemotePathsWhateverTheirCase() {
    Ledger ledger =
        Ledger.empty()
            .with(backedUp(asset("a.jpg", 1000, AT, "s"), SHA, "2024/a.jpg"))
            .with(backedUp(asset("c.mov", 5_000_000_000L, AT, "s"), SHA.replace('9', '8'), "2024/C.mov"));

    assertThat(ledger.mayHoldContentOfSize(1000)).isTrue();
    assertThat(ledger.mayHoldContentOfSize(5_000_000_000L)).isTrue();
    assertThat(ledger.mayHoldContentOfSize(1001)).as("no content of that size").isFalse();
    assertThat(Ledger.empty().mayHoldContentOfSize(0)).isFalse();
    assertThat(ledger.holdsPath("2024/c.MOV")).isTrue();
    assertThat(ledger.holdsPath("2024/b.jpg")).isFalse();
  }

  @Test
  void theLedgerAndItsEventSurviveSerializationAsTheJournalStoresThem() {
    Asset photo = asset("a.jpg", 1000, AT, "1:2:t1");
    BackupSupervisor.AssetBackedUp uploaded = backedUp(photo, SHA, "2024/a.jpg");
    BackupSupervisor.AssetBackedUp alias = backedUp(asset("b.jpg", 1000, AT, "1:3:t1"), SHA, null);
    Ledger ledger = Ledger.empty().with(uploaded).with(alias);

    testKit.serializationTestKit().verifySerialization(uploaded, true);
    testKit.serializationTestKit().verifySerialization(alias, true);
    Ledger restored = testKit.serializationTestKit().verifySerialization(ledger, true);
    assertThat(restored.check(photo)).isEqualTo(Ledger.Known.UNCHANGED);
    assertThat(restored.size()).isEqualTo(2);
  }
}
