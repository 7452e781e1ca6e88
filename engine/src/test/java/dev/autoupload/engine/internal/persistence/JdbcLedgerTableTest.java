package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.library.LedgerTable;
import dev.autoupload.engine.library.LedgerTable.Kind;
import dev.autoupload.engine.library.LedgerTable.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger table in the journal's database, and the one in memory, keep the same contract. */
class JdbcLedgerTableTest {

  @TempDir Path dataDir;

  private static Set<Row> load(LedgerTable table, String libraryId) {
    Set<Row> rows = new HashSet<>();
    table.load(libraryId, rows::add);
    return rows;
  }

  private void withBoth(Consumer<LedgerTable> check) {
    check.accept(LedgerTable.inMemory());
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    try (HikariDataSource pool = journal.pool(2)) {
      check.accept(new JdbcLedgerTable(pool));
    }
  }

  @Test
  void rowsComeBackPerLibraryAndAWriteRepeatedChangesNothing() {
    withBoth(
        table -> {
          List<Row> rows =
              List.of(
                  new Row(Kind.VERSION, "asset-1", -5L),
                  new Row(Kind.CONTENT, "ab".repeat(32), 0),
                  new Row(Kind.PATH, "0123456789abcdef", 0),
                  new Row(Kind.SIZE, "5000000000", 0));
          table.write("lib", rows, 7);
          table.write("lib", rows, 7);
          table.write("other", List.of(new Row(Kind.VERSION, "asset-1", 3)), 1);

          assertThat(load(table, "lib")).containsExactlyInAnyOrderElementsOf(rows);
          assertThat(load(table, "other")).containsExactly(new Row(Kind.VERSION, "asset-1", 3));
          assertThat(load(table, "none")).isEmpty();
        });
  }

  @Test
  void aVersionIsReplacedOnlyByOneWrittenThroughALaterEvent() {
    withBoth(
        table -> {
          table.write("lib", List.of(new Row(Kind.VERSION, "a", 1), new Row(Kind.VERSION, "b", 1)), 10);
          table.write("lib", List.of(new Row(Kind.VERSION, "a", 2)), 20);
          // A write of earlier events arriving late, as from a supervisor that was replaced.
          table.write("lib", List.of(new Row(Kind.VERSION, "a", 9), new Row(Kind.VERSION, "b", 9)), 15);

          assertThat(load(table, "lib"))
              .containsExactlyInAnyOrder(new Row(Kind.VERSION, "a", 2), new Row(Kind.VERSION, "b", 9));
        });
  }

  @Test
  void writesMoreRowsThanOneBatchInOneGo() {
    withBoth(
        table -> {
          List<Row> rows = new ArrayList<>();
          for (int i = 0; i < 12_345; i++) {
            rows.add(new Row(Kind.VERSION, "asset-" + i, i));
            rows.add(new Row(Kind.CONTENT, "%064x".formatted(i), 0));
          }
          table.write("big", rows, 12_345);

          assertThat(load(table, "big")).hasSize(rows.size()).containsAll(rows);
        });
  }
}
