package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.EngineStartException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalDatabaseTest {

  @TempDir Path dataDir;

  @Test
  void createsTheJournalTablesOnceAndRecordsTheVersion() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);

    journal.migrate();
    journal.migrate();

    try (Connection db = journal.connect(); Statement query = db.createStatement()) {
      try (ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM autoupload_schema_version")) {
        rows.next();
        assertThat(rows.getInt(1))
            .as("journal tables, Activity read model, hash cache, live photos, conflict notes, versioned hash cache, "
                + "content sha256 in the Activity read model, freed originals, ledger table, Activity slices, ledger chunks, "
                + "one ordering index, each library's latest upload by index")
            .isEqualTo(13);
      }
      try (ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
        rows.next();
        assertThat(rows.getInt(1)).isZero();
      }
    }
  }

  @Test
  void anEmbeddedJournalKeepsEventPayloadsOfAFewKibInTheirRows() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();

    try (Connection db = journal.connect();
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'MAX_LENGTH_INPLACE_LOB'")) {
      assertThat(rows.next()).isTrue();
      assertThat(Integer.parseInt(rows.getString(1))).isEqualTo(JournalDatabase.INPLACE_PAYLOAD_BYTES).isGreaterThan(1024);
    }
    journal.shutDownEmbedded();
  }

  @Test
  void anEmbeddedJournalsPageCacheIsTheSizeAskedForInWholeMib() throws Exception {
    assertThat(cacheMibOf(JournalDatabase.of("", "sa", "", dataDir.resolve("default")))).isEqualTo(2);
    assertThat(cacheMibOf(JournalDatabase.of("", "sa", "", dataDir.resolve("asked"), (5L << 20) + 1000))).isEqualTo(5);
    assertThatThrownBy(() -> JournalDatabase.of("", "sa", "", dataDir, (1 << 20) - 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 MiB");
  }

  private static int cacheMibOf(JournalDatabase journal) throws Exception {
    journal.migrate();
    try (Connection db = journal.connect();
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.CACHE_MAX_SIZE'")) {
      assertThat(rows.next()).isTrue();
      return Integer.parseInt(rows.getString(1));
    } finally {
      journal.shutDownEmbedded();
    }
  }

  @Test
  void theMigrationsConnectionKeepsTheEmbeddedDatabaseOpenForThePool() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);

    try (Connection held = journal.migrateAndHold().orElseThrow();
        Connection other = journal.connect();
        Statement query = other.createStatement();
        ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM autoupload_schema_version")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(13);
      assertThat(held.isClosed()).isFalse();
    }
    // Applied once: a second start finds every version and applies nothing.
    journal.migrateAndHold().orElseThrow().close();
  }

  @Test
  void aNewEmbeddedJournalIndexesItsOrderingOnceAndStillRefusesTwoEventsAtOneOrdering() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();

    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      assertThat(indexesOnOrdering(sql)).as("the unique constraint's index alone").hasSize(1);
      sql.execute(insertEvent("FileUpload|lib:a", 1, 7));
      assertThatThrownBy(() -> sql.execute(insertEvent("FileUpload|lib:b", 1, 7)))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Unique index or primary key violation");
    }
  }

  @Test
  void aJournalWhoseOrderingConstraintUsesTheNamedIndexKeepsIt() throws Exception {
    // A journal exported and re-created by SQL script: its unique constraint on ordering took the
    // index event_journal_ordering_idx, which must not be dropped.
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      sql.execute("RUNSCRIPT FROM 'classpath:/old-journals/h2-before-internal-packages.sql'");
      assertThat(indexesOnOrdering(sql)).containsExactly("event_journal_ordering_idx");
    }

    journal.migrate();

    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      assertThat(indexesOnOrdering(sql)).containsExactly("event_journal_ordering_idx");
      try (ResultSet rows = sql.executeQuery("SELECT MAX(version) FROM autoupload_schema_version")) {
        rows.next();
        assertThat(rows.getInt(1)).isEqualTo(13);
      }
    }
  }

  @Test
  void aJournalWithoutTheOrderingConstraintKeepsItsOnlyOrderingIndex() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      for (String ddl : JournalDatabase.statements("dev/autoupload/engine/journal/h2-schema.sql")) {
        sql.execute(ddl);
      }
      String constraint;
      try (ResultSet rows =
          sql.executeQuery(
              "SELECT CONSTRAINT_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS "
                  + "WHERE TABLE_NAME = 'event_journal' AND CONSTRAINT_TYPE = 'UNIQUE'")) {
        rows.next();
        constraint = rows.getString(1);
      }
      sql.execute("ALTER TABLE \"event_tag\" DROP CONSTRAINT \"fk_event_journal\"");
      sql.execute("ALTER TABLE \"event_journal\" DROP CONSTRAINT \"" + constraint + "\"");
    }

    journal.migrate();

    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      assertThat(indexesOnOrdering(sql)).containsExactly("event_journal_ordering_idx");
    }
  }

  private static List<String> indexesOnOrdering(Statement sql) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rows =
        sql.executeQuery(
            "SELECT INDEX_NAME FROM INFORMATION_SCHEMA.INDEX_COLUMNS "
                + "WHERE TABLE_NAME = 'event_journal' AND COLUMN_NAME = 'ordering' ORDER BY INDEX_NAME")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  private static String insertEvent(String persistenceId, long sequenceNr, long ordering) {
    return "INSERT INTO event_journal (ordering, persistence_id, sequence_number, deleted, writer, write_timestamp, "
        + "adapter_manifest, event_ser_id, event_ser_manifest, event_payload) "
        + "VALUES (" + ordering + ", '" + persistenceId + "', " + sequenceNr + ", FALSE, 'w', 0, '', 1, 'm', X'00')";
  }

  @Test
  void aNewJournalIsSlicedAsItsFirstEngineAsksAndKeepsThatNumberAfter() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    // A plain migration (a tool's) fixes nothing: the first engine decides.
    journal.migrate();

    JournalDatabase.Migrated first = journal.migrateAndHold(4);
    first.held().orElseThrow().close();
    assertThat(first.activitySlices()).isEqualTo(4);
    JournalDatabase.Migrated later = journal.migrateAndHold(2);
    later.held().orElseThrow().close();
    assertThat(later.activitySlices()).as("fixed at its first engine's number").isEqualTo(4);
    assertThatThrownBy(() -> journal.migrateAndHold(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("autoupload.activity.slices must be 1 to 64, not 0");
  }

  @Test
  void aJournalThatHeldEventsBeforeThereWereSlicesKeepsOne() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    // As a journal written before migration 10 stands: events, and no record of slices.
    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      sql.execute("DROP TABLE autoupload_activity_slices");
      sql.execute("DELETE FROM autoupload_schema_version WHERE version = 10");
      sql.execute(
          "INSERT INTO event_journal (persistence_id, sequence_number, deleted, writer, write_timestamp, "
              + "adapter_manifest, event_ser_id, event_ser_manifest, event_payload) "
              + "VALUES ('FileUpload|lib:a', 1, FALSE, 'w', 0, '', 1, 'm', X'00')");
    }

    JournalDatabase.Migrated migrated = journal.migrateAndHold(4);
    migrated.held().orElseThrow().close();

    assertThat(migrated.activitySlices()).as("its events are tagged file-upload, one slice").isEqualTo(1);
  }

  @Test
  void closingCompactsTheFileOnlyOnceMostOfItIsDeadChunks() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    Path file = dataDir.resolve("journal.mv.db");
    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      sql.execute("CREATE TABLE filler (id INT PRIMARY KEY, data VARCHAR(4000))");
      // Many small commits of rows rewritten again and again: chunks full of dead pages.
      for (int round = 0; round < 20; round++) {
        sql.execute("DELETE FROM filler");
        sql.execute("INSERT INTO filler SELECT X, REPEAT('x', 2000) FROM SYSTEM_RANGE(1, 500)");
      }
      sql.execute("DELETE FROM filler");
    }
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    long before = Files.size(file);
    journal.shutDownEmbedded();
    long compacted = Files.size(file);
    assertThat(before).as("dead chunks enough to compact").isGreaterThan(JournalDatabase.COMPACT_FROM_BYTES);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as("still private once rewritten")
        .isEqualTo("rw-------");

    try (Connection db = journal.connect(); Statement sql = db.createStatement()) {
      sql.execute("INSERT INTO filler SELECT X, REPEAT('y', 100) FROM SYSTEM_RANGE(1, 10)");
    }
    journal.shutDownEmbedded();

    assertThat(compacted).as("mostly dead chunks, compacted whole on close").isLessThan(2_000_000);
    try (Connection db = journal.connect(); Statement query = db.createStatement();
        ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM filler")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(10);
    }
  }

  @Test
  void everyCommitSurvivesTheProcessBeingKilledRightAfterIt() throws Exception {
    Process killed =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                KilledAfterCommit.class.getName(),
                dataDir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(killed.getInputStream().readAllBytes());
    assertThat(killed.waitFor()).as(output).isEqualTo(137);

    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    try (Connection db = journal.connect(); Statement query = db.createStatement();
        ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM asset_content_hash")) {
      rows.next();
      assertThat(rows.getInt(1)).as("rows committed before the kill").isEqualTo(5);
    }
  }

  @Test
  void aHalfAppliedSchemaIsCompletedOnTheNextStart() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection db = journal.connect(); Statement ddl = db.createStatement()) {
      ddl.execute(JournalDatabase.statements("dev/autoupload/engine/journal/h2-schema.sql").get(0));
      ddl.execute(JournalDatabase.statements("dev/autoupload/engine/journal/h2-schema.sql").get(1));
    }

    journal.migrate();

    try (Connection db = journal.connect(); Statement query = db.createStatement();
        ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM \"snapshot\"")) {
      rows.next();
      assertThat(rows.getInt(1)).isZero();
    }
  }

  @Test
  void failsLoudlyWhenTheDatabaseCannotBeOpened() {
    JournalDatabase journal =
        JournalDatabase.of("jdbc:h2:file:" + dataDir.resolve("x") + ";IFEXISTS=TRUE", "sa", "", dataDir);

    assertThatThrownBy(journal::migrate)
        .isInstanceOf(EngineStartException.class)
        .hasMessageStartingWith("cannot open the journal database jdbc:h2:file:");
  }

  @Test
  void aPostgresJournalWithoutItsDriverSaysWhichDriverToAdd() {
    // The engine does not bring the PostgreSQL driver, so it is not on these tests' classpath.
    JournalDatabase journal =
        JournalDatabase.of("jdbc:postgresql://127.0.0.1:1/db?password=secret", "u", "p", dataDir);

    assertThatThrownBy(journal::migrate)
        .isInstanceOf(EngineStartException.class)
        .hasMessage(
            "the journal database jdbc:postgresql://127.0.0.1:1/db needs the JDBC driver org.postgresql.Driver"
                + " on the classpath (Maven: org.postgresql:postgresql)");
  }

  @Test
  void credentialsInTheUrlNeverReachMessages() {
    JournalDatabase journal =
        JournalDatabase.of("jdbc:postgresql://127.0.0.1:1/db?password=secret", "u", "p", dataDir);

    assertThat(journal.redactedUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:1/db");
  }

  @Test
  void aDamagedJournalSaysWhatIsWrongAndHowToMoveItAside() throws Exception {
    Path file = dataDir.resolve("journal.mv.db");
    byte[] garbage = new byte[64 * 1024];
    new java.util.Random(13).nextBytes(garbage);
    Files.write(file, garbage);

    assertThatThrownBy(JournalDatabase.of("", "sa", "", dataDir)::migrate)
        .isInstanceOf(EngineStartException.class)
        .hasMessage(
            "the journal " + file + " is damaged (H2 finds it corrupt): move it aside with `mv " + file + " " + file
                + ".damaged` and start again; the new journal finds what is already on the target, so nothing is"
                + " uploaded twice");
  }

  @Test
  void aJournalWithDamagedHeadersIsDamagedAndTheCommandQuotesItsPath(@TempDir Path other) throws Exception {
    Path dir = other.resolve("my data");
    Files.createDirectories(dir);
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dir);
    journal.migrate();
    Path file = dir.resolve("journal.mv.db");
    // Both copies of H2's file header, where it learns where the data is. (H2 silently opens a
    // file whose data chunks alone are damaged, so those cannot be relied on to fail a start.)
    byte[] garbage = new byte[2 * 4096];
    java.util.Arrays.fill(garbage, (byte) 0x5a);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap(garbage), 0);
    }

    assertThatThrownBy(journal::migrate)
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining(" is damaged (H2 finds it corrupt)")
        .hasMessageContaining("`mv '" + file + "' '" + file + ".damaged'`");
  }

  @Test
  void aJournalShorterThanItsHeaderEndsEarly() throws Exception {
    Files.writeString(dataDir.resolve("journal.mv.db"), "hello");

    assertThatThrownBy(JournalDatabase.of("", "sa", "", dataDir)::migrate)
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining(" is damaged (it ends early, as if cut off): move it aside with `mv ");
  }

  @Test
  void aJournalOnAFullDiskNamesTheFolder() {
    Throwable full =
        new java.sql.SQLException(
            "General error", "HY000", 50000, new java.io.IOException("No space left on device"));
    JournalFailures failures = JournalDatabase.of("", "sa", "", dataDir).failures();

    assertThat(failures.describe(full)).startsWith("no space left on " + dataDir + ": ");
    assertThat(failures.restartCannotHelp(full)).isTrue();
    // H2 closes the database after such a write: later failures say only that, so the first cause is told.
    java.sql.SQLException closed = new java.sql.SQLException("The database has been closed", "90098", 90098);
    assertThat(failures.describe(closed)).isEqualTo(failures.describe(full));
    assertThat(failures.restartCannotHelp(closed)).isTrue();
  }
}
