package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.RemoteDecision;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Runs a library's backup as the engine does, in one thread and without actors: the real {@link
 * LibraryPlan}, {@link Ledger}, {@link FileUpload#beginning} and event handler, and {@link
 * RemoteDecision}; what the actors and the I/O do around them (reading files, probing and sending,
 * checking the source before publishing) is simulated step by step. The steps of a run happen in a
 * random order, as the actors' messages may arrive; a run can be killed between any two, losing
 * everything but what was journaled and what reached the target.
 */
final class SimEngine {

  private static final String LIBRARY = "lib";
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  /** Far more steps than any run of a few files takes: more means the plan goes round in circles. */
  private static final int MAX_STEPS = 100_000;

  /**
   * How a history's runs are set up. With {@code table}, the ledger is recovered as the supervisor
   * does, from the {@link LedgerTable}, a snapshot every {@code snapshotEvery} events ({@link
   * Recorded#stored}) and the events after it; the table written {@code tableBatch} events at a
   * time, a step after the events commit, its end told a step later, so a kill can fall between;
   * else the ledger survives a kill whole. {@code tables} gives the table of a fresh journal: one
   * in memory, or one in a real journal database.
   */
  record Options(
      LibraryPlan.Settings settings,
      int slots,
      double faultRate,
      boolean table,
      int snapshotEvery,
      long overlayCap,
      int tableBatch,
      double readInterruptedRate,
      long readInterruptionSeed,
      Supplier<LedgerTable> tables,
      int foldAtLeast) {
    Options(LibraryPlan.Settings settings, int slots, double faultRate) {
      this(settings, slots, faultRate, false, 1, 1, 1, 0, 0, LedgerTable::inMemory, Ledger.FOLD_AT_LEAST);
    }

    ConflictPolicy policy() {
      return settings.upload().onConflict();
    }
  }

  /** How one run went. */
  record Run(boolean completed, LibraryPlan.Counts counts, List<EngineEvent> reports, int steps) {}

  private final Options options;
  private final List<String> log;
  // What survives a kill: the journal (the ledger's events, its snapshot, its table and each
  // upload's state) and the target.
  private final List<BackupSupervisor.AssetBackedUp> events = new ArrayList<>();
  private Object snapshot;
  private long snapshotSeqNr;
  private LedgerTable table;
  /** The supervisor's state and what it knows of the table; rebuilt at each run's recovery. */
  private Recorded state = Recorded.empty();
  private long tableThrough;
  private boolean tableWriting;
  /** As the supervisor knows: whether the latest snapshot holds a whole ledger. */
  private boolean snapshotHoldsAWholeLedger;
  /** As the supervisor knows: whether a whole ledger was written to the table since that snapshot. */
  private boolean wholeWrittenSinceSnapshot;
  /** Recoveries whose table lacked events: from the snapshot's overlay, or the whole ledger. */
  private int recoveredBehindTheTable;
  /** Recoveries from a snapshot that held the whole ledger as of where the table was to stand. */
  private int recoveredOverAWholeLedger;
  /** Writes of a whole ledger that failed with part of its rows committed. */
  private int wholeWritesCutShort;
  /** Writes of events' rows that failed with part of them committed. */
  private int eventWritesCutShort;
  /** Recoveries whose table held events after where the snapshot said it stood. */
  private int recoveredAheadOfTheSnapshot;
  private final Map<String, FileUpload.State> uploads = new HashMap<>();
  /** In the journal's database, so lost with it. */
  private ContentHashCache hashes = ContentHashCache.inMemory();

  // One run's state, lost on a kill.
  private SimFileSystem fs;
  private SimTarget target;
  private Random random;
  private LibraryPlan plan;
  private List<Step> agenda;
  private List<EngineEvent> reports;
  private boolean scanning;
  private boolean rescanRequested;

  /** Whether a file's read for its content is cut short once (renamed away and back at once). */
  private final Random readInterruptions;

  SimEngine(Options options, List<String> log) {
    this.options = options;
    this.log = log;
    this.readInterruptions = new Random(options.readInterruptionSeed());
    this.table = options.tables().get();
  }

