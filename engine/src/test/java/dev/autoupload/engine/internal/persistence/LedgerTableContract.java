package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.internal.library.LedgerTable.AssetVersion;
import dev.autoupload.engine.internal.library.LedgerTable.Row;
import dev.autoupload.engine.internal.library.LedgerTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LedgerTable} keeps: the one in memory, and {@link JdbcLedgerTable} on H2 and
 * (in it-tests) on PostgreSQL, whose SQL differs.
 */
public abstract class LedgerTableContract {

  /** A new, empty table for each test. */
  protected abstract LedgerTable table();

  private static Row event(long seqNr, String assetId, long version, String sha256, long size, String path) {
    return new Row(
        seqNr, 0, Optional.of(new AssetVersion(assetId, version)), Optional.of(sha256), OptionalLong.of(size), Optional.of(path));
  }

  /** The facts the reader was given, in order, one string each (the size hint left out). */
  static List<String> load(LedgerTable table, String persistenceId) {
    List<String> calls = new ArrayList<>();
    table.load(persistenceId, recorder(calls));
    calls.removeIf(call -> call.startsWith("expect "));
    return calls;
  }

  /**
   * A reader that adds a string for each call to {@code calls}: "expect rows", "v id version",
   * "c sha", "s size", "p path".
   */
  static LedgerTable.Reader recorder(List<String> calls) {
    return new LedgerTable.Reader() {
      @Override
      public void expect(int rows) {
        calls.add("expect " + rows);
      }

      @Override
      public void version(String assetId, long version) {
        calls.add("v " + assetId + " " + version);
      }

      @Override
      public void content(String sha256) {
        calls.add("c " + sha256);
      }

      @Override
      public void size(long size) {
        calls.add("s " + size);
      }

      @Override
      public void path(String fingerprint) {
        calls.add("p " + fingerprint);
      }
    };
  }

  @Test
  void rowsComeBackPerLibraryInTheOrderOfTheirKeys() {
    LedgerTable table = table();
    table.write("lib", List.of(event(1, "a", -5, "aa", 5_000_000_000L, "f1"), event(2, "b", 1, "bb", 7, "f2")));
    table.write("lib", List.of(event(10, "a", 2, "cc", 9, "f3")));
    table.write("other", List.of(event(1, "a", 3, "dd", 1, "f4")));

    assertThat(load(table, "lib"))
        .containsExactly(
            "v a -5", "c aa", "s 5000000000", "p f1",
            "v b 1", "c bb", "s 7", "p f2",
            "v a 2", "c cc", "s 9", "p f3");
    assertThat(load(table, "other")).containsExactly("v a 3", "c dd", "s 1", "p f4");
    assertThat(load(table, "none")).isEmpty();
  }

  @Test
  void aRowThatIsThereIsLeftAsItIs() {
    LedgerTable table = table();
    table.write("lib", List.of(event(1, "a", 1, "aa", 1, "f1")));
    // The same key again, as a write cut short and made again; rows never change, so a second
    // value under the same key can only be a mistake, and the first stays.
    table.write("lib", List.of(event(1, "a", 9, "zz", 9, "f9"), event(2, "b", 2, "bb", 2, "f2")));

    assertThat(load(table, "lib")).containsExactly("v a 1", "c aa", "s 1", "p f1", "v b 2", "c bb", "s 2", "p f2");
  }

  /**
   * Where the table holds every event: its last event's row, not a whole ledger's rows, nor
   * another library's; the rows a complete whole ledger supersedes go, those after it stay.
   */
  @Test
  void theLastEventsRowOfALibraryIsWhereItsEventsAreHeld() {
    LedgerTable table = table();
    assertThat(table.eventsThrough("lib")).as("an empty table").isZero();
    table.write("lib", List.of(event(1, "a", 1, "aa", 1, "f1"), event(2, "b", 2, "bb", 2, "f2")));
    table.write("other", List.of(event(9, "o", 1, "oo", 1, "fo")));
    table.write("lib", List.of(whole(1, 5), whole(2, 5)));

    assertThat(table.eventsThrough("lib")).isEqualTo(2);
    assertThat(table.eventsThrough("other")).isEqualTo(9);

    table.write("lib", List.of(event(6, "c", 3, "cc", 3, "f6")));
    assertThat(table.eventsThrough("lib")).isEqualTo(6);
    table.dropSupersededBy("lib", 5);
    assertThat(table.eventsThrough("lib")).as("the event after the whole ledger stays").isEqualTo(6);
    table.write("lib", List.of(whole(1, 7)));
    table.dropSupersededBy("lib", 7);
    assertThat(table.eventsThrough("lib")).as("every event's row superseded").isZero();
  }

