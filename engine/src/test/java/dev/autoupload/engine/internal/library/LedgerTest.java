package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
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

  /** 40 assets recorded out of id order, a fifth of them aliases: the ledger of the stored snapshot below. */
  private static Ledger fortyAssets() {
    Ledger ledger = Ledger.empty();
    for (int i = 0; i < 40; i++) {
      int k = (i * 17) % 40;
      ledger =
          ledger.with(
              new BackupSupervisor.AssetBackedUp(
                  "asset-" + k,
                  String.format("%016x", k * 0x9E3779B97F4A7C15L),
                  String.format("%064x", k * 31L + 7),
                  1000L + k % 7,
                  k % 5 == 0 ? Optional.empty() : Optional.of("2024/" + k + ".jpg"),
                  AT));
    }
    return ledger;
  }

  /**
   * A snapshot as the engine stored it before its ledger was loaded and written in bulk
   * (2026-12): it still loads, and the ledger is stored in exactly those bytes (versions sorted by
   * asset id), so equal ledgers store equal bytes whichever way they were built.
   */
  @Test
  void aStoredSnapshotLoadsAndTheLedgerIsStoredInTheSameBytes() throws IOException {
    byte[] stored;
    try (InputStream in = getClass().getResourceAsStream("ledger-snapshot-2026-12.cbor.hex")) {
      stored = HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Ledger loaded =
        (Ledger) serialization.deserialize(stored, 33, "dev.autoupload.engine.library.Ledger").get();
    Ledger built = fortyAssets();

    assertThat(loaded).isEqualTo(built);
    assertThat(loaded.size()).isEqualTo(40);
    assertThat(loaded.versionOf("asset-17")).hasValue(String.format("%016x", 17 * 0x9E3779B97F4A7C15L));
    assertThat(loaded.containsContent(String.format("%064x", 5 * 31L + 7))).isTrue();
    assertThat(loaded.holdsPath("2024/5.jpg")).as("an alias has no path").isFalse();
    assertThat(loaded.holdsPath("2024/6.JPG")).isTrue();
    assertThat(loaded.mayHoldContentOfSize(1006)).isTrue();
    assertThat(serialization.serialize(built).get()).isEqualTo(stored);
  }

  /**
   * A snapshot of the whole ledger, as stored before the ledger table: it loads, the whole ledger is
   * then due to the table, and once the table holds it the next snapshot holds nothing of it, and
   * the ledger recovered from the table and that snapshot is the same.
   */
  @Test
  void aStoredWholeLedgerSnapshotMovesIntoTheTableAndTheNextSnapshotIsBounded() throws IOException {
    byte[] stored;
    try (InputStream in = getClass().getResourceAsStream("ledger-snapshot-2026-12.cbor.hex")) {
      stored = HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
    }
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Object old = serialization.deserialize(stored, 33, "dev.autoupload.engine.library.Ledger").get();
    LedgerTable table = LedgerTable.inMemory();
    long snapshotSeqNr = 40;

    Recorded recovered = Recorded.fromSnapshot(old, Ledger.fromTable(reader -> table.load("lib", reader)));
    long tableThrough = Recorded.tableThrough(old, table.eventsThrough("lib"));
    assertThat(recovered.ledger()).isEqualTo(fortyAssets());
    assertThat(recovered.stored(tableThrough)).as("until the table holds it, the whole ledger").isEqualTo(fortyAssets());
    Recorded.Unwritten due = recovered.unwritten(tableThrough, snapshotSeqNr, 1000).orElseThrow();
    assertThat(due).as("the whole ledger is due to the table").isEqualTo(new Recorded.Whole(snapshotSeqNr, fortyAssets()));

    due.writeTo(table, "lib");
    tableThrough = snapshotSeqNr;
    BackupSupervisor.AssetBackedUp next =
        backedUp(asset("new.jpg", 1234, AT, "9:9:t9"), SHA, "2026/new.jpg");
    Recorded after = recovered.with(next, snapshotSeqNr + 1, tableThrough, 100);
    Object bounded = after.stored(tableThrough);
    assertThat(bounded).isEqualTo(new LedgerSnapshot(snapshotSeqNr, java.util.List.of(next)));
    assertThat(after.unwritten(tableThrough, snapshotSeqNr + 1, 2)).as("one event, written two at a time").isEmpty();
    assertThat(after.unwritten(tableThrough, snapshotSeqNr + 1, 1))
        .hasValue(new Recorded.Events(java.util.List.of(Ledger.row(snapshotSeqNr + 1, next))));

    Object reloaded =
        serialization.deserialize(
                serialization.serialize(bounded).get(), 33, "dev.autoupload.engine.internal.library.LedgerSnapshot")
            .get();
    Recorded again = Recorded.fromSnapshot(reloaded, Ledger.fromTable(reader -> table.load("lib", reader)));
    assertThat(again.ledger()).isEqualTo(fortyAssets().with(next));
  }

  /**
   * The whole ledger a stored snapshot of the old form holds is written at that snapshot's sequence
   * number, and a snapshot taken while it is written holds it as of there: a restart then goes on
   * where the write stopped, and one after the write ended writes nothing of it again, however many
   * events came in between (before, each restart wrote the whole ledger anew at its latest event).
   */
  @Test
  void aWholeLedgerDueToTheTableIsWrittenOnceAcrossRestarts() throws IOException {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    LedgerTable table = LedgerTable.inMemory();
    long snapshotSeqNr = 40;
    BackupSupervisor.AssetBackedUp first = backedUp(asset("a.jpg", 11, AT, "1:1:a"), SHA, "2026/a.jpg");
    BackupSupervisor.AssetBackedUp second = backedUp(asset("b.jpg", 12, AT, "1:1:b"), SHA, "2026/b.jpg");

    Recorded recovered =
        Recorded.fromSnapshot(fortyAssets(), Ledger.fromTable(reader -> table.load("lib", reader)))
            .with(first, snapshotSeqNr + 1, 0, 100);
    Recorded.Unwritten due = recovered.unwritten(0, snapshotSeqNr + 1, 1000).orElseThrow();
    assertThat(due).as("due at the snapshot's number, as of there").isEqualTo(new Recorded.Whole(snapshotSeqNr, fortyAssets()));
    assertThat(due.through()).isEqualTo(snapshotSeqNr);

    java.util.List<LedgerTable.Row> rows = new java.util.ArrayList<>();
    fortyAssets().rows(snapshotSeqNr, 0).forEach(rows::add);
    table.write("lib", rows.subList(0, 25)); // the write is stopped part way
    Object takenMeanwhile = recovered.stored(0);
    assertThat(takenMeanwhile).isEqualTo(new LedgerSnapshot(snapshotSeqNr, java.util.List.of(first), fortyAssets()));
    assertThat(Recorded.tableThrough(takenMeanwhile, snapshotSeqNr + 1))
        .as("the table may lack it, whatever events' rows it holds")
        .isZero();

    Object reloaded =
        serialization.deserialize(
                serialization.serialize(takenMeanwhile).get(), 33, "dev.autoupload.engine.internal.library.LedgerSnapshot")
            .get();
    Recorded restarted =
        Recorded.fromSnapshot(reloaded, Ledger.fromTable(reader -> table.load("lib", reader)))
            .with(second, snapshotSeqNr + 2, 0, 100);
    assertThat(restarted.ledger()).isEqualTo(fortyAssets().with(first).with(second));
    Recorded.Unwritten dueAgain = restarted.unwritten(0, snapshotSeqNr + 2, 1000).orElseThrow();
    assertThat(dueAgain).as("the same write, not one at the latest event").isEqualTo(due);
    dueAgain.writeTo(table, "lib");
    assertThat(table.rowsAt("lib", snapshotSeqNr)).isEqualTo(rows.size());
    assertThat(table.rowsAt("lib", snapshotSeqNr + 2)).isZero();

    Recorded thirdStart = Recorded.fromSnapshot(reloaded, Ledger.fromTable(reader -> table.load("lib", reader)));
    Recorded.Unwritten dueOnceMore = thirdStart.unwritten(0, snapshotSeqNr + 1, 1000).orElseThrow();
    assertThat(fortyAssets().rows(snapshotSeqNr, table.rowsAt("lib", snapshotSeqNr))).as("nothing left of it").isEmpty();
    dueOnceMore.writeTo(table, "lib");
    assertThat(table.rowsAt("lib", snapshotSeqNr)).isEqualTo(rows.size());

    Recorded caughtUp = thirdStart.with(second, snapshotSeqNr + 2, snapshotSeqNr, 100);
    assertThat(caughtUp.stored(snapshotSeqNr))
        .as("once the table holds it, the snapshot holds only the events after")
        .isEqualTo(new LedgerSnapshot(snapshotSeqNr, java.util.List.of(first, second)));
  }

  /**
   * A snapshot taken while the table's write of the events before it was under way says the table
   * stood before them; a restart after that write ended writes none of them again, and its next
   * snapshot holds none of them (before, every start wrote them again: 1,000 rows). After a write
   * cut short, only what it left is written.
   */
  @Test
  void aWriteThatEndedAfterTheSnapshotIsNotWrittenAgainAtTheNextStart() {
    java.util.List<BackupSupervisor.AssetBackedUp> events = new java.util.ArrayList<>();
    Recorded state = Recorded.empty();
    Ledger all = Ledger.empty();
    for (int i = 1; i <= 4; i++) {
      BackupSupervisor.AssetBackedUp event = backedUp(asset("f" + i + ".jpg", i, AT, "1:1:" + i), SHA, "2026/f" + i + ".jpg");
      events.add(event);
      all = all.with(event);
      state = state.with(event, i, 2, 100);
    }
    Object snapshot = state.stored(2);
    assertThat(snapshot).isEqualTo(new LedgerSnapshot(2, events.subList(2, 4)));
    Recorded.Events underWay = (Recorded.Events) state.unwritten(2, 4, 1).orElseThrow();

    for (int committed = 0; committed <= 2; committed++) {
      LedgerTable table = LedgerTable.inMemory();
      table.write("lib", java.util.List.of(Ledger.row(1, events.get(0)), Ledger.row(2, events.get(1))));
      table.write("lib", underWay.rows().subList(0, committed));

      long tableThrough = Recorded.tableThrough(snapshot, table.eventsThrough("lib"));
      Recorded restarted = Recorded.fromSnapshot(snapshot, Ledger.fromTable(reader -> table.load("lib", reader)));

      assertThat(tableThrough).as("%d of the two rows committed", committed).isEqualTo(2 + committed);
      assertThat(restarted.ledger()).isEqualTo(all);
      assertThat(restarted.unwritten(tableThrough, 4, 1).map(rows -> ((Recorded.Events) rows).rows()))
          .as("%d of the two rows committed", committed)
          .isEqualTo(committed == 2 ? Optional.empty() : Optional.of(underWay.rows().subList(committed, 2)));
      assertThat(restarted.stored(tableThrough)).isEqualTo(new LedgerSnapshot(2 + committed, events.subList(2 + committed, 4)));
    }
  }

  /**
   * While the whole ledger as of the overlay's base is due, the overlay grows to four times its
   * cap before it is let go of (and the due write moves on to a new base): a start after a long
   * replay finds its overlay nearly full, and a few more events must not make the write it goes on
   * with start over.
   */
  @Test
  void anOverlayOverAWholeLedgerDueGrowsToFourTimesItsCapBeforeTheWriteMovesOn() {
    long snapshotSeqNr = 40;
    Recorded recorded = Recorded.fromSnapshot(fortyAssets(), Ledger.empty());
    for (int i = 1; i <= 8; i++) {
      recorded = recorded.with(backedUp(asset("n" + i + ".jpg", i, AT, "1:1:n"), SHA, "2026/n" + i + ".jpg"), snapshotSeqNr + i, 0, 2);
    }
    assertThat(recorded.unwritten(0, snapshotSeqNr + 8, 1000))
        .as("eight events over a cap of two: still the write at the snapshot's number")
        .hasValue(new Recorded.Whole(snapshotSeqNr, fortyAssets()));

    Recorded moved = recorded.with(backedUp(asset("n9.jpg", 9, AT, "1:1:n"), SHA, "2026/n9.jpg"), snapshotSeqNr + 9, 0, 2);
    assertThat(moved.unwritten(0, snapshotSeqNr + 9, 1000))
        .as("the ninth lets the overlay go")
        .hasValue(new Recorded.Whole(snapshotSeqNr + 9, moved.ledger()));
    assertThat(Recorded.empty().with(backedUp(asset("a.jpg", 1, AT, "1:1:a"), SHA, "a"), 1, 0, 2)
            .with(backedUp(asset("b.jpg", 2, AT, "1:1:b"), SHA, "b"), 2, 0, 2)
            .with(backedUp(asset("c.jpg", 3, AT, "1:1:c"), SHA, "c"), 3, 0, 2)
            .unwritten(0, 3, 1000))
        .as("with no whole ledger due, the third event over a cap of two lets it go")
        .containsInstanceOf(Recorded.Whole.class);
  }

  @Test
  void aLedgerComesBackWholeFromItsRows() {
    Ledger ledger = fortyAssets().with(backedUp(asset("big.mov", 5_000_000_000L, AT, "1:1:t1"), SHA, "2026/Big.MOV"));
    LedgerTable table = LedgerTable.inMemory();

    table.write("lib", ledger.rows(41, 0));

    assertThat(Ledger.fromTable(reader -> table.load("lib", reader))).isEqualTo(ledger);
  }

  /**
   * A whole ledger written in part (a kill part way) goes on from the rows already there, and a
   * later event's row of the same asset wins over the whole ledger's, which came before it.
   */
  @Test
  void aWholeLedgerWrittenInPartsComesBackTheSameAndLaterEventsWin() {
    Ledger ledger = fortyAssets();
    LedgerTable table = LedgerTable.inMemory();
    java.util.List<LedgerTable.Row> rows = new java.util.ArrayList<>();
    ledger.rows(41, 0).forEach(rows::add);
    table.write("lib", rows.subList(0, 17));

    new Recorded.Whole(41, ledger).writeTo(table, "lib");
    assertThat(table.rowsAt("lib", 41)).isEqualTo(rows.size());
    assertThat(Ledger.fromTable(reader -> table.load("lib", reader))).isEqualTo(ledger);

    BackupSupervisor.AssetBackedUp edited =
        new BackupSupervisor.AssetBackedUp("asset-3", "00000000000000ff", SHA, 77, Optional.of("2026/edited.heic"), AT);
    assertThat(ledger.versionOf("asset-3")).isPresent().isNotEqualTo(Optional.of("00000000000000ff"));
    table.write("lib", java.util.List.of(Ledger.row(42, edited)));
    assertThat(Ledger.fromTable(reader -> table.load("lib", reader))).isEqualTo(ledger.with(edited));
  }
  /**
   * Rows go into the ledger some hundreds at a time: an asset read again, in the same batch or a
   * later one, still has its last version, on seeded histories of thousands of rows.
   */
  @Test
  void aLedgerReadFromManyRowsKeepsEachAssetsLastVersion() {
    for (long seed = 1; seed <= 20; seed++) {
      java.util.Random random = new java.util.Random(seed);
      java.util.List<String> ids = new java.util.ArrayList<>();
      java.util.Map<String, Long> last = new java.util.HashMap<>();
      java.util.Set<String> contents = new java.util.HashSet<>();
      java.util.List<Object[]> rows = new java.util.ArrayList<>();
      for (int i = 0; i < 1500 + random.nextInt(2000); i++) {
        String id;
        if (!ids.isEmpty() && random.nextInt(4) == 0) {
          id = ids.get(random.nextInt(ids.size()));
        } else {
          byte[] bytes = new byte[16];
          random.nextBytes(bytes);
          // Mostly a folder's 32 hex digits; now and then a host app's id of its own.
          id = random.nextInt(8) == 0 ? "host-" + i : HexFormat.of().formatHex(bytes);
          ids.add(id);
        }
        long version = random.nextLong();
        last.put(id, version);
        byte[] sha = new byte[32];
        random.nextBytes(sha);
        String content = HexFormat.of().formatHex(sha);
        contents.add(content);
        rows.add(new Object[] {id, version, content});
      }
      Ledger ledger =
          Ledger.fromTable(
              reader ->
                  rows.forEach(
                      row -> {
                        reader.version((String) row[0], (Long) row[1]);
                        reader.content((String) row[2]);
                      }));

      assertThat(ledger.size()).as("seed %d", seed).isEqualTo(last.size());
      long currentSeed = seed;
      last.forEach(
          (id, version) ->
              assertThat(ledger.versionOf(id)).as("seed %d, %s", currentSeed, id).contains(HexFormat.of().toHexDigits(version)));
      assertThat(new java.util.HashSet<>(ledger.contents())).as("seed %d", seed).isEqualTo(contents);
    }
  }

  /**
   * A long run folds what it records into a new base now and then, so the facts recorded since
   * stay few: on seeded histories of thousands of backups (edits, copies, aliases, host app ids,
   * sizes shared), every answer before and after each fold is the reference model's, and the
   * ledger stores and restores the same facts.
   */
  @Test
  void aLongRunFoldsWhatItRecordsIntoItsBaseAndAnswersAsBefore() {
    for (long seed = 1; seed <= 3; seed++) {
      java.util.Random random = new java.util.Random(seed);
      java.util.Map<String, String> versions = new java.util.HashMap<>();
      java.util.Set<String> contents = new java.util.HashSet<>();
      java.util.Set<Long> sizes = new java.util.HashSet<>();
      java.util.Set<String> paths = new java.util.HashSet<>();
      java.util.List<String> ids = new java.util.ArrayList<>();
      java.util.List<String> shas = new java.util.ArrayList<>();
      Ledger ledger = Ledger.empty();
      int events = 3 * Ledger.FOLD_AT_LEAST + random.nextInt(Ledger.FOLD_AT_LEAST);
      for (int i = 0; i < events; i++) {
        String id =
            !ids.isEmpty() && random.nextInt(5) == 0
                ? ids.get(random.nextInt(ids.size()))
                : random.nextInt(10) == 0 ? "host-" + i : hex(random, 32);
        if (!versions.containsKey(id)) {
          ids.add(id);
        }
        String sha = !shas.isEmpty() && random.nextInt(10) == 0 ? shas.get(random.nextInt(shas.size())) : hex(random, 64);
        shas.add(sha);
        long size = random.nextBoolean() ? random.nextInt(64) : random.nextInt(Integer.MAX_VALUE);
        Optional<String> path = random.nextInt(8) == 0 ? Optional.empty() : Optional.of("2026/" + hex(random, 6) + ".JPG");
        String version = hex(random, 16);
        ledger = ledger.with(new BackupSupervisor.AssetBackedUp(id, version, sha, size, path, AT)).settled(Ledger.FOLD_AT_LEAST);
        versions.put(id, version);
        contents.add(sha);
        sizes.add(size);
        path.ifPresent(paths::add);

        assertThat(ledger.recordedSinceBase()).as("seed %d, event %d", seed, i).isLessThan(Ledger.FOLD_AT_LEAST);
        if (i % 1500 == 1499 || i == events - 1) {
          String at = "seed " + seed + ", event " + i;
          Ledger now = ledger;
          assertThat(ledger.size()).as(at).isEqualTo(versions.size());
          for (String known : ids) {
            assertThat(ledger.versionOf(known)).as(at).contains(versions.get(known));
          }
          assertThat(ledger.versionOf(hex(random, 32))).as(at).isEmpty();
          assertThat(contents).as(at).allMatch(ledger::containsContent);
          assertThat(ledger.containsContent(hex(random, 64))).as(at).isFalse();
          assertThat(sizes).as(at).allMatch(ledger::mayHoldContentOfSize);
          assertThat(ledger.mayHoldContentOfSize(-1 - random.nextInt(1000))).as(at).isFalse();
          assertThat(paths).as(at).allMatch(remote -> now.holdsPath(remote.toLowerCase(java.util.Locale.ROOT)));
          assertThat(ledger.holdsPath("2026/" + hex(random, 7) + ".JPG")).as(at).isFalse();
          assertThat(new java.util.HashSet<>(ledger.contents())).as(at).isEqualTo(contents);
          assertThat(ledger.sizes()).as(at).hasSize(sizes.size());
          assertThat(ledger.paths()).as(at).hasSize(paths.size());
          assertThat(Ledger.of(ledger.versions(), ledger.contents(), ledger.paths(), ledger.sizes())).as(at).isEqualTo(ledger);
        }
      }
    }
  }

  /**
   * The supervisor's state folds what it records, but not while the whole ledger as of its base is
   * due to the table: that one shares its base with the state's ledger until it is written.
   */
  @Test
  void theSupervisorsStateFoldsWhatItRecordsButNotWhileAWholeLedgerIsDue() {
    long snapshotSeqNr = 40;
    Recorded recorded = Recorded.empty();
    Recorded due = Recorded.fromSnapshot(fortyAssets(), Ledger.empty());
    int events = Ledger.FOLD_AT_LEAST + 10;
    for (int i = 1; i <= events; i++) {
      BackupSupervisor.AssetBackedUp event =
          backedUp(asset("n" + i + ".jpg", i, AT, "1:1:n"), String.format("%064x", i), "2026/n" + i + ".jpg");
      recorded = recorded.with(event, i, i - 1, 1000);
      due = due.with(event, snapshotSeqNr + i, 0, 1_000_000);
    }

    assertThat(recorded.ledger().recordedSinceBase()).isLessThan(Ledger.FOLD_AT_LEAST);
    assertThat(recorded.ledger().size()).isEqualTo(events);
    assertThat(due.ledger().recordedSinceBase()).as("nothing folded while due: the forty and all since").isEqualTo(40 + events);
    assertThat(due.ledger().size()).isEqualTo(40 + events);
    assertThat(due.unwritten(0, snapshotSeqNr + events, 1000)).hasValue(new Recorded.Whole(snapshotSeqNr, fortyAssets()));
  }

  private static String hex(java.util.Random random, int digits) {
    StringBuilder text = new StringBuilder(digits);
    for (int i = 0; i < digits; i++) {
      text.append(Character.forDigit(random.nextInt(16), 16));
    }
    return text.toString();
  }
}
