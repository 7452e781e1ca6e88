package dev.autoupload.engine.internal.persistence;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.library.LedgerTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
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
  }

  @Nested
  class InMemory extends LedgerTableContract {
    @Override
    protected LedgerTable table() {
      return LedgerTable.inMemory();
    }
  }
}