  /** A fresh data dir: the journal is gone, the target stays. */
  void loseJournal() {
    events.clear();
    snapshot = null;
    snapshotSeqNr = 0;
    table = options.tables().get();
    state = Recorded.empty();
    uploads.clear();
    hashes = ContentHashCache.inMemory();
  }

  /** How many recoveries found the table lacking events, which the recovery then wrote. */
  int recoveredBehindTheTable() {
    return recoveredBehindTheTable;
  }

  /** How many recoveries started from a snapshot that held the whole ledger the table was to get. */
  int recoveredOverAWholeLedger() {
    return recoveredOverAWholeLedger;
  }

  /** How many writes of a whole ledger failed with part of its rows committed. */
  int wholeWritesCutShort() {
    return wholeWritesCutShort;
  }

  /** How many writes of events' rows failed with part of them committed. */
  int eventWritesCutShort() {
    return eventWritesCutShort;
  }

  /** How many recoveries found the table holding events after where the snapshot said it stood. */
  int recoveredAheadOfTheSnapshot() {
    return recoveredAheadOfTheSnapshot;
  }

  /** The journal's ledger now. */
  Ledger ledger() {
    return state.ledger();
  }

  /** The ledger of all events, folded from the first. */
  private Ledger ledgerOfAllEvents() {
    Ledger all = Ledger.empty();
    for (BackupSupervisor.AssetBackedUp event : events) {
      all = all.with(event);
    }
    return all;
  }

  /**
   * As the supervisor recovers: the table's rows, the latest snapshot over them, the events after
   * it, then what the table lacks written. Without the table, the ledger survived whole.
   */
  private void recover() {
    if (!options.table()) {
      return;
    }
    Ledger rows = Ledger.fromTable(reader -> table.load(LIBRARY, reader));
    long eventsThrough = table.eventsThrough(LIBRARY);
    tableThrough = snapshot == null ? eventsThrough : Recorded.tableThrough(snapshot, eventsThrough);
    if (snapshot != null && tableThrough > Recorded.tableThrough(snapshot, 0)) {
      recoveredAheadOfTheSnapshot++;
    }
    snapshotHoldsAWholeLedger = snapshot != null && Recorded.holdsAWholeLedger(snapshot);
    wholeWrittenSinceSnapshot = false;
    state = snapshot == null ? Recorded.empty() : Recorded.fromSnapshot(snapshot, rows);
    if (snapshot instanceof LedgerSnapshot stored && stored.wholeDue().isPresent()) {
      recoveredOverAWholeLedger++;
    }
    // A new supervisor: no write under way while it replays.
    tableWriting = false;
    for (long seqNr = snapshotSeqNr + 1; seqNr <= events.size(); seqNr++) {
      state = state.with(events.get((int) seqNr - 1), seqNr, tableThrough, overlayCap(), options.foldAtLeast());
    }
    if (state.unwritten(tableThrough, events.size(), 1).isPresent()) {
      recoveredBehindTheTable++;
    }
    Ledger all = ledgerOfAllEvents();
    if (!state.ledger().equals(all)) {
      throw new AssertionError(
          "the recovered ledger differs from the ledger of all " + events.size() + " events: " + state.ledger()
              + " against " + all + " (snapshot at " + snapshotSeqNr + ", table through " + tableThrough + ")");
    }
    log.add("  recovered " + state + ", table through " + tableThrough);
    writeTable();
  }

  /** As the supervisor caps its overlay: not while the table is being written. */
  private long overlayCap() {
    return tableWriting ? Long.MAX_VALUE : options.overlayCap();
  }

  /**
   * As the supervisor writes the table: a step commits the rows, a later one tells it so; after a
   * failed write the next event starts the next.
   */
  private void writeTable() {
    if (tableWriting) {
      return;
    }
    long through = events.size();
    state
        .unwritten(tableThrough, through, options.tableBatch())
        .ifPresent(
            rows -> {
              tableWriting = true;
              agenda.add(
                  () -> {
                    // One write in ten fails, as a database may refuse it: the table stays behind.
                    boolean written = random.nextInt(10) != 0;
                    if (written) {
                      rows.writeTo(table, LIBRARY);
                    } else if (rows instanceof Recorded.Whole whole) {
                      writePart(whole);
                    } else if (rows instanceof Recorded.Events some) {
                      writePart(some);
                    }
                    agenda.add(
                        () -> {
                          tableWriting = false;
                          if (written) {
                            tableThrough = Math.max(tableThrough, rows.through());
                            wholeWrittenSinceSnapshot |= rows instanceof Recorded.Whole;
                            writeTable();
                          }
                        });
                  });
            });
  }

