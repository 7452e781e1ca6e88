package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.activity.ActivityStore;
import dev.autoupload.engine.internal.activity.LastBackupsContract;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link LastBackupsContract} on a real PostgreSQL server, its tables made by the engine's own migration. */
class LastBackupsPostgresIT extends LastBackupsContract {

  private static PostgresServer postgres;
  private static HikariDataSource pool;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
    JournalDatabase journal =
        JournalDatabase.of(postgres.jdbcUrl(), postgres.user(), "", Files.createTempDirectory("last-backups-pg"));
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
  protected DataSource emptyJournal() throws SQLException {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE activity_asset");
    }
    return pool;
  }

  /**
   * A scan of the index that the limit stops, no sort. With a few rows PostgreSQL would rather read
   * the table, so this session is told not to.
   */
  @Override
  protected void assertReadsOneIndexEntry(DataSource journal) throws SQLException {
    try (Connection connection = journal.getConnection()) {
      try (Statement session = connection.createStatement()) {
        session.execute("SET enable_seqscan = off");
      }
      StringBuilder plan = new StringBuilder();
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + ActivityStore.LAST_BACKUP)) {
        explain.setString(1, "lib-a");
        try (ResultSet lines = explain.executeQuery()) {
          while (lines.next()) {
            plan.append(lines.getString(1)).append('\n');
          }
        }
      } finally {
        try (Statement session = connection.createStatement()) {
          session.execute("RESET enable_seqscan");
        }
      }
      assertThat(plan.toString()).contains("Limit", "activity_asset_library_uploaded_idx").doesNotContain("Sort");
    }
  }
}