  @Test
  void aWholeLedgersRowsHoldWhatIsLeftOfEachKindAndAreCountedApartFromTheEventsRow() {
    LedgerTable table = table();
    table.write("lib", List.of(event(7, "x", 1, "xx", 3, "fx")));
    table.write(
        "lib",
        List.of(
            new Row(7, 1, Optional.of(new AssetVersion("a", 1)), Optional.of("aa"), OptionalLong.of(3), Optional.empty()),
            new Row(7, 2, Optional.empty(), Optional.of("bb"), OptionalLong.empty(), Optional.empty()),
            new Row(7, 3, Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.of("f3"))));

    assertThat(table.rowsAt("lib", 7)).isEqualTo(3);
    assertThat(table.rowsAt("lib", 8)).isZero();
    assertThat(load(table, "lib")).containsExactly("v x 1", "c xx", "s 3", "p fx", "v a 1", "c aa", "s 3", "c bb", "p f3");
  }

  @Test
  void aWriteCutShortKeepsItsCommittedBatchesAndGoesOnFromThem() {
    LedgerTable table = table();
    int total = 12_345;
    int failAt = JdbcLedgerTable.BATCH + 1234;
    Iterable<Row> failing =
        () ->
            new Iterator<>() {
              int index = 1;

              @Override
              public boolean hasNext() {
                return index <= total;
              }

              @Override
              public Row next() {
                if (index == failAt) {
                  throw new IllegalStateException("cut short");
                }
                return whole(index++);
              }
            };
    assertThatThrownBy(() -> table.write("big", failing)).hasMessageContaining("cut short");
    int written = table.rowsAt("big", 100);
    // The table in memory writes all or nothing; the database commits every batch.
    assertThat(written).isIn(0, JdbcLedgerTable.BATCH);

    List<Row> rest = new ArrayList<>();
    for (int index = written + 1; index <= total; index++) {
      rest.add(whole(index));
    }
    table.write("big", rest);

    assertThat(table.rowsAt("big", 100)).isEqualTo(total);
    List<String> loaded = load(table, "big");
    assertThat(loaded).hasSize(2 * total);
    assertThat(loaded.get(0)).isEqualTo("v asset-00001 1");
    assertThat(loaded.get(loaded.size() - 1)).isEqualTo("c %064x".formatted(total));
  }

  /**
   * A whole ledger written in full supersedes every row before it and the event's own row; what
   * comes after it, and other libraries' rows, stay. More rows than a batch, as a million would be.
   */
  @Test
  void aCompleteWholeLedgerDropsTheRowsItSupersedes() {
    LedgerTable table = table();
    int before = JdbcLedgerTable.BATCH + 17;
    List<Row> events = new ArrayList<>();
    for (int seqNr = 1; seqNr <= before; seqNr++) {
      events.add(event(seqNr, "asset-" + seqNr, seqNr, "%064x".formatted(seqNr), seqNr, "f" + seqNr));
    }
    table.write("lib", events);
    table.write("other", List.of(event(5, "o", 1, "oo", 1, "fo")));
    List<Row> wholeAtLast = new ArrayList<>();
    for (int index = 1; index <= before; index++) {
      Row event = events.get(index - 1);
      wholeAtLast.add(new Row(before, index, event.asset(), event.sha256(), event.size(), event.pathFingerprint()));
    }
    table.write("lib", wholeAtLast);
    table.write("lib", List.of(event(before + 1, "asset-1", 99, "ee", 3, "fe")));
    List<String> loadedBefore = load(table, "lib");

    assertThat(table.dropSupersededBy("lib", before)).isEqualTo(before);

    List<String> loaded = load(table, "lib");
    assertThat(loaded).as("every fact still there, once").hasSize(loadedBefore.size() - 4 * before);
    assertThat(new HashSet<>(loaded)).isEqualTo(new HashSet<>(loadedBefore));
    assertThat(loaded.get(loaded.size() - 4)).as("the later event still last").isEqualTo("v asset-1 99");
    assertThat(table.rowsAt("lib", before)).isEqualTo(before);
    assertThat(load(table, "other")).containsExactly("v o 1", "c oo", "s 1", "p fo");
    assertThat(table.dropSupersededBy("lib", before)).as("nothing more").isZero();
  }

