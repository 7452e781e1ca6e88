package dev.autoupload.it;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server whose tables the engine's own migration made, and a pool on it, for a
 * test class that runs a contract of the engine's SQL on PostgreSQL as well as on H2: registered
 * as a static {@code @RegisterExtension} field, started before the class's tests and stopped after.
 */
final class MigratedPostgres implements BeforeAllCallback, AfterAllCallback {

  private PostgresServer server;
  private HikariDataSource pool;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = PostgresServer.start();
    JournalDatabase journal =
        JournalDatabase.of(server.jdbcUrl(), server.user(), "", Files.createTempDirectory("migrated-pg"));
    journal.migrate();
    pool = journal.pool(2);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (pool != null) {
      pool.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The pool, with {@code tables} emptied first, as a test starts. */
  HikariDataSource emptied(String tables) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("TRUNCATE " + tables);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return pool;
  }
}
