package dev.autoupload.engine.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.EngineStartException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
            .as("journal tables, Activity read model, hash cache, live photos, conflict notes, versioned hash cache")
            .isEqualTo(6);
      }
      try (ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
        rows.next();
        assertThat(rows.getInt(1)).isZero();
      }
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
      ddl.execute(JournalDatabase.statements("schema/h2/h2-create-schema.sql").get(0));
      ddl.execute(JournalDatabase.statements("schema/h2/h2-create-schema.sql").get(1));
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
  void credentialsInTheUrlNeverReachMessages() {
    JournalDatabase journal =
        JournalDatabase.of("jdbc:postgresql://127.0.0.1:1/db?password=secret", "u", "p", dataDir);

    assertThat(journal.redactedUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:1/db");
  }
}
