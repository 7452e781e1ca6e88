package dev.autoupload.engine.internal.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * {@link ActivityStore#lastBackups} on a journal made by the engine's own migration: each library's
 * latest upload, none for a library whose assets never went up, and read from the first entry of
 * the index's range, not from all of a library's rows (which took seconds at a million assets).
 * The same contract runs on H2 and on PostgreSQL.
 */
public abstract class LastBackupsContract {

  /** A migrated journal whose {@code activity_asset} is empty. */
  protected abstract DataSource emptyJournal() throws SQLException;

  /** Asserts that the database's plan of {@link ActivityStore#LAST_BACKUP} reads one index entry. */
  protected abstract void assertReadsOneIndexEntry(DataSource journal) throws SQLException;

  private static final Instant FIRST = Instant.parse("2023-05-01T10:00:00Z");
  private static final Instant LATEST = Instant.parse("2026-12-01T08:30:00Z");

  @Test
  void eachLibrarysLatestUploadAndNoneForALibraryWhoseAssetsNeverWentUp() throws SQLException {
    DataSource journal = emptyJournal();
    insert(journal, "lib-a", "a1", FIRST);
    insert(journal, "lib-a", "a2", null);
    insert(journal, "lib-a", "a3", LATEST);
    insert(journal, "lib-a", "a4", Instant.parse("2025-01-01T00:00:00Z"));
    insert(journal, "lib-a", "a5", null);
    insert(journal, "lib-b", "b1", null);
    insert(journal, "lib-b", "b2", null);
    // Sorts between the two: a lookup must not run into its neighbours' rows.
    insert(journal, "lib-ab", "x1", Instant.parse("2026-12-02T00:00:00Z"));

    Map<String, Instant> latest = new ActivityStore(journal).lastBackups(Set.of("lib-a", "lib-b", "lib-c"));

    assertThat(latest).containsExactly(Map.entry("lib-a", LATEST));
  }

  @Test
  void aLibrarysLatestUploadIsReadFromItsIndexNotFromItsRows() throws SQLException {
    DataSource journal = emptyJournal();
    for (int i = 0; i < 50; i++) {
      insert(journal, "lib-a", "a" + i, i % 3 == 0 ? null : FIRST.plusSeconds(i));
    }
    assertReadsOneIndexEntry(journal);
  }

  private static void insert(DataSource journal, String libraryId, String assetId, Instant uploadedAt) throws SQLException {
    try (Connection connection = journal.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO activity_asset (library_id, asset_id, path, created_at, uploaded_at, bytes, state, "
                    + "offset_bytes, attempts, reasons, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, 0, 1, '', ?)")) {
      insert.setString(1, libraryId);
      insert.setString(2, assetId);
      insert.setString(3, assetId + ".jpg");
      insert.setTimestamp(4, Timestamp.from(FIRST));
      insert.setTimestamp(5, uploadedAt == null ? null : Timestamp.from(uploadedAt));
      insert.setString(6, uploadedAt == null ? "PAUSED" : "COMPLETED");
      insert.setTimestamp(7, Timestamp.from(FIRST));
      insert.executeUpdate();
    }
  }
}
