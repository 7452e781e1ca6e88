package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JdbcLedgerTable;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.NameRules;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random histories of a small library, checked against the {@link ReferenceModel} after
 * every run: files created, edited in place (with and without a new modification time), appended,
 * truncated, renamed (also by case only), moved, copied, deleted, re-created under an old name,
 * touched, dated back; runs between the changes, some with changes while they run, some killed
 * part way, some on a lost journal; random upload slots, conflict policy, layout and faults, and a
 * target that tells the sha256 of what it holds, only its MD5, or no hash (read back).
 *
 * <p>Each history runs twice: with the ledger surviving a kill whole, and recovered as the
 * supervisor recovers it, from the ledger table, a snapshot and the events after it (a snapshot
 * every few events, a small cap on its overlay, kills between an event's commit and the table's
 * write). Each run then starts with the recovered ledger checked against the ledger of all events.
 * Every tenth history runs a third time with that table in a real journal database (H2, as the
 * engine's), whose whole ledgers go in chunks and whose writes a kill cuts short part way.
 *
 * <p>{@code -Dhistory.seeds=10000} runs more (default 5000); {@code -Dhistory.seed=N} replays one.
 * A broken rule fails with the seed and the whole history.
 */
class HistoryModelTest {

  private static final int DEFAULT_SEEDS = 5000;

  /** Where the ledger lives across a history's kills. */
  private enum Ledgers {
    /** Survives a kill whole. */
    WHOLE,
    /** Recovered from a table in memory. */
    TABLE_IN_MEMORY,
    /** Recovered from a table in an H2 journal database. */
    TABLE_ON_H2
  }

  @Test
  void everyHistoryEndsWithEveryContentBackedUpOnceAndTheCountsTrue(@TempDir Path dataDir) {
    String one = System.getProperty("history.seed", "");
    long first = one.isBlank() ? 1 : Long.parseLong(one);
    long count = one.isBlank() ? Long.getLong("history.seeds", DEFAULT_SEEDS) : 1;
    Totals totals = new Totals();
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    try (HikariDataSource pool = journal.pool(2)) {
      JdbcLedgerTable onH2 = new JdbcLedgerTable(pool, journal.dialect());
      AtomicInteger journals = new AtomicInteger();
      // A fresh journal's table: the same database, the library under a persistence id of its own.
      Supplier<LedgerTable> freshOnH2 = () -> new OneLibrary(onH2, "history-" + journals.incrementAndGet());
      for (long seed = first; seed < first + count; seed++) {
        for (Ledgers ledgers : Ledgers.values()) {
          if (ledgers == Ledgers.TABLE_ON_H2 && (seed - first) % 10 != 0) {
            continue;
          }
          replayChecked(seed, ledgers, ledgers == Ledgers.TABLE_ON_H2 ? freshOnH2 : LedgerTable::inMemory, totals);
        }
      }
    }
    System.out.println(
        "history: " + count + " histories, each with the ledger whole and from its table (in memory, and "
            + totals.onH2 + " of them on H2 too), "
            + totals.runs + " runs (" + totals.killed + " killed, "
            + totals.lostJournal + " on a lost journal, " + totals.changing + " with changes while running), "
            + totals.checks + " runs checked, " + totals.files + " file checks, " + totals.uploads
            + " uploads, " + totals.behindTheTable + " recoveries that wrote the table what it lacked ("
            + totals.overAWholeLedger + " of them from a snapshot holding the whole ledger due to it; "
            + totals.wholeCutShort + " writes of a whole ledger cut short part way, " + totals.eventsCutShort
            + " of events' rows), " + totals.aheadOfTheSnapshot
            + " recoveries over a table that held events after where their snapshot said it stood: all held");
    assertThat(totals.checks).as("runs checked against the model").isGreaterThan(count);
    assertThat(totals.onH2).as("histories on H2").isPositive();
    if (one.isBlank()) {
      assertThat(totals.aheadOfTheSnapshot).as("recoveries over a table ahead of its snapshot").isPositive();
      assertThat(totals.eventsCutShort).as("writes of events' rows cut short").isPositive();
    }
  }

  private static void replayChecked(long seed, Ledgers ledgers, Supplier<LedgerTable> tables, Totals totals) {
    List<String> log = new ArrayList<>();
    if (ledgers == Ledgers.TABLE_ON_H2) {
      totals.onH2++;
    }
    try {
      List<String> broken = replay(seed, ledgers != Ledgers.WHOLE, tables, log, totals);
      assertThat(broken)
          .as("seed %d (%s) broke the model; replay with -Dhistory.seed=%d%n%s", seed, ledgers, seed, String.join("\n", log))
          .isEmpty();
    } catch (AssertionError | RuntimeException e) {
      if (e.getMessage() != null && e.getMessage().contains("broke the model")) {
        throw e;
      }
      throw new AssertionError(
          "seed " + seed + " (" + ledgers + ") failed; replay with -Dhistory.seed=" + seed + "\n" + String.join("\n", log), e);
    }
  }

  /** A table that holds one library, under its own persistence id in a table shared with others. */
  private record OneLibrary(LedgerTable shared, String persistenceId) implements LedgerTable {
    @Override
    public void load(String ignored, Reader reader) {
      shared.load(persistenceId, reader);
    }

    @Override
    public void write(String ignored, Iterable<Row> rows) {
      shared.write(persistenceId, rows);
    }

    @Override
    public int rowsAt(String ignored, long seqNr) {
      return shared.rowsAt(persistenceId, seqNr);
    }

    @Override
    public long eventsThrough(String ignored) {
      return shared.eventsThrough(persistenceId);
    }

    @Override
    public long dropSupersededBy(String ignored, long seqNr) {
      return shared.dropSupersededBy(persistenceId, seqNr);
    }
  }

  private static final class Totals {
    long runs;
    long killed;
    long lostJournal;
    long changing;
    long checks;
    long files;
    long uploads;
    long behindTheTable;
    long overAWholeLedger;
    long wholeCutShort;
    long eventsCutShort;
    long aheadOfTheSnapshot;
    long onH2;
  }

  /** One history: its settings, then changes and runs, ending with a quiet run; the broken rules. */
  private static List<String> replay(
      long seed, boolean table, Supplier<LedgerTable> tables, List<String> log, Totals totals) {
    Random random = new Random(seed);
    ConflictPolicy policy = List.of(ConflictPolicy.KEEP_BOTH, ConflictPolicy.KEEP_BOTH, ConflictPolicy.SKIP, ConflictPolicy.OVERWRITE)
        .get(random.nextInt(4));
    boolean uploadEachCopy = random.nextInt(10) == 0;
    RemoteLayout layout =
        random.nextInt(3) == 0 ? RemoteLayout.of(RemoteLayout.DEFAULT_PATTERN, ZoneOffset.UTC) : RemoteLayout.MIRROR;
    int slots = 1 + random.nextInt(4);
    double faultRate = random.nextInt(3) == 0 ? 0.2 : 0;
    SimTarget.Kind targetKind = SimTarget.Kind.values()[random.nextInt(SimTarget.Kind.values().length)];
    UploadSettings upload =
        new UploadSettings(slots, 1024, 8192, 3, Duration.ofSeconds(1), Duration.ofMinutes(1), 0.2, policy, uploadEachCopy);
    // Drawn apart, so a seed's history is the same as before the table: the seeds main proved
    // stay proven, with and without it.
    Random tableRandom = new Random(~seed);
    int snapshotEvery = 1 + tableRandom.nextInt(5);
    int overlayCap = 2 + tableRandom.nextInt(10);
    int tableBatch = 1 + tableRandom.nextInt(4);
    // A read cut short once (the file renamed away, and back at once or a while later) must not
    // put a content on the target twice.
    double readInterruptedRate = tableRandom.nextInt(4) == 0 ? 0.3 : 0;
    // The ledger's facts go into a new base after so few records in most histories (a Random of
    // its own, so the histories' other draws stay as they were); the engine's 4,096 in the rest.
    int[] foldsAt = {1, 2, 3, 5, Ledger.FOLD_AT_LEAST};
    int foldAtLeast = foldsAt[new Random(~seed * 7).nextInt(foldsAt.length)];
    log.add("seed " + seed + (table ? " (ledger table, snapshot every " + snapshotEvery + ", overlay cap " + overlayCap
        + ", table written every " + tableBatch + " events)" : "")
        + ": on-conflict=" + policy + " upload-both=" + uploadEachCopy + " layout=" + layout.pattern()
        + " slots=" + slots + " faults=" + faultRate + " target=" + targetKind
        + (readInterruptedRate > 0 ? " reads cut short=" + readInterruptedRate : "")
        + " ledger folded at " + foldAtLeast);
    SimEngine.Options options =
        new SimEngine.Options(
            new LibraryPlan.Settings("lib", upload, layout, NameRules.POSIX),
            slots,
            faultRate,
            table,
            snapshotEvery,
            overlayCap,
            tableBatch,
            readInterruptedRate,
            ~seed * 31,
            tables,
            foldAtLeast);
    SimEngine engine = new SimEngine(options, log);
    SimFileSystem fs = new SimFileSystem(random, log);
    SimTarget target = new SimTarget(targetKind);
    ReferenceModel model = new ReferenceModel(policy, uploadEachCopy);

    int rounds = 4 + random.nextInt(10);
    try {
      return rounds(random, rounds, engine, fs, target, model, policy, faultRate, log, totals);
    } finally {
      totals.behindTheTable += engine.recoveredBehindTheTable();
      totals.overAWholeLedger += engine.recoveredOverAWholeLedger();
      totals.wholeCutShort += engine.wholeWritesCutShort();
      totals.eventsCutShort += engine.eventWritesCutShort();
      totals.aheadOfTheSnapshot += engine.recoveredAheadOfTheSnapshot();
    }
  }

  private static List<String> rounds(
      Random random, int rounds, SimEngine engine, SimFileSystem fs, SimTarget target, ReferenceModel model,
      ConflictPolicy policy, double faultRate, List<String> log, Totals totals) {
    for (int round = 0; round <= rounds; round++) {
      boolean last = round == rounds;
      int changes = random.nextInt(4);
      for (int i = 0; i < changes; i++) {
        fs.change();
      }
      int kind = last ? 0 : random.nextInt(10);
      if (kind == 9) {
        log.add("lose the journal (a fresh data dir against the same target)");
        engine.loseJournal();
        model.journalLost();
        totals.lostJournal++;
      }
      int killAfter = kind == 7 || kind == 8 ? random.nextInt(40) : -1;
      int changesDuring = kind == 6 ? 1 + random.nextInt(3) : 0;
      Map<String, String> source = fs.contents();
      Map<String, String> before = target.contents();
      model.runStarts(before);
      log.add("run " + (killAfter >= 0 ? "(to be killed after " + killAfter + " steps) " : "")
          + (changesDuring > 0 ? "(" + changesDuring + " changes while it runs) " : "") + "over " + source.size() + " files");
      SimEngine.Run run = engine.run(fs, target, random, killAfter, changesDuring);
      totals.runs++;
      Map<String, String> after = target.contents();
      if (policy != ConflictPolicy.OVERWRITE) {
        for (Map.Entry<String, String> file : before.entrySet()) {
          if (!file.getValue().equals(after.get(file.getKey()))) {
            return List.of("the target lost or changed " + file.getKey() + " during a run");
          }
        }
      }
      if (!run.completed()) {
        totals.killed++;
        continue;
      }
      log.add("  " + ReferenceModel.describe(run.counts()) + "; target now " + after.size() + " files");
      if (changesDuring > 0) {
        totals.changing++;
        continue;
      }
      List<String> broken = model.check(source, before, after, run.counts(), run.reports(), faultRate > 0);
      totals.checks++;
      totals.files += source.size();
      totals.uploads += run.counts().completed();
      if (!broken.isEmpty()) {
        return broken;
      }
    }
    return List.of();
  }
}