  /**
   * A whole ledger's write that fails part way, as the database commits it a batch at a time: some
   * of its rows, from where an earlier write cut short stopped, committed; the next write, in this
   * run or the next, goes on from there.
   */
  private void writePart(Recorded.Whole whole) {
    List<LedgerTable.Row> left = new ArrayList<>();
    whole.ledger().rows(whole.seqNr(), table.rowsAt(LIBRARY, whole.seqNr())).forEach(left::add);
    if (!left.isEmpty()) {
      table.write(LIBRARY, left.subList(0, random.nextInt(left.size())));
      wholeWritesCutShort++;
    }
  }

  /**
   * A write of events' rows that fails part way: the first few committed, as the database commits
   * a batch at a time.
   */
  private void writePart(Recorded.Events some) {
    int committed = random.nextInt(some.rows().size());
    if (committed > 0) {
      table.write(LIBRARY, some.rows().subList(0, committed));
      eventWritesCutShort++;
    }
  }

  /**
   * As Pekko persists a batch of events: a snapshot is due when one of them is a multiple, or, as
   * the supervisor asks, once a whole ledger the latest snapshot held was written to the table.
   */
  private void persist(List<BackupSupervisor.AssetBackedUp> batch) {
    boolean snapshotDue = false;
    for (BackupSupervisor.AssetBackedUp event : batch) {
      events.add(event);
      long seqNr = events.size();
      state = state.with(event, seqNr, tableThrough, overlayCap(), options.foldAtLeast());
      snapshotDue |= seqNr % options.snapshotEvery() == 0 || (snapshotHoldsAWholeLedger && wholeWrittenSinceSnapshot);
    }
    if (!options.table()) {
      return;
    }
    if (snapshotDue) {
      // Pekko takes the state to store at once and stores it later: a kill may lose it.
      Object stored = state.stored(tableThrough);
      snapshotHoldsAWholeLedger = Recorded.holdsAWholeLedger(stored);
      wholeWrittenSinceSnapshot = false;
      long seqNr = events.size();
      agenda.add(
          () -> {
            snapshot = stored;
            snapshotSeqNr = seqNr;
          });
    }
    writeTable();
  }

  /**
   * Runs the library once, to its end or until {@code killAfter} steps (negative: never), with
   * {@code changesDuring} changes to the file system at random moments of the run.
   */
  Run run(SimFileSystem fs, SimTarget target, Random random, int killAfter, int changesDuring) {
    this.fs = fs;
    this.target = target;
    this.random = random;
    this.plan = LibraryPlan.start(options.settings());
    this.agenda = new ArrayList<>();
    this.reports = new ArrayList<>();
    this.rescanRequested = false;
    recover();
    startScan();
    for (int i = 0; i < changesDuring; i++) {
      agenda.add(fs::change);
    }
    int steps = 0;
    while (!agenda.isEmpty()) {
      if (steps == killAfter) {
        log.add("  killed after " + steps + " steps");
        return new Run(false, plan.counts(), reports, steps);
      }
      if (++steps > MAX_STEPS) {
        throw new AssertionError("the run never ends: " + MAX_STEPS + " steps and still " + agenda.size() + " to go");
      }
      agenda.remove(random.nextInt(agenda.size())).run();
    }
    LibraryPlan.Counts counts = plan.counts();
    if (plan.hasWork() || counts.queued() + counts.running() + counts.retrying() > 0) {
      throw new AssertionError("the run stopped with work left: " + counts);
    }
    return new Run(true, plan.counts(), reports, steps);
  }

  /** Something the engine does in its own time: a message to an actor, a step of I/O. */
  @FunctionalInterface
  private interface Step {
    void run();
  }

  private LibraryPlan.Context context() {
    return new LibraryPlan.Context(state.ledger(), options.slots(), NOW, random.nextDouble());
  }

