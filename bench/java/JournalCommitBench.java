import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.internal.persistence.JournalStore;
import dev.autoupload.engine.internal.persistence.JournalStore.EventRow;
import dev.autoupload.engine.internal.persistence.JournalStore.Serialized;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * What one commit of the embedded journal costs: bytes H2 writes and time, for a file's three
 * events written as a run of small files writes most of them (each its own commit, through the
 * engine's {@link JournalStore} on a journal {@link JournalDatabase} migrated), and for the
 * smallest commit H2 can make (one row of a one-row table). Usage: {@code JournalCommitBench
 * FILES WORK-DIR}; figures go to stdout.
 */
public final class JournalCommitBench {

  private static final String LIBRARY = "lib-cc479cc7da03";

  public static void main(String[] args) throws Exception {
    int files = Integer.parseInt(args[0]);
    Path work = Path.of(args[1]);
    for (int round = 1; round <= 2; round++) {
      report("journal as migrated (one index on ordering)", journal(work.resolve("as-migrated-" + round), files, false));
      report("journal with the second ordering index of before migration 12", journal(work.resolve("two-indexes-" + round), files, true));
      report("one row of a one-row table (H2's smallest commit)", oneRow(work.resolve("one-row-" + round), 3 * files));
    }
  }

  private record Figures(int commits, long bytes, long nanos) {}

  private static void report(String what, Figures figures) {
    System.out.printf(
        "%-66s %6d commits  %5.1f KB written a commit  %4.0f us a commit%n",
        what, figures.commits(), figures.bytes() / 1024.0 / figures.commits(), figures.nanos() / 1e3 / figures.commits());
  }

  private static Figures journal(Path dataDir, int files, boolean secondOrderingIndex) throws Exception {
    Files.createDirectories(dataDir);
    JournalDatabase database = JournalDatabase.of("", "sa", "", dataDir);
    database.migrate();
    try (HikariDataSource pool = database.pool(2, "bench");
        Connection info = pool.getConnection();
        Statement sql = info.createStatement()) {
      if (secondOrderingIndex) {
        sql.execute("CREATE UNIQUE INDEX \"event_journal_ordering_idx\" ON PUBLIC.\"event_journal\" (\"ordering\")");
      }
      JournalStore store = new JournalStore(pool);
      Random random = new Random(1);
      long before = writtenBytes(sql);
      long start = System.nanoTime();
      int commits = 0;
      for (int file = 0; file < files; file++) {
        String upload = "FileUpload|" + LIBRARY + ":" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
        store.insert(List.of(row(upload, 1, "FileUpload$UploadStarted", 281, Set.of("file-upload"), random)));
        store.insert(List.of(row(upload, 2, "FileUpload$UploadCompleted", 177, Set.of("file-upload"), random)));
        store.insert(List.of(row("BackupSupervisor|" + LIBRARY, file + 1L, "BackupSupervisor$AssetBackedUp", 218, Set.of(), random)));
        commits += 3;
      }
      long nanos = System.nanoTime() - start;
      return new Figures(commits, writtenBytes(sql) - before, nanos);
    } finally {
      database.shutDownEmbedded();
    }
  }

  private static EventRow row(String persistenceId, long sequenceNr, String event, int bytes, Set<String> tags, Random random) {
    byte[] payload = new byte[bytes];
    random.nextBytes(payload);
    return new EventRow(
        0, persistenceId, sequenceNr, false, "bench-writer", System.currentTimeMillis(), "",
        new Serialized(33, "dev.autoupload.engine.internal." + event, payload), Optional.empty(), tags);
  }

  private static Figures oneRow(Path dataDir, int commits) throws Exception {
    Files.createDirectories(dataDir);
    JournalDatabase database = JournalDatabase.of("", "sa", "", dataDir);
    try (Connection connection = database.connect(); Statement sql = connection.createStatement()) {
      sql.execute("CREATE TABLE one_row (id BIGINT PRIMARY KEY, v BIGINT)");
      sql.execute("INSERT INTO one_row VALUES (1, 0)");
      long before = writtenBytes(sql);
      long start = System.nanoTime();
      for (int i = 0; i < commits; i++) {
        sql.executeUpdate("UPDATE one_row SET v = " + i + " WHERE id = 1");
      }
      long nanos = System.nanoTime() - start;
      return new Figures(commits, writtenBytes(sql) - before, nanos);
    } finally {
      database.shutDownEmbedded();
    }
  }

  private static long writtenBytes(Statement sql) throws SQLException {
    try (ResultSet rows =
        sql.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_WRITE_BYTES'")) {
      rows.next();
      return Long.parseLong(rows.getString(1).trim());
    }
  }
}
