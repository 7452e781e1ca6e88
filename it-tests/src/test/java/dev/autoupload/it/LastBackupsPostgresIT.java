package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.activity.ActivityStore;
import dev.autoupload.engine.internal.activity.LastBackupsContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LastBackupsContract} on a real PostgreSQL server, its tables made by the engine's own migration. */
class LastBackupsPostgresIT extends LastBackupsContract {

  @RegisterExtension static final MigratedPostgres postgres = new MigratedPostgres();

  @Override
  protected DataSource emptyJournal() {
    return postgres.emptied("activity_asset");
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