  /** As the supervisor does: the records first, into the journal, then everything else. */
  private void carryOut(LibraryPlan.Step step) {
    plan = step.plan();
    List<BackupSupervisor.AssetBackedUp> batch = new ArrayList<>();
    for (LibraryPlan.Decision decision : step.decisions()) {
      if (decision instanceof LibraryPlan.Record record) {
        batch.add(record.backedUp());
      }
    }
    if (!batch.isEmpty()) {
      persist(batch);
    }
    for (LibraryPlan.Decision decision : step.decisions()) {
      if (decision instanceof LibraryPlan.Identify identify) {
        agenda.add(() -> identify(identify.asset()));
      } else if (decision instanceof LibraryPlan.Upload upload) {
        Ledger backups = state.ledger();
        agenda.add(() -> begin(upload, backups));
      } else if (decision instanceof LibraryPlan.Report report) {
        reports.add(report.event());
      } else if (decision instanceof LibraryPlan.RetryLater retry) {
        agenda.add(() -> carryOut(plan.retryDue(context(), retry.assetId())));
      } else if (decision instanceof LibraryPlan.StopLibrary) {
        agenda.add(() -> carryOut(plan.liftBlockers(context())));
      } else if (decision instanceof LibraryPlan.Rescan) {
        rescan();
      }
    }
  }

  // ---- scanning ----

  private void startScan() {
    scanning = true;
    List<Asset> found = fs.scan(LIBRARY);
    agenda.add(() -> scanFrom(found, 0));
  }

  /** The scan hands over its findings in batches, one after the other. */
  private void scanFrom(List<Asset> found, int from) {
    int to = Math.min(found.size(), from + 1 + random.nextInt(3));
    carryOut(plan.found(context(), found.subList(from, to)));
    if (to < found.size()) {
      agenda.add(() -> scanFrom(found, to));
    } else {
      agenda.add(this::scanEnded);
    }
  }

  private void scanEnded() {
    scanning = false;
    if (rescanRequested) {
      rescanRequested = false;
      startScan();
    }
    carryOut(plan.scanEnded(context()));
  }

  private void rescan() {
    if (scanning) {
      rescanRequested = true;
    } else {
      startScan();
    }
  }

  /** As the supervisor reads a file, through the hash cache of the journal's database. */
  private void identify(Asset asset) {
    boolean interrupted = readInterruptions.nextDouble() < options.readInterruptedRate();
    // Half of them stay away a while: the look after the failed read does not find them either,
    // and they are back, as found, by the time their upload starts.
    boolean awhile = interrupted && readInterruptions.nextBoolean();
    if (interrupted) {
      log.add("  the read of " + asset.relativePath() + " for its content fails once: it was away "
          + (awhile ? "a while" : "an instant"));
    }
    carryOut(plan.identified(context(), asset, Identification.of(interrupted ? interruptedOnce(source, awhile) : source, hashes, asset)));
  }

  /**
   * {@code source}, but its first open fails, as a file renamed away and back during a read does;
   * {@code awhile}: the first look after it does not find the file either.
   */
  private static AssetSource interruptedOnce(AssetSource source, boolean awhile) {
    boolean[] failed = {false};
    boolean[] lookedAgain = {!awhile};
    return new AssetSource() {
      @Override
      public String describe() {
        return source.describe();
      }

      @Override
      public void scan(java.util.function.Consumer<List<Asset>> batches) throws java.io.IOException {
        source.scan(batches);
      }

      @Override
      public java.io.InputStream open(Asset asset) throws java.io.IOException {
        if (!failed[0]) {
          failed[0] = true;
          throw new java.nio.file.NoSuchFileException(asset.relativePath());
        }
        return source.open(asset);
      }

      @Override
      public Optional<Asset> refresh(Asset asset) throws java.io.IOException {
        if (!lookedAgain[0]) {
          lookedAgain[0] = true;
          return Optional.empty();
        }
        return source.refresh(asset);
      }
    };
  }

