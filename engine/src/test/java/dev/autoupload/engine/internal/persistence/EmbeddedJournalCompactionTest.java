package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedJournalCompactionTest {

  private static final int UPLOADS = 6000;
  private static final int COMPACT_EVERY_UPLOADS = 100;

  @TempDir Path dataDir;

  /**
   * The journal's pattern at the engine's pace: per upload an appended event and a row of another
   * table updated in place, each its own commit. Without passes the file keeps every commit's
   * chunk; with them it stays a small multiple of its live rows, and every row reads back intact
   * after the database is closed and opened again.
   */
  @Test
  void passesKeepTheFileNearItsLiveRowsAndLoseNone() throws Exception {
    long uncompacted = fileAfterUploads(dataDir.resolve("plain"), false);
    Path compactedDir = dataDir.resolve("compacted");
    long compacted = fileAfterUploads(compactedDir, true);

    assertThat(compacted).as("file with passes, against %d bytes without", uncompacted).isLessThan(uncompacted / 4);
    JournalDatabase reopened = JournalDatabase.of("", "sa", "", compactedDir);
    try (Connection db = reopened.connect()) {
      assertThat(digestOfRows(db)).isEqualTo(expectedDigest());
    }
    reopened.shutDownEmbedded();
  }

  @Test
  void aPassWhileNothingWasWrittenWritesNothing() throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection db = journal.migrateAndHold().orElseThrow()) {
      MVStore store = EmbeddedJournalCompaction.embeddedFileStore(db).orElseThrow();
      EmbeddedJournalCompaction compaction = EmbeddedJournalCompaction.manual(store, Duration.ofMillis(1));
      compaction.pass();
      long writes = store.getFileStore().getWriteCount();

      assertThat(compaction.pass()).isFalse();
      assertThat(store.getFileStore().getWriteCount()).isEqualTo(writes);
    }
    journal.shutDownEmbedded();
  }

  @Test
  void onlyAnEmbeddedFileDatabaseIsCompacted() throws Exception {
    try (Connection memory = DriverManager.getConnection("jdbc:h2:mem:compaction-test", "sa", "")) {
      assertThat(EmbeddedJournalCompaction.start(memory, Duration.ofSeconds(1))).isEmpty();
    }
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection db = journal.migrateAndHold().orElseThrow()) {
      assertThat(EmbeddedJournalCompaction.start(db, Duration.ZERO)).as("0s turns it off").isEmpty();
      try (EmbeddedJournalCompaction running = EmbeddedJournalCompaction.start(db, Duration.ofSeconds(1)).orElseThrow()) {
        assertThat(Thread.getAllStackTraces().keySet())
            .anyMatch(thread -> thread.getName().equals("autoupload-journal-compaction"));
      }
    }
    journal.shutDownEmbedded();
  }

  /** Writes the uploads' rows into a new journal in {@code dir}; the file's size before it closes. */
  private static long fileAfterUploads(Path dir, boolean compact) throws Exception {
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dir);
    long size;
    try (Connection db = journal.migrateAndHold().orElseThrow()) {
      MVStore store = EmbeddedJournalCompaction.embeddedFileStore(db).orElseThrow();
      // Passes a millisecond apart: a chunk's space is reused 3 ms after it was written, which
      // the hundred commits between two passes take longer than.
      EmbeddedJournalCompaction compaction = EmbeddedJournalCompaction.manual(store, Duration.ofMillis(1));
      try (Statement ddl = db.createStatement()) {
        ddl.execute("CREATE TABLE upload_state (asset VARCHAR PRIMARY KEY, state VARCHAR NOT NULL)");
      }
      try (PreparedStatement event =
              db.prepareStatement(
                  "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
                      + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
                      + " VALUES (?, 1, 'test', 0, '', ?, 1, 'event')");
          PreparedStatement state = db.prepareStatement("MERGE INTO upload_state KEY (asset) VALUES (?, ?)")) {
        for (int upload = 0; upload < UPLOADS; upload++) {
          event.setString(1, assetId(upload));
          event.setBytes(2, payload(upload));
          event.executeUpdate();
          state.setString(1, assetId(upload % 500));
          state.setString(2, "uploaded " + upload);
          state.executeUpdate();
          if (compact && upload % COMPACT_EVERY_UPLOADS == 0) {
            compaction.pass();
          }
        }
      }
      size = Files.size(dir.resolve("journal.mv.db"));
    }
    journal.shutDownEmbedded();
    return size;
  }

  private static String digestOfRows(Connection db) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery("SELECT \"persistence_id\", \"event_payload\" FROM \"event_journal\" ORDER BY \"ordering\"")) {
      while (rows.next()) {
        digest.update(rows.getString(1).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        digest.update(rows.getBytes(2));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String expectedDigest() throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (int upload = 0; upload < UPLOADS; upload++) {
      digest.update(assetId(upload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      digest.update(payload(upload));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static String assetId(int upload) {
    return "FileUpload|lib:" + HexFormat.of().toHexDigits((long) upload * 0x9E3779B97F4A7C15L);
  }

  private static byte[] payload(int upload) {
    byte[] bytes = new byte[200 + upload % 64];
    new SplittableRandom(upload).nextBytes(bytes);
    return bytes;
  }
}
