package dev.autoupload.engine.internal.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** {@link LastBackupsContract} on the embedded H2 journal. */
class LastBackupsH2Test extends LastBackupsContract {

  @TempDir Path dataDir;
  private HikariDataSource pool;

  @Override
  protected DataSource emptyJournal() {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    pool = journal.pool(2);
    return pool;
  }

  /** H2 reads an index's range in order and stops at the first row only when it says "index sorted". */
  @Override
  protected void assertReadsOneIndexEntry(DataSource journal) throws SQLException {
    try (Connection connection = journal.getConnection();
        PreparedStatement explain = connection.prepareStatement("EXPLAIN " + ActivityStore.LAST_BACKUP)) {
      explain.setString(1, "lib-a");
      try (ResultSet plan = explain.executeQuery()) {
        plan.next();
        assertThat(plan.getString(1)).contains("activity_asset_library_uploaded_idx", "index sorted");
      }
    }
  }

  @AfterEach
  void closePool() {
    if (pool != null) {
      pool.close();
    }
  }
}
