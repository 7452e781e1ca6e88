package dev.autoupload.engine.internal.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.engine.Session;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded H2 journal's file from growing with every commit while the engine runs.
 *
 * <p>H2 writes each commit as a new chunk of the file holding the pages that changed, and frees a
 * chunk once none of its pages is live any more. The journal commits about twice per upload and
 * each chunk keeps a few live pages (the rows it appended), so chunks seldom die on their own:
 * measured, the file grew by about 100 KB per upload (1 GB after 10,000 uploads, of which 15 MB
 * was live). H2 moves live pages out of such chunks in its background writer, but that writer
 * only runs with a write delay, and the journal needs {@code WRITE_DELAY=0} so that a commit is in
 * the file before it returns. This does the same housekeeping on its own timer: each pass rewrites
 * the live pages of the emptiest chunks into a new one, after which H2 frees the old ones and
 * reuses their space.
 *
 * <p>H2 reuses a chunk's space only once the chunk is older than its retention time (45 s by
 * default), assuming that by then the operating system has written it to the disk: a file cut
 * short by a power loss must still hold a whole earlier state. At the pace of small uploads 45 s
 * of chunks is hundreds of megabytes. Each pass here first forces the file to the disk, so that
 * assumption holds after {@link #RETENTION_IN_PASSES} passes, and the retention is set to that.
 *
 * <p>Measured on 10,000 uploads of 256 KiB to WebDAV (about 120 a second): the file peaked at
 * 112–118 MB instead of 993 MB; on 30,000 of 16 KiB at 192 MB (45 MB live) instead of growing past
 * 3 GB. Closing still compacts the file whole when most of it is not live data
 * ({@link JournalDatabase#shutDownEmbedded()}). A journal on a server (PostgreSQL, or H2 over TCP)
 * keeps its own house: this does nothing there.
 */
public final class EmbeddedJournalCompaction implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedJournalCompaction.class);

  /** Chunks are rewritten while less than this share of their bytes (per cent) is live data. */
  static final int TARGET_FILL_RATE = 80;

  /** The most live data one pass moves, so that a pass never holds up the journal's writers long. */
  static final int MOST_BYTES_A_PASS = 4 << 20;

  /** How many passes, each syncing the file first, a chunk no longer used is kept before its space is reused. */
  static final int RETENTION_IN_PASSES = 3;

  private final MVStore store;
  private ScheduledExecutorService timer;
  private long writesSeen = -1;

  private EmbeddedJournalCompaction(MVStore store, Duration every) {
    this.store = store;
    long retention = Math.min(store.getRetentionTime(), RETENTION_IN_PASSES * every.toMillis());
    store.setRetentionTime((int) retention);
  }

  /** A compaction whose passes run only when {@link #pass()} is called: for tests. */
  static EmbeddedJournalCompaction manual(MVStore store, Duration every) {
    return new EmbeddedJournalCompaction(store, every);
  }

  private EmbeddedJournalCompaction every(Duration every) {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "autoupload-journal-compaction");
              thread.setDaemon(true);
              return thread;
            });
    long millis = every.toMillis();
    timer.scheduleWithFixedDelay(this::passQuietly, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Starts compacting the journal's file every {@code every}, when {@code connection} is on an
   * embedded H2 file database; otherwise does nothing.
   *
   * @param connection any connection on the journal database; only used here, not kept
   * @param every how often to look at the file; zero or less turns the compaction off
   * @return the running compaction, to close before the database closes; empty when there is none
   */
  public static Optional<EmbeddedJournalCompaction> start(Connection connection, Duration every) {
    if (every.isZero() || every.isNegative()) {
      return Optional.empty();
    }
    return embeddedFileStore(connection).map(store -> new EmbeddedJournalCompaction(store, every).every(every));
  }

  /** The MVStore of an embedded H2 database kept in a file; empty for any other database. */
  static Optional<MVStore> embeddedFileStore(Connection connection) {
    try {
      if (!connection.isWrapperFor(JdbcConnection.class)) {
        return Optional.empty();
      }
      Session session = connection.unwrap(JdbcConnection.class).getSession();
      if (!(session instanceof SessionLocal local)) {
        return Optional.empty();
      }
      MVStore store = local.getDatabase().getStore().getMvStore();
      return store.getFileStore() == null ? Optional.empty() : Optional.of(store);
    } catch (SQLException | RuntimeException e) {
      log.debug("The journal's file cannot be compacted while the engine runs: {}", e.toString());
      return Optional.empty();
    }
  }

  /**
   * One pass: forces what was written to the disk, then, when the file's chunks are mostly dead
   * pages, moves the live pages of the emptiest into a new chunk and commits it. Skipped while
   * nothing else was written since the last pass, so an idle engine costs no reads nor writes.
   *
   * @return whether any chunk was rewritten
   */
  boolean pass() {
    if (store.isClosed()) {
      return false;
    }
    FileStore<?> file = store.getFileStore();
    long writes = file.getWriteCount();
    if (writes == writesSeen) {
      return false;
    }
    // What was written before this pass is on the disk once it returns, which is what lets a
    // chunk's space be reused after three passes rather than H2's 45 s (see the class comment).
    store.sync();
    long started = System.nanoTime();
    boolean rewrote = store.compact(TARGET_FILL_RATE, MOST_BYTES_A_PASS);
    if (rewrote) {
      // The moved pages are only in memory until a commit writes them; until then the old chunks
      // still hold their only copy on disk and cannot be freed.
      store.commit();
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "Journal file pass in {} ms: rewrote {}, file {} bytes, {}% of it in chunks, {}% of theirs live",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), rewrote, file.size(), file.getFillRate(),
          file.getChunksFillRate());
    }
    writesSeen = file.getWriteCount();
    return rewrote;
  }

  private void passQuietly() {
    try {
      pass();
    } catch (RuntimeException e) {
      // The database closing under a pass, or a write failing: the journal's writers see and
      // report a broken file themselves; the next pass tries again.
      log.debug("Compacting the journal's file failed: {}", e.toString());
    }
  }

  /** Stops the passes and waits for one under way, before the database closes. */
  @Override
  public void close() {
    if (timer == null) {
      return;
    }
    // Not shutdownNow: an interrupt during H2's file I/O closes the database's file channel.
    timer.shutdown();
    try {
      if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("A compaction of the journal's file was still running after 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
