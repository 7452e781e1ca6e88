package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.internal.library.LedgerTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;

/**
 * The ledger table in the journal's database (table {@code ledger_row}): insert-only, a row per
 * asset version backed up, keyed by the event's sequence number, so rows arrive in the order of
 * the primary key. Rows that are already there are left as they are, in the dialect of the
 * journal's database: H2's {@code MERGE … WHEN NOT MATCHED}, PostgreSQL's {@code ON CONFLICT DO
 * NOTHING}.
 *
 * <p>Why in key order: H2's MVStore writes every page a commit changed to a new place in the file.
 * Keyed upserts in hash order (the first form of this table) changed pages all over the tree in
 * every commit of 5000 rows: 300,000 rows made a file of 759 MB (856 MB as plain inserts in that
 * order), against 37 MB sorted, and 20 MB as these rows (100,000 of them; 2026-12-04).
 */
public final class JdbcLedgerTable implements LedgerTable {

  /** Migration 9. {@code idx} is 0 for an event's row; a whole ledger's rows are numbered from 1. */
  public static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS ledger_row ("
              + "persistence_id VARCHAR(255) NOT NULL, "
              + "seq_nr BIGINT NOT NULL, "
              + "idx INT NOT NULL, "
              + "asset_id VARCHAR(1000), "
              + "version BIGINT, "
              + "sha256 VARCHAR(64), "
              + "content_size BIGINT, "
              + "path_fingerprint VARCHAR(16), "
              + "PRIMARY KEY (persistence_id, seq_nr, idx))");

  /** Rows sent and committed together: a whole ledger of a million assets is a million rows. */
  static final int BATCH = 5000;

  private static final String COLUMNS =
      "persistence_id, seq_nr, idx, asset_id, version, sha256, content_size, path_fingerprint";

  private final DataSource dataSource;
  private final JournalDatabase.Dialect dialect;

  /**
   * A table in the database the migration made it in.
   *
   * @param dataSource a pool on the journal database
   * @param dialect that database's
   */
  public JdbcLedgerTable(DataSource dataSource, JournalDatabase.Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  @Override
  public void load(String persistenceId, Reader reader) {
    try (Connection connection = dataSource.getConnection()) {
      // PostgreSQL streams a result only inside a transaction; else it holds all rows at once.
      // H2 streams one only when told to; else it writes a million rows to a temporary file
      // first, which doubled the read (2,000,000 rows: 11.8 s against 5.6 s). And the primary
      // key's columns in full: H2 reads in the key's order only then, else it sorts them there.
      connection.setAutoCommit(false);
      streamH2(connection, true);
      try (PreparedStatement query =
          connection.prepareStatement(
              "SELECT asset_id, version, sha256, content_size, path_fingerprint FROM ledger_row "
                  + "WHERE persistence_id = ? ORDER BY persistence_id, seq_nr, idx")) {
        query.setFetchSize(BATCH);
        query.setString(1, persistenceId);
        try (ResultSet result = query.executeQuery()) {
          while (result.next()) {
            String assetId = result.getString(1);
            if (assetId != null) {
              reader.version(assetId, result.getLong(2));
            }
            String sha256 = result.getString(3);
            if (sha256 != null) {
              reader.content(sha256);
            }
            long size = result.getLong(4);
            if (!result.wasNull()) {
              reader.size(size);
            }
            String path = result.getString(5);
            if (path != null) {
              reader.path(path);
            }
          }
        }
      } finally {
        connection.rollback();
        streamH2(connection, false);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger table: " + e.getMessage(), e);
    }
  }

  /** Whether H2 streams this connection's results; a setting of the connection, which the pool reuses. */
  private void streamH2(Connection connection, boolean stream) throws SQLException {
    if (dialect == JournalDatabase.Dialect.H2) {
      try (Statement set = connection.createStatement()) {
        set.execute("SET LAZY_QUERY_EXECUTION " + stream);
      }
    }
  }

  /**
   * Commits every {@link #BATCH} rows rather than once: the rows are facts of committed events,
   * written in key order, so a write cut short leaves a prefix; and one transaction of a whole
   * ledger would hold its locks for minutes.
   */
  @Override
  public void write(String persistenceId, Iterable<Row> rows) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(insertSkippingKnown())) {
        int batched = 0;
        for (Row row : rows) {
          insert.setString(1, persistenceId);
          insert.setLong(2, row.seqNr());
          insert.setInt(3, row.index());
          if (row.asset().isPresent()) {
            insert.setString(4, row.asset().get().assetId());
            insert.setLong(5, row.asset().get().version());
          } else {
            insert.setNull(4, Types.VARCHAR);
            insert.setNull(5, Types.BIGINT);
          }
          insert.setString(6, row.sha256().orElse(null));
          if (row.size().isPresent()) {
            insert.setLong(7, row.size().getAsLong());
          } else {
            insert.setNull(7, Types.BIGINT);
          }
          insert.setString(8, row.pathFingerprint().orElse(null));
          insert.addBatch();
          if (++batched % BATCH == 0) {
            insert.executeBatch();
            connection.commit();
          }
        }
        insert.executeBatch();
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the ledger table: " + e.getMessage(), e);
    }
  }

  @Override
  public int rowsAt(String persistenceId, long seqNr) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM ledger_row WHERE persistence_id = ? AND seq_nr = ? AND idx > 0")) {
      query.setString(1, persistenceId);
      query.setLong(2, seqNr);
      try (ResultSet result = query.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger table: " + e.getMessage(), e);
    }
  }

  /**
   * A batch at a time, each its own commit: a whole ledger superseded is a million rows, and one
   * transaction of them would hold its locks, and H2 its undo log, for as long.
   */
  @Override
  public long dropSupersededBy(String persistenceId, long seqNr) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(deleteSuperseded())) {
      long deleted = 0;
      int batch;
      do {
        delete.setString(1, persistenceId);
        delete.setLong(2, seqNr);
        delete.setLong(3, seqNr);
        batch = delete.executeUpdate();
        deleted += batch;
      } while (batch == BATCH);
      return deleted;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the ledger table: " + e.getMessage(), e);
    }
  }

  private String deleteSuperseded() {
    String superseded = "persistence_id = ? AND (seq_nr < ? OR (seq_nr = ? AND idx = 0))";
    return switch (dialect) {
      case H2 -> "DELETE FROM ledger_row WHERE " + superseded + " FETCH FIRST " + BATCH + " ROWS ONLY";
      case POSTGRES ->
          "DELETE FROM ledger_row WHERE ctid = ANY (ARRAY(SELECT ctid FROM ledger_row WHERE " + superseded
              + " LIMIT " + BATCH + "))";
    };
  }

  private String insertSkippingKnown() {
    return switch (dialect) {
      case H2 ->
          "MERGE INTO ledger_row t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS BIGINT), CAST(? AS INT), "
              + "CAST(? AS VARCHAR(1000)), CAST(? AS BIGINT), CAST(? AS VARCHAR(64)), CAST(? AS BIGINT), "
              + "CAST(? AS VARCHAR(16)))) s(" + COLUMNS + ") "
              + "ON t.persistence_id = s.persistence_id AND t.seq_nr = s.seq_nr AND t.idx = s.idx "
              + "WHEN NOT MATCHED THEN INSERT (" + COLUMNS + ") VALUES (s.persistence_id, s.seq_nr, s.idx, "
              + "s.asset_id, s.version, s.sha256, s.content_size, s.path_fingerprint)";
      case POSTGRES -> "INSERT INTO ledger_row (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    };
  }
}
