package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.library.LedgerTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The ledger table in the journal's database (table {@code ledger_entry}): one row per fact of a
 * library's ledger, each kind keyed by its entry. Written with batched upserts, in the dialect of
 * the journal's database: H2's {@code MERGE}, PostgreSQL's {@code ON CONFLICT}.
 */
public final class JdbcLedgerTable implements LedgerTable {

  /**
   * Migration 9. {@code kind} is {@code v}, {@code c}, {@code p} or {@code s} ({@link Kind}); {@code
   * seq_nr} the last event the row's batch reflects, so a version is replaced only by a later one.
   */
  public static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS ledger_entry ("
              + "library_id VARCHAR(100) NOT NULL, "
              + "kind CHAR(1) NOT NULL, "
              + "entry VARCHAR(1000) NOT NULL, "
              + "version BIGINT NOT NULL, "
              + "seq_nr BIGINT NOT NULL, "
              + "PRIMARY KEY (library_id, kind, entry))");

  /** Rows sent to the database together; a whole ledger of a million assets is some three million. */
  private static final int BATCH = 5000;

  private final DataSource dataSource;

  /**
   * A table in the database the migration made it in.
   *
   * @param dataSource a pool on the journal database
   */
  public JdbcLedgerTable(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void load(String libraryId, Consumer<Row> rows) {
    try (Connection connection = dataSource.getConnection()) {
      // PostgreSQL streams a result only inside a transaction; else it holds all rows at once.
      connection.setAutoCommit(false);
      try (PreparedStatement query =
          connection.prepareStatement("SELECT kind, entry, version FROM ledger_entry WHERE library_id = ?")) {
        query.setFetchSize(BATCH);
        query.setString(1, libraryId);
        try (ResultSet result = query.executeQuery()) {
          while (result.next()) {
            rows.accept(new Row(kind(result.getString(1)), result.getString(2), result.getLong(3)));
          }
        }
      } finally {
        connection.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the ledger table: " + e.getMessage(), e);
    }
  }

  /**
   * Commits every {@link #BATCH} rows rather than once: the rows are facts of committed events, so
   * a write cut short leaves the table right, only not yet through {@code through}; and a single
   * transaction of a whole ledger bloats H2's file and holds its locks for minutes.
   */
  @Override
  public void write(String libraryId, Iterable<Row> rows, long through) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      boolean h2 = connection.getMetaData().getDatabaseProductName().equals("H2");
      try (PreparedStatement upsert = connection.prepareStatement(h2 ? H2_UPSERT : POSTGRES_UPSERT)) {
        int batched = 0;
        for (Row row : rows) {
          upsert.setString(1, libraryId);
          upsert.setString(2, code(row.kind()));
          upsert.setString(3, row.entry());
          upsert.setLong(4, row.version());
          upsert.setLong(5, through);
          upsert.addBatch();
          if (++batched % BATCH == 0) {
            upsert.executeBatch();
            connection.commit();
          }
        }
        upsert.executeBatch();
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the ledger table: " + e.getMessage(), e);
    }
  }

  /** A row added, or its version replaced when written through a later event. */
  private static final String H2_UPSERT =
      "MERGE INTO ledger_entry t USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS CHAR(1)), "
          + "CAST(? AS VARCHAR(1000)), CAST(? AS BIGINT), CAST(? AS BIGINT))) s(library_id, kind, entry, version, seq_nr) "
          + "ON t.library_id = s.library_id AND t.kind = s.kind AND t.entry = s.entry "
          + "WHEN MATCHED AND t.seq_nr < s.seq_nr THEN UPDATE SET version = s.version, seq_nr = s.seq_nr "
          + "WHEN NOT MATCHED THEN INSERT (library_id, kind, entry, version, seq_nr) "
          + "VALUES (s.library_id, s.kind, s.entry, s.version, s.seq_nr)";

  private static final String POSTGRES_UPSERT =
      "INSERT INTO ledger_entry (library_id, kind, entry, version, seq_nr) VALUES (?, ?, ?, ?, ?) "
          + "ON CONFLICT (library_id, kind, entry) DO UPDATE SET version = EXCLUDED.version, seq_nr = EXCLUDED.seq_nr "
          + "WHERE ledger_entry.seq_nr < EXCLUDED.seq_nr";

  private static String code(Kind kind) {
    return switch (kind) {
      case VERSION -> "v";
      case CONTENT -> "c";
      case PATH -> "p";
      case SIZE -> "s";
    };
  }

  private static Kind kind(String code) {
    return switch (code) {
      case "v" -> Kind.VERSION;
      case "c" -> Kind.CONTENT;
      case "p" -> Kind.PATH;
      case "s" -> Kind.SIZE;
      default -> throw new IllegalStateException("unknown kind of ledger row: " + code);
    };
  }
}
