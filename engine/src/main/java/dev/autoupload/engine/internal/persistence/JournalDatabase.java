package dev.autoupload.engine.internal.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.EngineStartException;
import dev.autoupload.engine.freespace.FreedLog;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import dev.autoupload.engine.internal.activity.ActivityStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The journal database: which one (embedded H2 or PostgreSQL), how Pekko reaches it, and the
 * start-up migration that creates its tables.
 *
 * <p>The migration creates the journal's tables ({@link JournalStore}) and the engine's own,
 * recording what it applied in {@code autoupload_schema_version}. It fails loudly: a half-created
 * schema must stop the engine, not surface later as a missing table.
 */
public record JournalDatabase(Dialect dialect, String url, String user, String password) {

  /** The key of the PostgreSQL advisory lock migrations hold: "autoupld" in ASCII. */
  private static final long MIGRATION_LOCK = 0x6175746f75706c64L;

  private static final Duration MIGRATION_LOCK_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration MIGRATION_LOCK_RETRY = Duration.ofMillis(200);

  /** Below this share of live data in the file (per cent), closing compacts the H2 file whole. */
  static final int COMPACT_BELOW_FILL_RATE = 50;

  /** Event payloads up to this size stay in their journal row on H2 (see {@link #of}). */
  static final int INPLACE_PAYLOAD_BYTES = 4096;

  /** {@code autoupload.journal.embedded-cache}'s default in reference.conf. */
  static final long DEFAULT_EMBEDDED_CACHE_BYTES = 2L << 20;

  /** Smaller H2 files are never compacted: rewriting them would cost more than it frees. */
  static final long COMPACT_FROM_BYTES = 8L << 20;

  /** The databases the journal runs on, with the journal tables' DDL for each. */
  public enum Dialect {
    /** H2, embedded in the data folder or at a {@code jdbc:h2:} URL; the default. */
    H2("dev/autoupload/engine/journal/h2-schema.sql", "org.h2.Driver", "h2-dialect"),
    /** PostgreSQL at a {@code jdbc:postgresql:} URL; its driver is the host app's to add. */
    POSTGRES("dev/autoupload/engine/journal/postgres-schema.sql", "org.postgresql.Driver", "postgres-dialect");

    final String schemaResource;
    final String driver;
    final String projectionDialect;

    Dialect(String schemaResource, String driver, String projectionDialect) {
      this.schemaResource = schemaResource;
      this.driver = driver;
      this.projectionDialect = projectionDialect;
    }
  }