  /**
   * A whole ledger of more rows than a chunk holds, between events of the same and the next
   * sequence numbers, written in several calls (as a write cut short and made again): every fact
   * comes back once, in the order of the keys, so an event after the whole ledger still wins.
   */
  @Test
  void aWholeLedgerOfManyRowsComesBackAmongTheEventsInTheOrderOfTheKeys() {
    LedgerTable table = table();
    int total = 2 * JdbcLedgerTable.BATCH + 3;
    table.write("lib", List.of(event(6, "asset-00002", 1, "%064x".formatted(1), 1, "f1"), event(7, "x", 1, "xx", 3, "fx")));
    List<Row> first = new ArrayList<>();
    for (int index = 1; index <= 700; index++) {
      first.add(whole(index, 7));
    }
    table.write("lib", first);
    List<Row> rest = new ArrayList<>();
    for (int index = 701; index <= total; index++) {
      rest.add(whole(index, 7));
    }
    rest.add(event(8, "asset-00002", 99, "ÄÖ-not-hex", 0, "f8"));
    table.write("lib", rest);

    assertThat(table.rowsAt("lib", 7)).isEqualTo(total);
    List<String> expected = new ArrayList<>(List.of("v asset-00002 1", "c %064x".formatted(1), "s 1", "p f1", "v x 1", "c xx", "s 3", "p fx"));
    for (int index = 1; index <= total; index++) {
      expected.add("v asset-%05d %d".formatted(index, index));
      expected.add("c %064x".formatted(index));
    }
    expected.addAll(List.of("v asset-00002 99", "c ÄÖ-not-hex", "s 0", "p f8"));
    assertThat(load(table, "lib")).containsExactlyElementsOf(expected);
  }

  @Test
  void aLoadIsToldFirstAboutHowManyRowsFollowAtLeastTheLatestWholeLedgers() {
    LedgerTable table = table();
    table.write("lib", List.of(event(3, "a", 1, "aa", 1, "f1")));
    List<Row> older = new ArrayList<>();
    for (int index = 1; index <= 10; index++) {
      older.add(whole(index, 4));
    }
    table.write("lib", older);
    int total = JdbcLedgerTable.BATCH + 7;
    List<Row> latest = new ArrayList<>();
    for (int index = 1; index <= total; index++) {
      latest.add(whole(index, 9));
    }
    latest.add(event(10, "b", 2, "bb", 2, "f2"));
    table.write("lib", latest);

    List<String> calls = new ArrayList<>();
    table.load("lib", recorder(calls));

    assertThat(calls.get(0)).startsWith("expect ");
    assertThat(Integer.parseInt(calls.get(0).substring("expect ".length())))
        .as("at least the latest whole ledger's rows, at most every row")
        .isBetween(total, total + 10 + 2);
    assertThat(calls.subList(1, calls.size())).containsExactlyElementsOf(load(table, "lib"));
    assertThat(calls).filteredOn(call -> call.startsWith("expect ")).hasSize(1);
  }

  private static Row whole(int index) {
    return whole(index, 100);
  }

  private static Row whole(int index, long seqNr) {
    return new Row(
        seqNr,
        index,
        Optional.of(new AssetVersion("asset-%05d".formatted(index), index)),
        Optional.of("%064x".formatted(index)),
        OptionalLong.empty(),
        Optional.empty());
  }
}