  /** The file system as a source, for reading and looking again. */
  private final AssetSource source =
      new AssetSource() {
        @Override
        public String describe() {
          return "the simulated file system";
        }

        @Override
        public void scan(java.util.function.Consumer<List<Asset>> batches) {
          batches.accept(fs.scan(LIBRARY));
        }

        @Override
        public java.io.InputStream open(Asset asset) throws java.io.IOException {
          byte[] content =
              fs.read(asset.relativePath()).orElseThrow(() -> new java.nio.file.NoSuchFileException(asset.relativePath()));
          return new java.io.ByteArrayInputStream(content);
        }

        @Override
        public Optional<Asset> refresh(Asset asset) {
          return fs.asset(LIBRARY, asset.relativePath());
        }
      };

  private boolean isAsFound(Asset asset) {
    return fs.asset(LIBRARY, asset.relativePath()).map(now -> now.version().equals(asset.version())).orElse(false);
  }

  // ---- uploading, as FileUpload and Transfer do ----

  private void persist(Asset asset, FileUpload.Event event) {
    uploads.put(asset.id(), FileUpload.apply(state(asset), event));
  }

  private FileUpload.State state(Asset asset) {
    return uploads.getOrDefault(asset.id(), new FileUpload.Queued());
  }

  private void begin(LibraryPlan.Upload upload, Ledger backups) {
    Asset asset = upload.asset();
    FileUpload.Beginning beginning = FileUpload.beginning(state(asset), asset.version());
    switch (beginning.with()) {
      case REPORT_COMPLETED -> {
        FileUpload.Completed done = (FileUpload.Completed) state(asset);
        finish(asset, new FileUpload.Uploaded(new RemoteFile(done.remotePath(), done.bytes(), done.sha256()), NOW, true));
        return;
      }
      case NEW_ATTEMPT ->
          persist(
              asset,
              new FileUpload.UploadStarted(
                  LIBRARY,
                  asset.id(),
                  asset.relativePath(),
                  upload.remotePath(),
                  asset.size(),
                  asset.createdAt(),
                  asset.createdAtSource(),
                  asset.version(),
                  upload.reason(),
                  beginning.attempt(),
                  NOW));
      case RESUME -> persist(asset, new FileUpload.UploadResumed(NOW));
      case CONTINUE -> {}
    }
    probeAndSend(upload, backups);
  }

  private void probeAndSend(LibraryPlan.Upload upload, Ledger backups) {
    Asset asset = upload.asset();
    for (int round = 0; round < 3; round++) {
      FileUpload.Started state = (FileUpload.Started) state(asset);
      String path = state.remotePath() != null ? state.remotePath() : upload.remotePath();
      Optional<byte[]> current = fs.read(asset.relativePath());
      if (current.isEmpty()) {
        skip(asset, new FileUpload.Gone(asset.relativePath() + " no longer exists"));
        return;
      }
      RemoteState remote = readBackWithoutHash(target.probe(path), path, asset.size());
      boolean replacing = false;
      if (remote instanceof RemoteState.Complete found) {
        // The identified hash while the file is as found; else the file read now. MD5 only where
        // the target tells nothing stronger, from the file read now.
        boolean withMd5 = found.sha256().isEmpty() && found.md5().isPresent();
        String sha256 =
            asset.contentHash().filter(hash -> !withMd5 && isAsFound(asset)).orElseGet(() -> SimFileSystem.Sha.of(current.get()));
        String md5 = withMd5 ? SimFileSystem.Sha.md5(current.get()) : null;
        boolean mayHoldBackup = backups.knownBackups().mayHoldBackup(path, found);
        RemoteDecision decision =
            RemoteDecision.decide(
                new RemoteDecision.Found(
                    path,
                    upload.remotePath(),
                    state.remotePath() != null,
                    asset.size(),
                    sha256,
                    md5,
                    found,
                    options.policy(),
                    mayHoldBackup));
        if (decision instanceof RemoteDecision.AlreadyThere) {
          complete(asset, path, sha256, true);
          return;
        }
        if (decision instanceof RemoteDecision.KeepBoth keepBoth) {
          persist(asset, new FileUpload.RemotePathChanged(keepBoth.remotePath(), keepBoth.reason(), NOW));
          continue;
        }
        if (decision instanceof RemoteDecision.Decline) {
          skip(asset, new FileUpload.Declined(decision.reason()));
          return;
        }
        if (decision instanceof RemoteDecision.Conflict) {
          fail(asset, new UploadError.Conflict(decision.reason()));
          return;
        }
        replacing = true;
      }
      byte[] now = current.get();
      if (now.length < asset.size()) {
        skip(asset, new FileUpload.Changed(asset.relativePath() + " became shorter while it was uploaded"));
        return;
      }
      byte[] streamed = Arrays.copyOf(now, (int) asset.size());
      target.receive(streamed);
      boolean replaces = replacing;
      agenda.add(() -> publish(upload, backups, path, streamed, replaces));
      return;
    }
    throw new AssertionError("an upload went round the keep-both names three times: " + asset.relativePath());
  }

