package dev.autoupload.app;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The changes {@code POST} and {@code DELETE /api/libraries} made to a cluster's libraries, in the
 * PostgreSQL database its nodes share (table {@code autoupload_cluster_library}): what {@code
 * libraries.json} is to a single process, with the same rule, that per id the API's word wins over
 * the config file. A row holds the library's whole definition (added) or none (removed). Every
 * node reads it whenever it needs the list, and a library's owner reads it when it opens the
 * library, on whichever node that is: so a library added on one node runs on any, and one
 * removed does not start again anywhere, also after a restart of every node.
 */
final class ClusterRegistry implements AutoCloseable {

  static final String TABLE = "autoupload_cluster_library";

  /** Read for every status request: a PostgreSQL connection a time would start a server process a time. */
  private final HikariDataSource pool;

  private ClusterRegistry(HikariDataSource pool) {
    this.pool = pool;
  }

  /**
   * Makes the table where it is missing, under the database's migration lock (the nodes start at
   * once, and PostgreSQL's catalog refuses two {@code CREATE TABLE IF NOT EXISTS} at once).
   *
   * @param database the journal's database, which the nodes share
   * @return the registry on it, which the caller closes
   * @throws RunFailure (exit 3) when the table cannot be made or the database reached
   */
  static ClusterRegistry open(JournalDatabase database) {
    try {
      database.underMigrationLock(
          () -> {
            try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
              statement.execute(
                  "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                      + "id VARCHAR(255) PRIMARY KEY, "
                      + "definition TEXT, "
                      + "changed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
            }
            return null;
          });
      return new ClusterRegistry(database.pool(2, "autoupload-cluster-libraries"));
    } catch (Exception e) {
      throw new RunFailure(
          Main.CANNOT_START, "cannot reach the table of the cluster's libraries in the journal database: " + e.getMessage(), e);
    }
  }

  /**
   * Every change, in the order they were made.
   *
   * @return per id, the definition added as JSON, or empty where the id was removed
   * @throws SQLException when the database cannot be read
   */
  Map<String, Optional<String>> changes() throws SQLException {
    Map<String, Optional<String>> changes = new LinkedHashMap<>();
    try (Connection connection = pool.getConnection();
        Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT id, definition FROM " + TABLE + " ORDER BY changed_at, id")) {
      while (rows.next()) {
        changes.put(rows.getString(1), Optional.ofNullable(rows.getString(2)));
      }
    }
    return changes;
  }

  /**
   * Records a library added, unless another node added one with that id meanwhile.
   *
   * @param id the library's id
   * @param definition its definition, as JSON
   * @return false when the id has a library added already
   * @throws SQLException when the database cannot be written
   */
  boolean add(String id, String definition) throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement upsert =
            connection.prepareStatement(
                "INSERT INTO " + TABLE + " (id, definition, changed_at) VALUES (?, ?, CURRENT_TIMESTAMP) "
                    + "ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, changed_at = EXCLUDED.changed_at "
                    + "WHERE " + TABLE + ".definition IS NULL")) {
      upsert.setString(1, id);
      upsert.setString(2, definition);
      return upsert.executeUpdate() == 1;
    }
  }

  /**
   * Records a library removed: it does not run from now on, whatever the config file says.
   *
   * @param id the library's id
   * @throws SQLException when the database cannot be written
   */
  void remove(String id) throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement upsert =
            connection.prepareStatement(
                "INSERT INTO " + TABLE + " (id, definition, changed_at) VALUES (?, NULL, CURRENT_TIMESTAMP) "
                    + "ON CONFLICT (id) DO UPDATE SET definition = NULL, changed_at = EXCLUDED.changed_at")) {
      upsert.setString(1, id);
      upsert.executeUpdate();
    }
  }

  /** Closes its connections. */
  @Override
  public void close() {
    pool.close();
  }
}
