package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.library.LedgerTable.AssetVersion;
import dev.autoupload.engine.internal.library.LedgerTable.Row;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger table in the journal's H2 database, and the one in memory, keep the same contract. */
class JdbcLedgerTableTest {

  @Nested
  class OnH2 extends LedgerTableContract {
    @TempDir Path dataDir;
    private final List<HikariDataSource> pools = new ArrayList<>();

    @Override
    protected LedgerTable table() {
      JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
      journal.migrate();
      HikariDataSource pool = journal.pool(2);
      pools.add(pool);
      return new JdbcLedgerTable(pool, journal.dialect());
    }

    @AfterEach
    void close() {
      pools.forEach(HikariDataSource::close);
    }

    /**
     * A build before the chunks wrote part of a whole ledger as rows of {@code ledger_row}; this
     * one goes on from there in chunks, reads both in their order and drops both once superseded.
     */
    @Test
    void aWholeLedgerBegunAsRowsByAnEarlierBuildGoesOnInChunks() throws Exception {
      LedgerTable table = table();
      try (Connection db = pools.get(0).getConnection(); Statement sql = db.createStatement()) {
        sql.execute(
            "INSERT INTO ledger_row (persistence_id, seq_nr, idx, asset_id, version, sha256) VALUES "
                + "('lib', 3, 0, 'a', 1, 'aa'), ('lib', 9, 1, 'a', 2, 'bb'), ('lib', 9, 2, 'b', 3, NULL)");
      }
      assertThat(table.rowsAt("lib", 9)).isEqualTo(2);

      table.write(
          "lib",
          List.of(
              new Row(9, 3, Optional.of(new AssetVersion("c", 4)), Optional.of("cc"), OptionalLong.empty(), Optional.empty()),
              new Row(10, 0, Optional.of(new AssetVersion("b", 5)), Optional.of("dd"), OptionalLong.of(1), Optional.empty())));

      assertThat(table.rowsAt("lib", 9)).isEqualTo(3);
      assertThat(facts(table)).containsExactly("v a 1", "c aa", "v a 2", "c bb", "v b 3", "v c 4", "c cc", "v b 5", "c dd", "s 1");
      table.write(
          "lib",
          List.of(new Row(10, 1, Optional.of(new AssetVersion("w", 6)), Optional.empty(), OptionalLong.empty(), Optional.empty())));
      assertThat(table.dropSupersededBy("lib", 10))
          .as("the event at 3, two rows and a chunk of one at 9, the event at 10")
          .isEqualTo(5);
      assertThat(facts(table)).containsExactly("v w 6");
    }

    @Test
    void aDamagedChunkIsAClearErrorNotAShorterLedger() throws Exception {
      LedgerTable table = table();
      table.write(
          "lib",
          List.of(new Row(4, 1, Optional.of(new AssetVersion("a", 1)), Optional.of("%064x".formatted(7)), OptionalLong.of(3), Optional.of("fp"))));
      try (Connection db = pools.get(0).getConnection(); Statement sql = db.createStatement()) {
        sql.execute("UPDATE ledger_chunk SET row_count = 2");
      }

      assertThatThrownBy(() -> facts(table))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("a ledger chunk ends in the middle of a row");
    }

    private List<String> facts(LedgerTable table) {
      return LedgerTableContract.load(table, "lib");
    }
  }

  @Nested
  class InMemory extends LedgerTableContract {
    @Override
    protected LedgerTable table() {
      return LedgerTable.inMemory();
    }
  }
}