  /**
   * As the real upload's probe: a finished file of the asset's size whose hash the target cannot
   * tell is read back to learn its sha256.
   */
  private RemoteState readBackWithoutHash(RemoteState found, String path, long size) {
    if (!(found instanceof RemoteState.Complete complete) || complete.hasHash() || complete.size() != size) {
      return found;
    }
    return target
        .read(path)
        .<RemoteState>map(bytes -> new RemoteState.Complete(complete.size(), Optional.of(SimFileSystem.Sha.of(bytes)), complete.md5()))
        .orElse(found);
  }

  /** After the last byte: the source must still hold what was sent, then the target publishes. */
  private void publish(LibraryPlan.Upload upload, Ledger backups, String path, byte[] streamed, boolean replacing) {
    Asset asset = upload.asset();
    Optional<Asset> now = fs.asset(LIBRARY, asset.relativePath());
    if (now.isEmpty()) {
      skip(asset, new FileUpload.Gone(asset.relativePath() + " was deleted while it was uploaded"));
      return;
    }
    if (!now.get().version().equals(asset.version())) {
      byte[] current = fs.read(asset.relativePath()).orElseThrow();
      boolean asIdentified = asset.contentHash().map(SimFileSystem.Sha.of(streamed)::equals).orElse(true);
      if (!asIdentified || current.length != asset.size() || !SimFileSystem.Sha.of(current).equals(SimFileSystem.Sha.of(streamed))) {
        skip(asset, new FileUpload.Changed(asset.relativePath() + " changed while it was uploaded"));
        return;
      }
    }
    String sha256 = SimFileSystem.Sha.of(streamed);
    Optional<String> copy = FileUpload.copyLearntLate(asset, sha256, backups.knownBackups());
    if (copy.isPresent()) {
      skip(asset, new FileUpload.Copy(sha256, copy.get()));
      return;
    }
    if (random.nextDouble() < options.faultRate()) {
      boolean full = random.nextInt(10) == 0;
      fail(asset, full ? new UploadError.QuotaExceeded("injected: full") : new UploadError.Transient("injected"));
      return;
    }
    if (!target.publish(path, streamed, replacing)) {
      FileUpload.Started state = (FileUpload.Started) state(asset);
      if (state.remotePath() == null && options.policy() != ConflictPolicy.SKIP && !replacing) {
        // Another file took the name while this one was sent: probe again, which decides.
        probeAndSend(upload, backups);
      } else {
        fail(asset, new UploadError.Conflict("a different file appeared at " + path));
      }
      return;
    }
    complete(asset, path, SimFileSystem.Sha.of(streamed), false);
  }

  private void complete(Asset asset, String path, String sha256, boolean alreadyOnTarget) {
    persist(asset, new FileUpload.UploadCompleted(path, sha256, asset.size(), NOW, alreadyOnTarget));
    finish(asset, new FileUpload.Uploaded(new RemoteFile(path, asset.size(), sha256), NOW, alreadyOnTarget));
  }

  private void skip(Asset asset, FileUpload.Outcome outcome) {
    persist(asset, new FileUpload.UploadSkipped(outcome.toString(), NOW));
    finish(asset, outcome);
  }

  private void fail(Asset asset, UploadError error) {
    persist(asset, new FileUpload.UploadFailed(error, 1, 0, NOW));
    finish(asset, new FileUpload.Failure(error, 1));
  }

  /** The upload's outcome reaches the supervisor a step later: a kill may come between. */
  private void finish(Asset asset, FileUpload.Outcome outcome) {
    agenda.add(() -> carryOut(plan.finished(context(), asset.id(), outcome)));
  }
}