  /**
   * Migration 10: the number of Activity slices the upload events are tagged for ({@link
   * ActivitySlices}), one row once fixed. A journal that already holds events was written with
   * the one tag of before, so it is fixed at one slice here; a new one is fixed by its first engine.
   */
  private static final List<String> ACTIVITY_SLICES_SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS autoupload_activity_slices (slices INTEGER NOT NULL)",
          "INSERT INTO autoupload_activity_slices (slices) SELECT 1 FROM event_journal LIMIT 1");

  /**
   * Migration 12 on H2: the journal's schema, as pekko-persistence-jdbc laid it out, indexes {@code
   * ordering} twice, by the column's unique constraint and by {@code event_journal_ordering_idx};
   * every event written updated both B-trees, and the file kept both. The second goes, unless it
   * is the one the constraint uses (as in a journal a SQL script re-created) or there is no such
   * constraint. PostgreSQL's schema has no constraint on the column: there the index is its only
   * one and stays.
   */
  private static final String ORDERING_INDEXED_BY_ITS_CONSTRAINT =
      "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS c"
          + " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k"
          + " ON k.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = c.CONSTRAINT_NAME"
          + " WHERE c.TABLE_SCHEMA = 'PUBLIC' AND c.TABLE_NAME = 'event_journal' AND c.CONSTRAINT_TYPE = 'UNIQUE'"
          + " AND k.COLUMN_NAME = 'ordering' AND c.INDEX_NAME <> 'event_journal_ordering_idx'"
          + " AND (SELECT COUNT(*) FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE o"
          + " WHERE o.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND o.CONSTRAINT_NAME = c.CONSTRAINT_NAME) = 1";

  /** A numbered step of the schema; applied once, in order, recorded in autoupload_schema_version. */
  private record Migration(int version, String description, Statements statements) {
    Migration(int version, String description, List<String> statements) {
      this(version, description, connection -> statements);
    }
  }

  /** A migration's statements, which may depend on what the database holds. */
  @FunctionalInterface
  private interface Statements {
    List<String> on(Connection connection) throws SQLException;
  }

  /**
   * An empty {@code url} means the embedded H2 file database inside {@code dataDir}. H2's own
   * close-on-exit hook is off: the engine closes the pool after its last write. {@code
   * WRITE_DELAY=0} makes every commit reach the file before it returns: with H2's default (a
   * background write up to a second later) a process killed right after a commit loses it, and
   * a fresh database can lose its tables altogether. {@code TRACE_LEVEL_FILE=0}: H2 would write its
   * errors to a {@code journal.trace.db} created with the umask's mode; they reach the log anyway.
   * {@code MAX_COMPACT_TIME=0}: no compaction each time it closes (see {@link #shutDownEmbedded()}).
   * {@code MAX_LENGTH_INPLACE_LOB}: an event's payload (a BLOB, as pekko-persistence-jdbc laid the
   * table out) stays in its row up to 4 KiB; at H2's default of 256 bytes every UploadStarted
   * (about 280) went to H2's separate LOB store, three more trees written at each commit: a
   * third of the journal's bytes written per upload (measured: 60 KB instead of 90). {@code
   * CACHE_SIZE}: {@code autoupload.journal.embedded-cache}; H2 counts it in whole MiB.
   *
   * @param url {@code autoupload.journal.url}: empty, {@code jdbc:h2:…} or {@code jdbc:postgresql:…}
   * @param user the database user
   * @param password the database user's password
   * @param dataDir the engine's data folder, where the embedded database lives
   * @param embeddedCacheBytes the embedded database's page cache (at least 1 MiB; H2 rounds down)
   * @return the database, not yet opened
   * @throws EngineStartException for a URL of another database
   */
  public static JournalDatabase of(String url, String user, String password, Path dataDir, long embeddedCacheBytes) {
    if (embeddedCacheBytes < 1 << 20) {
      throw new IllegalArgumentException(
          "autoupload.journal.embedded-cache must be at least 1 MiB, not " + embeddedCacheBytes + " bytes");
    }
    if (url == null || url.isBlank()) {
      String file = dataDir.resolve("journal").toAbsolutePath().toString();
      return new JournalDatabase(
          Dialect.H2,
          "jdbc:h2:file:" + file
              + ";DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0;MAX_COMPACT_TIME=0"
              + ";MAX_LENGTH_INPLACE_LOB=" + INPLACE_PAYLOAD_BYTES
              + ";CACHE_SIZE=" + Math.min(embeddedCacheBytes >> 10, Integer.MAX_VALUE),
          user,
          password);
    }
    if (url.startsWith("jdbc:h2:")) {
      return new JournalDatabase(Dialect.H2, url, user, password);
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return new JournalDatabase(Dialect.POSTGRES, url, user, password);
    }
    throw new EngineStartException(
        "unsupported journal URL " + url + ": use jdbc:h2:… or jdbc:postgresql:…");
  }

  /**
   * {@link #of(String, String, String, Path, long)} with the default page cache of {@code
   * reference.conf}, for tools and tests that open a journal without the engine's settings.
   *
   * @param url {@code autoupload.journal.url}: empty, {@code jdbc:h2:…} or {@code jdbc:postgresql:…}
   * @param user the database user
   * @param password the database user's password
   * @param dataDir the engine's data folder, where the embedded database lives
   * @return the database, not yet opened
   */
  public static JournalDatabase of(String url, String user, String password, Path dataDir) {
    return of(url, user, password, dataDir, DEFAULT_EMBEDDED_CACHE_BYTES);
  }

  /**
   * The Pekko settings that size the journal's and the Activity projection's JDBC threads for this
   * database (the journal plugin itself gets its pool through {@link JournalSetup}).
   *
   * @param maxConnections the size of each pool on the database, and so of the threads that use one
   * @return configuration paths and values, to lay over the engine's configuration
   */
  public Map<String, Object> pekkoSettings(int maxConnections) {
    return Map.of(
        "autoupload-journal-dispatcher.thread-pool-executor.fixed-pool-size", maxConnections,
        "pekko.projection.jdbc.dialect", dialect.projectionDialect,
        "pekko.projection.jdbc.blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size", maxConnections);
  }

  /**
   * A connection pool on this database, for the Activity read model.
   *
   * @param maxConnections the pool's size
   * @return the pool, which the caller closes
   */
  public HikariDataSource pool(int maxConnections) {
    return pool(maxConnections, "autoupload-activity");
  }

  /**
   * A connection pool on this database.
   *
   * @param maxConnections the pool's size
   * @param name the pool's name, which its threads and log lines carry
   * @return the pool, which the caller closes
   */
  public HikariDataSource pool(int maxConnections, String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setDriverClassName(dialect.driver);
    config.setMaximumPoolSize(maxConnections);
    config.setMinimumIdle(1);
    config.setPoolName(name);
    return new HikariDataSource(config);
  }

  /**
   * A connection outside any pool, for the migration and {@link #shutDownEmbedded()}.
   *
   * @return the connection, which the caller closes
   * @throws SQLException when the database cannot be reached
   */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  private List<Migration> migrations() {
    return List.of(
        new Migration(1, "journal tables " + dialect.schemaResource, statements(dialect.schemaResource)),
        new Migration(2, "Activity read model", ActivityStore.SCHEMA),
        new Migration(3, "content hash cache", JdbcContentHashCache.SCHEMA),
        new Migration(4, "live photo pairs in the Activity read model", ActivityStore.LIVE_PHOTO_SCHEMA),
        new Migration(5, "conflict notes in the Activity read model", ActivityStore.NOTE_SCHEMA),
        new Migration(6, "content hash cache keyed by asset version", JdbcContentHashCache.VERSIONED_SCHEMA),
        new Migration(7, "content sha256 in the Activity read model", ActivityStore.SHA256_SCHEMA),
        new Migration(8, "originals moved or deleted after their backup was proven", FreedLog.SCHEMA),
        new Migration(9, "the libraries' ledgers, beside their snapshots", JdbcLedgerTable.SCHEMA),
        new Migration(10, "the journal's number of Activity slices", ACTIVITY_SLICES_SCHEMA),
        new Migration(11, "whole ledgers in chunks", JdbcLedgerTable.CHUNK_SCHEMA),
        new Migration(12, "one index on the journal's ordering, not two", this::withoutSecondOrderingIndex),
        new Migration(13, "each library's latest upload by index", ActivityStore.LIBRARY_UPLOADED_SCHEMA));
  }

  private List<String> withoutSecondOrderingIndex(Connection connection) throws SQLException {
    if (dialect != Dialect.H2) {
      return List.of();
    }
    try (Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery(ORDERING_INDEXED_BY_ITS_CONSTRAINT)) {
      boolean constraintHasItsOwn = rows.next() && rows.getInt(1) > 0;
      return constraintHasItsOwn ? List.of("DROP INDEX IF EXISTS \"event_journal_ordering_idx\"") : List.of();
    }
  }

  /**
   * Closes the embedded database for good once the engine has stopped: a write the journal plugin
   * had in flight when the actors stopped may hold an open transaction on a connection its pool
   * has not yet given back, and its row locks would make the next engine in this process wait and
   * fail on that row. H2's {@code SHUTDOWN} ends every connection and rolls such a transaction
   * back. A journal on a server (PostgreSQL) ends its sessions itself when the pools close. The
   * file is compacted whole ({@code SHUTDOWN COMPACT}) when less than half of it is live data.
   *
   * @throws SQLException when the database cannot be reached or refuses {@code SHUTDOWN}
   */
  public void shutDownEmbedded() throws SQLException {
    if (dialect != Dialect.H2) {
      return;
    }
    Optional<Path> file = file();
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      if (!wasteful(statement, file)) {
        statement.execute("SHUTDOWN");
        return;
      }
      // Compacting writes a new file in the old one's place, with the umask's mode: give it the
      // old one's (the data dir's files are their owner's alone).
      Optional<Set<PosixFilePermission>> mode = file.flatMap(JournalDatabase::permissions);
      statement.execute("SHUTDOWN COMPACT");
      if (file.isPresent() && mode.isPresent()) {
        try {
          Files.setPosixFilePermissions(file.get(), mode.get());
        } catch (IOException e) {
          throw new SQLException("cannot keep the journal's file private after compacting it: " + e.getMessage(), e);
        }
      }
    }
  }

  private static Optional<Set<PosixFilePermission>> permissions(Path file) {
    try {
      return Optional.of(Files.getPosixFilePermissions(file));
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether less than {@link #COMPACT_BELOW_FILL_RATE} per cent of the file is live data, in a
   * file of at least {@link #COMPACT_FROM_BYTES} (a young journal's file is mostly its tables'
   * first chunks, and small). The live share is the part of the file its chunks take (the rest is
   * free space {@link EmbeddedJournalCompaction} made for H2 to reuse) times the live part of
   * those chunks.
   * The embedded database is opened with {@code MAX_COMPACT_TIME=0}: by default H2 spends up to
   * 200 ms (measured: 0.7 to 9 s on a loaded machine) moving chunks each time the database closes,
   * which was most of a short run's time; instead the whole file is compacted once it is mostly
   * dead chunks and free space. A database opened at another URL keeps its own setting and is
   * compacted the same.
   */
  private static boolean wasteful(Statement statement, Optional<Path> file) {
    try {
      if (file.isPresent() && Files.size(file.get()) < COMPACT_FROM_BYTES) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                + " WHERE SETTING_NAME IN ('info.FILL_RATE', 'info.CHUNKS_FILL_RATE')")) {
      int liveShare = 100;
      while (rows.next()) {
        liveShare = liveShare * Integer.parseInt(rows.getString(2).trim()) / 100;
      }
      return liveShare < COMPACT_BELOW_FILL_RATE;
    } catch (SQLException | NumberFormatException e) {
      return false;
    }
  }

  /**
   * Brings the schema up to date: the journal tables, then the Activity read model.
   *
   * @throws EngineStartException when the driver is missing or a step fails, in the user's words
   *     where {@link #failures()} knows them
   */
  public void migrate() {
    Optional<Connection> held = migrateAndHold();
    try {
      if (held.isPresent()) {
        held.get().close();
      }
    } catch (SQLException e) {
      throw new EngineStartException("cannot close the journal database " + redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #migrate()}, handing back the connection it ran on, still open, for an embedded H2
   * database: it closes when its last connection does, and closing it compacts the file (seconds
   * on a loaded machine), only for the engine's pools to open it again at once. The engine closes
   * this connection once its pools hold the database.
   *
   * @return the open connection, which the caller closes; empty for a database server
   * @throws EngineStartException as {@link #migrate()}
   */
  public Optional<Connection> migrateAndHold() {
    return migrateAndHold(OptionalInt.empty()).held();
  }

  /**
   * What {@link #migrateAndHold(int)} leaves: the connection it held and the journal's slices.
   *
   * @param held the open connection of an embedded H2 database, which the caller closes
   * @param activitySlices the journal's number of Activity slices
   */
  public record Migrated(Optional<Connection> held, int activitySlices) {}

  /**
   * {@link #migrateAndHold()}, then fixes the journal's number of Activity slices where no engine
   * has yet: once fixed it stays, whatever a later engine wants (its events keep their tags).
   *
   * @param wantedSlices {@code autoupload.activity.slices}
   * @return the held connection and the number of slices the journal is fixed at, which may differ
   *     from {@code wantedSlices}
   * @throws EngineStartException as {@link #migrate()}
   */
  public Migrated migrateAndHold(int wantedSlices) {
    return migrateAndHold(OptionalInt.of(ActivitySlices.requireValid(wantedSlices)));
  }

  private Migrated migrateAndHold(OptionalInt wantedSlices) {
    requireDriver();
    Connection connection = null;
    try {
      connection = connect();
      connection.setAutoCommit(true);
      if (dialect == Dialect.POSTGRES) {
        lockMigrations(connection);
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS autoupload_schema_version ("
                + "version INTEGER PRIMARY KEY, description VARCHAR(200) NOT NULL, "
                + "applied_at TIMESTAMP NOT NULL)");
      }
      Set<Integer> applied = applied(connection);
      for (Migration migration : migrations()) {
        if (!applied.contains(migration.version())) {
          apply(connection, migration);
        }
      }
      int slices = wantedSlices.isPresent() ? fixActivitySlices(connection, wantedSlices.getAsInt()) : 1;
      if (dialect != Dialect.H2) {
        // A server keeps its database open by itself; closing the session ends the migration lock.
        connection.close();
        return new Migrated(Optional.empty(), slices);
      }
      return new Migrated(Optional.of(connection), slices);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new EngineStartException(
          failures()
              .explained(e)
              .orElseGet(() -> "cannot open the journal database " + redactedUrl() + ": " + e.getMessage()),
          e);
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // The failure that made us close it is the one to report.
      }
    }
  }

  /**
   * Runs {@code schemaWork} holding the migration lock (see {@link #lockMigrations}) on a journal
   * that several engines share: schema work done elsewhere than in the migrations, such as Pekko
   * Projection's own tables, races there too (two {@code CREATE TABLE IF NOT EXISTS} at once fail on
   * PostgreSQL's catalog). An embedded H2 journal has one engine (the data dir's lock): it runs as is.
   *
   * @param schemaWork what creates or changes tables; its failure is this method's
   * @throws Exception whatever {@code schemaWork} throws, or an {@link EngineStartException} when
   *     the lock cannot be had
   */
  public void underMigrationLock(Callable<?> schemaWork) throws Exception {
    if (dialect != Dialect.POSTGRES) {
      schemaWork.call();
      return;
    }
    try (Connection connection = connect()) {
      lockMigrations(connection);
      schemaWork.call();
    }
  }

  /**
   * Holds the database's migration lock until {@code connection} closes: engines that share a
   * PostgreSQL journal (the nodes of a cluster) may start at once, and two running one migration
   * together failed on its version's key. Tried rather than waited for: a session blocked in a
   * statement holds a snapshot, which the other's CREATE INDEX CONCURRENTLY would wait for in turn.
   */
  private void lockMigrations(Connection connection) throws SQLException {
    long deadline = System.nanoTime() + MIGRATION_LOCK_TIMEOUT.toNanos();
    try (PreparedStatement tryLock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      tryLock.setLong(1, MIGRATION_LOCK);
      while (true) {
        try (ResultSet locked = tryLock.executeQuery()) {
          if (locked.next() && locked.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new EngineStartException(
              "another engine has been migrating the journal database " + redactedUrl() + " for "
                  + MIGRATION_LOCK_TIMEOUT.toSeconds() + " s; start this one again once it has started");
        }
        try {
          Thread.sleep(MIGRATION_LOCK_RETRY.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EngineStartException("interrupted while waiting to migrate the journal database", e);
        }
      }
    }
  }

  /** The engine brings H2's driver only: PostgreSQL's is for whoever runs it on PostgreSQL to add. */
  private void requireDriver() {
    try {
      Class.forName(dialect.driver, false, JournalDatabase.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new EngineStartException(
          "the journal database " + redactedUrl() + " needs the JDBC driver " + dialect.driver
              + " on the classpath" + (dialect == Dialect.POSTGRES ? " (Maven: org.postgresql:postgresql)" : ""),
          e);
    }
  }

  /**
   * What this journal's failures mean in the user's words.
   *
   * @return the explanations for this database
   */
  public JournalFailures failures() {
    return new JournalFailures(file());
  }

  /**
   * The file of an embedded H2 file database; empty for an in-memory one or a server.
   *
   * @return the {@code .mv.db} file
   */
  public Optional<Path> file() {
    String prefix = "jdbc:h2:file:";
    if (!url.startsWith(prefix)) {
      return Optional.empty();
    }
    int end = url.indexOf(';');
    return Optional.of(Path.of(url.substring(prefix.length(), end < 0 ? url.length() : end) + ".mv.db"));
  }

  private void apply(Connection connection, Migration migration) throws SQLException {
    for (String sql : migration.statements().on(connection)) {
      try (Statement statement = connection.createStatement()) {
        // Postgres' CREATE INDEX CONCURRENTLY cannot run in a transaction, so each statement
        // runs on its own; IF NOT EXISTS makes a re-run after a half-applied attempt safe.
        statement.execute(sql);
      } catch (SQLException e) {
        throw new EngineStartException(
            failures()
                .explained(e)
                .orElseGet(
                    () -> "journal migration " + migration.version() + " failed on " + redactedUrl() + ": "
                        + e.getMessage() + " in: " + sql),
            e);
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO autoupload_schema_version (version, description, applied_at) "
                + "VALUES (?, ?, CURRENT_TIMESTAMP)")) {
      insert.setInt(1, migration.version());
      insert.setString(2, migration.description());
      insert.executeUpdate();
    }
  }

  /** The journal's number of Activity slices: the one stored, else {@code wanted}, stored now. */
  private static int fixActivitySlices(Connection connection, int wanted) throws SQLException {
    try (Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT slices FROM autoupload_activity_slices")) {
      if (rows.next()) {
        return rows.getInt(1);
      }
    }
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO autoupload_activity_slices (slices) VALUES (?)")) {
      insert.setInt(1, wanted);
      insert.executeUpdate();
    }
    return wanted;
  }

  /** The versions applied so far, in one query. */
  private static Set<Integer> applied(Connection connection) throws SQLException {
    Set<Integer> versions = new HashSet<>();
    try (Statement query = connection.createStatement();
        ResultSet rows = query.executeQuery("SELECT version FROM autoupload_schema_version")) {
      while (rows.next()) {
        versions.add(rows.getInt(1));
      }
    }
    return versions;
  }

  static List<String> statements(String resource) {
    String script;
    try (InputStream in = JournalDatabase.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new EngineStartException("journal schema " + resource + " is missing from the classpath");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new EngineStartException("cannot read journal schema " + resource, e);
    }
    List<String> result = new ArrayList<>();
    for (String part : script.split(";\\s*(\\r?\\n|$)")) {
      String sql = part.strip();
      if (!sql.isEmpty()) {
        result.add(sql.replaceFirst("(?i)^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(?!IF NOT EXISTS)", "CREATE $1INDEX $2IF NOT EXISTS "));
      }
    }
    return result;
  }

  /**
   * The URL without anything after '?' or ';', where credentials may hide.
   *
   * @return the URL as messages and logs may show it
   */
  public String redactedUrl() {
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int at = url.indexOf(c);
      if (at >= 0) {
        cut = Math.min(cut, at);
      }
    }
    return url.substring(0, cut);
  }
}
