package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.internal.library.LedgerTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
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
 *
 * <p>A whole ledger's rows (index 1 on) go to table {@code ledger_chunk} instead, {@link #BATCH}
 * consecutive rows to a {@link LedgerChunk}, keyed by the index of its first: a million assets are
 * 200 rows there instead of a million here, which H2 reads at 2.5 to 3 µs each. Rows a build before
 * the chunks wrote stay in {@code ledger_row} and are read in their place among the chunks.
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

  /** Migration 11: a whole ledger's rows, {@link #BATCH} consecutive ones to a row. */
  public static final List<String> CHUNK_SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS ledger_chunk ("
              + "persistence_id VARCHAR(255) NOT NULL, "
              + "seq_nr BIGINT NOT NULL, "
              + "first_idx INT NOT NULL, "
              + "row_count INT NOT NULL, "
              + "body BYTEA NOT NULL, "
              + "PRIMARY KEY (persistence_id, seq_nr, first_idx))");

  /**
   * Rows sent and committed together, and a whole ledger's rows to a chunk: a whole ledger of a
   * million assets is a million rows, about 90 bytes each in a chunk.
   */
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

  /**
   * Both tables at once, merged in the order of their keys: two results streamed side by side on
   * one connection, in one transaction, so they see the same state.
   */
  @Override
  public void load(String persistenceId, Reader reader) {
    try (Connection connection = dataSource.getConnection()) {
      // PostgreSQL streams a result only inside a transaction; else it holds all rows at once.
      // H2 streams one only when told to; else it writes a million rows to a temporary file
      // first, which doubled the read (2,000,000 rows: 11.8 s against 5.6 s). And the primary
      // key's columns in full: H2 reads in the key's order only then, else it sorts them there.
      connection.setAutoCommit(false);
      reader.expect(latestWholeLedgerRows(connection, persistenceId));
      streamH2(connection, true);
      try (PreparedStatement rowQuery =
              connection.prepareStatement(
                  "SELECT seq_nr, idx, asset_id, version, sha256, content_size, path_fingerprint FROM ledger_row "
                      + "WHERE persistence_id = ? ORDER BY persistence_id, seq_nr, idx");
          PreparedStatement chunkQuery =
              connection.prepareStatement(
                  "SELECT seq_nr, first_idx, row_count, body FROM ledger_chunk "
                      + "WHERE persistence_id = ? ORDER BY persistence_id, seq_nr, first_idx")) {
        rowQuery.setFetchSize(BATCH);
        rowQuery.setString(1, persistenceId);
        // A chunk is a few hundred kilobytes: a few at a time.
        chunkQuery.setFetchSize(4);
        chunkQuery.setString(1, persistenceId);
        try (ResultSet rows = rowQuery.executeQuery();
            ResultSet chunks = chunkQuery.executeQuery()) {
          boolean row = rows.next();
          boolean chunk = chunks.next();
          while (row || chunk) {
            if (chunk
                && (!row
                    || chunks.getLong(1) < rows.getLong(1)
                    || (chunks.getLong(1) == rows.getLong(1) && chunks.getInt(2) <= rows.getInt(2)))) {
              LedgerChunk.decode(chunks.getBytes(4), chunks.getInt(3), reader);
              chunk = chunks.next();
            } else {
              readRow(rows, reader);
              row = rows.next();
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

  /**
   * The rows of the library's latest whole ledger held in chunks (the last chunk's end; 0 for
   * none): one row, read from the end of the primary key (H2 reads that chunk's value with it,
   * a few hundred kilobytes, rather than every chunk as a {@code MAX} would).
   */
  private static int latestWholeLedgerRows(Connection connection, String persistenceId) throws SQLException {
    try (PreparedStatement last =
        connection.prepareStatement(
            "SELECT first_idx + row_count - 1 FROM ledger_chunk WHERE persistence_id = ? "
                + "ORDER BY persistence_id DESC, seq_nr DESC, first_idx DESC FETCH FIRST 1 ROWS ONLY")) {
      last.setString(1, persistenceId);
      return firstOrZero(last);
    }
  }

  private static void readRow(ResultSet result, Reader reader) throws SQLException {
    String assetId = result.getString(3);
    if (assetId != null) {
      reader.version(assetId, result.getLong(4));
    }
    String sha256 = result.getString(5);
    if (sha256 != null) {
      reader.content(sha256);
    }
    long size = result.getLong(6);
    if (!result.wasNull()) {
      reader.size(size);
    }
    String path = result.getString(7);
    if (path != null) {
      reader.path(path);
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
   * ledger would hold its locks for minutes. A whole ledger's rows are gathered into chunks, each
   * ending with its commit or at a gap in the indexes, so a write that goes on from
   * {@link #rowsAt} starts a chunk where the last one ended.
   */
  @Override
  public void write(String persistenceId, Iterable<Row> rows) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement events = connection.prepareStatement(insertSkippingKnown());
          PreparedStatement chunks = connection.prepareStatement(insertChunkSkippingKnown())) {
        List<Row> chunk = new ArrayList<>();
        int batched = 0;
        for (Row row : rows) {
          if (row.index() == 0) {
            insertChunk(chunks, persistenceId, chunk);
            bindEvent(events, persistenceId, row);
            events.addBatch();
            if (++batched == BATCH) {
              events.executeBatch();
              connection.commit();
              batched = 0;
            }
            continue;
          }
          Row last = chunk.isEmpty() ? null : chunk.get(chunk.size() - 1);
          if (last != null && (last.seqNr() != row.seqNr() || last.index() + 1 != row.index())) {
            insertChunk(chunks, persistenceId, chunk);
          }
          chunk.add(row);
          if (chunk.size() == BATCH) {
            events.executeBatch();
            batched = 0;
            insertChunk(chunks, persistenceId, chunk);
            connection.commit();
          }
        }
        events.executeBatch();
        insertChunk(chunks, persistenceId, chunk);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the ledger table: " + e.getMessage(), e);
    }
  }

  private static void bindEvent(PreparedStatement insert, String persistenceId, Row row) throws SQLException {
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
  }

  /** Inserts the gathered rows as one chunk, unless there are none, and empties the list. */
  private static void insertChunk(PreparedStatement insert, String persistenceId, List<Row> chunk)
      throws SQLException {
    if (chunk.isEmpty()) {
      return;
    }
    insert.setString(1, persistenceId);
    insert.setLong(2, chunk.get(0).seqNr());
    insert.setInt(3, chunk.get(0).index());
    insert.setInt(4, chunk.size());
    insert.setBytes(5, LedgerChunk.encode(chunk));
    insert.executeUpdate();
    chunk.clear();
  }

  /**
   * The last index of the whole ledger's rows at {@code seqNr}: they are written in order and
   * committed as prefixes, so every index up to it is there, in a chunk or (written by a build
   * before the chunks) as a row. The last in the primary key's order rather than a {@code MAX},
   * which H2 computes by reading every row under the condition, the chunks' values with them.
   */
  @Override
  public int rowsAt(String persistenceId, long seqNr) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement inChunks =
            connection.prepareStatement(
                "SELECT first_idx + row_count - 1 FROM ledger_chunk WHERE persistence_id = ? AND seq_nr = ? "
                    + "ORDER BY persistence_id DESC, seq_nr DESC, first_idx DESC FETCH FIRST 1 ROWS ONLY");
        PreparedStatement asRows =
            connection.prepareStatement(
                "SELECT idx FROM ledger_row WHERE persistence_id = ? AND seq_nr = ? "
                    + "ORDER BY persistence_id DESC, seq_nr DESC, idx DESC FETCH FIRST 1 ROWS ONLY")) {
      return Math.max(last(inChunks, persistenceId, seqNr), last(asRows, persistenceId, seqNr));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger table: " + e.getMessage(), e);
    }
  }

  @Override
  public long eventsThrough(String persistenceId) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement last =
            connection.prepareStatement(
                "SELECT seq_nr FROM ledger_row WHERE persistence_id = ? AND idx = 0 "
                    + "ORDER BY persistence_id DESC, seq_nr DESC, idx DESC FETCH FIRST 1 ROWS ONLY")) {
      last.setString(1, persistenceId);
      try (ResultSet result = last.executeQuery()) {
        return result.next() ? result.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger table: " + e.getMessage(), e);
    }
  }

  private static int last(PreparedStatement query, String persistenceId, long seqNr) throws SQLException {
    query.setString(1, persistenceId);
    query.setLong(2, seqNr);
    return firstOrZero(query);
  }

  /** The first column of the query's first row, 0 when it finds none. */
  private static int firstOrZero(PreparedStatement query) throws SQLException {
    try (ResultSet result = query.executeQuery()) {
      return result.next() ? result.getInt(1) : 0;
    }
  }

  /**
   * A batch at a time, each its own commit: a whole ledger superseded is a million rows, and one
   * transaction of them would hold its locks, and H2 its undo log, for as long.
   */
  @Override
  public long dropSupersededBy(String persistenceId, long seqNr) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(deleteSuperseded());
        PreparedStatement chunks =
            connection.prepareStatement(
                "SELECT seq_nr, first_idx, row_count FROM ledger_chunk WHERE persistence_id = ? AND seq_nr < ?");
        PreparedStatement deleteChunk =
            connection.prepareStatement(
                "DELETE FROM ledger_chunk WHERE persistence_id = ? AND seq_nr = ? AND first_idx = ?")) {
      long deleted = 0;
      // A chunk at a time: a few hundred of them for a million assets, each a few hundred kilobytes.
      chunks.setString(1, persistenceId);
      chunks.setLong(2, seqNr);
      List<long[]> superseded = new ArrayList<>();
      try (ResultSet result = chunks.executeQuery()) {
        while (result.next()) {
          superseded.add(new long[] {result.getLong(1), result.getInt(2), result.getInt(3)});
        }
      }
      for (long[] chunk : superseded) {
        deleteChunk.setString(1, persistenceId);
        deleteChunk.setLong(2, chunk[0]);
        deleteChunk.setInt(3, (int) chunk[1]);
        deleted += deleteChunk.executeUpdate() * chunk[2];
      }
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

  private String insertChunkSkippingKnown() {
    return switch (dialect) {
      case H2 ->
          "MERGE INTO ledger_chunk t USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS BIGINT), CAST(? AS INT), "
              + "CAST(? AS INT), CAST(? AS BYTEA))) s(persistence_id, seq_nr, first_idx, row_count, body) "
              + "ON t.persistence_id = s.persistence_id AND t.seq_nr = s.seq_nr AND t.first_idx = s.first_idx "
              + "WHEN NOT MATCHED THEN INSERT (persistence_id, seq_nr, first_idx, row_count, body) "
              + "VALUES (s.persistence_id, s.seq_nr, s.first_idx, s.row_count, s.body)";
      case POSTGRES ->
          "INSERT INTO ledger_chunk (persistence_id, seq_nr, first_idx, row_count, body) VALUES (?, ?, ?, ?, ?) "
              + "ON CONFLICT DO NOTHING";
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
