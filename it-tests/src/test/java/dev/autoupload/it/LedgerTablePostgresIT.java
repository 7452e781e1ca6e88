package dev.autoupload.it;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.persistence.JdbcLedgerTable;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.internal.persistence.LedgerTableContract;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The ledger table on a real PostgreSQL server, made by the engine's own migration: its SQL is not
 * H2's ({@code ON CONFLICT DO NOTHING}, a result streamed in a transaction), so the same contract
 * runs on it.
 */
class LedgerTablePostgresIT extends LedgerTableContract {

  private static PostgresServer postgres;
  private static HikariDataSource pool;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
    JournalDatabase journal =
        JournalDatabase.of(postgres.jdbcUrl(), postgres.user(), "", Files.createTempDirectory("ledger-pg"));
    journal.migrate();
    pool = journal.pool(2);
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pool != null) {
      pool.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected LedgerTable table() {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE ledger_row, ledger_chunk");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new JdbcLedgerTable(pool, JournalDatabase.Dialect.POSTGRES);
  }
}
