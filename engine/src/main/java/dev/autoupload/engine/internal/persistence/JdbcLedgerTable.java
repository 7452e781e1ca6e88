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
 * library's ledger, each kind keyed by its entry. Written with batched statements any database of
 * the journal runs, H2 or PostgreSQL, in one transaction per write.
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

  @Override
  public void write(String libraryId, Iterable<Row> rows, long through) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement update =
              connection.prepareStatement(
                  "UPDATE ledger_entry SET version = ?, seq_nr = ? "
                      + "WHERE library_id = ? AND kind = ? AND entry = ? AND seq_nr < ?");
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO ledger_entry (library_id, kind, entry, version, seq_nr) SELECT ?, ?, ?, ?, ? "
                      + "WHERE NOT EXISTS (SELECT 1 FROM ledger_entry WHERE library_id = ? AND kind = ? AND entry = ?)")) {
        int batched = 0;
        for (Row row : rows) {
          String kind = code(row.kind());
          if (row.kind() == Kind.VERSION) {
            update.setLong(1, row.version());
            update.setLong(2, through);
            update.setString(3, libraryId);
            update.setString(4, kind);
            update.setString(5, row.entry());
            update.setLong(6, through);
            update.addBatch();
          }
          insert.setString(1, libraryId);
          insert.setString(2, kind);
          insert.setString(3, row.entry());
          insert.setLong(4, row.version());
          insert.setLong(5, through);
          insert.setString(6, libraryId);
          insert.setString(7, kind);
          insert.setString(8, row.entry());
          insert.addBatch();
          if (++batched % BATCH == 0) {
            update.executeBatch();
            insert.executeBatch();
          }
        }
        update.executeBatch();
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
