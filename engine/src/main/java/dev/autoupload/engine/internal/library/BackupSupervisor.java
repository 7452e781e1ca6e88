package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.internal.Piped;
import dev.autoupload.engine.internal.conditions.ConditionMonitor;
import dev.autoupload.engine.internal.metrics.EngineMetrics;
import dev.autoupload.engine.internal.persistence.JournalFailures;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import dev.autoupload.engine.internal.upload.BandwidthLimiter;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.StepTracker;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryRules;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.RemoteLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Backs up one library: scans its source, runs the uploads and reads its {@link LibraryPlan}
 * decides on, and persists its {@link Ledger}. It holds actor work only (messages, timers,
 * persistence, children); every decision about an asset is the plan's.
 *
 * <p>Only running uploads are actors ({@link FileUpload}, one per asset, at most {@code
 * parallelism}); queued and waiting assets are entries of the plan. The only persisted fact is
 * {@link AssetBackedUp}: everything else is rebuilt by the next scan, and each upload's progress
 * lives in its own journal.
 *
 * <p>It follows the {@link ConditionMonitor}'s verdict: when uploads are blocked it pauses the
 * running ones (they keep their offsets and send nothing more) and starts none; when the OS
 * throttles, only {@code concurrency} of them keep sending. The library's own rules ({@link
 * LibraryRules}) act through its plan: what they hold back does not start, and an upload they hold
 * on a metered network pauses the same way, leaving its slot to one they allow; a timer wakes the
 * plan when an asset {@code min-age} holds is old enough.
 *
 * <p>The ledger's facts also go to the {@link LedgerTable}, a row per event, written after their
 * events have committed, half a snapshot's interval at a time, so a snapshot holds where the table
 * stood and the events after it ({@link LedgerSnapshot}) instead of the whole ledger: its size
 * follows the table's lag, not the library. The table is read before the recovery; a recovery
 * writes to it what the events after the snapshot's table position hold, so a kill between an
 * event's commit and the table's write loses nothing. Events are never deleted. A snapshot of the
 * whole ledger, as stored before, still loads, and the whole ledger is then written to the table
 * in commits of a bounded size, going on where a killed write stopped.
 *
 * <p>Outcomes are handled when the child has stopped, never before: a retry must not start a second
 * writer on an upload's journal while the first is still stopping.
 *
 * <p>It is not restarted by a Pekko supervisor but watched by the engine's guardian, which restarts
 * it after a backoff when it fails and shows why in the meantime ({@link LibraryHealth}). A failure
 * to write the journal, its own or an upload's, fails it as a whole: the journal is the library's.
 */
public final class BackupSupervisor
    extends EventSourcedBehavior<BackupSupervisor.Command, BackupSupervisor.Event, Recorded> {

  /** The journal's entity type of its events; for the engine's own use. */
  public static final String ENTITY_TYPE = "BackupSupervisor";

  private static final Duration LONGEST_WAKE = Duration.ofDays(1);

  /** Commands kept while the ledger table is read, before the recovery: status asks, scans asked for. */
  private static final int STASHED_WHILE_LOADING = 10_000;

  /**
   * Events a snapshot holds at most besides where the table stood; more (a long replay without a
   * snapshot, a table that cannot be written) and it holds the whole ledger until the table has it.
   */
  private static final long OVERLAY_CAP_AT_LEAST = 10_000;

  /** The status lists this many of the assets the rules hold back; a million would not help a reader. */
  private static final int HELD_SHOWN = 100;

  // ---- protocol ----

  /** What the supervisor is told; for the engine's own use, through {@code UploadEngine}. */
  public sealed interface Command {}

  /**
   * Asks for the library's status.
   *
   * @param replyTo where the status goes
   */
  public record GetStatus(ActorRef<LibraryStatus> replyTo) implements Command {}

  /**
   * Lifts the library's own blockers ({@code TARGET_FULL}, {@code NOT_AUTHORIZED}, {@code
   * TARGET_UNTRUSTED}, {@code TARGET_UNREACHABLE}) now, as when the user resumes, instead of at the
   * next automatic retry.
   */
  public record ClearLibraryBlockers(ActorRef<Done> replyTo) implements Command {}

  /**
   * Scans the source now, as when it reports a change (once the scan in progress ended, when one
   * runs), and replies once the scan is under way: a status asked after the reply is not idle
   * before that scan's assets are planned.
   */
  public record ScanNow(ActorRef<Done> replyTo) implements Command {}

  /** Puts an asset that failed for good in this run back at the front of the queue. */
  public record RetryAsset(String assetId, ActorRef<Boolean> replyTo) implements Command {}

  private record VerdictChanged(Verdict verdict) implements Command {}

  private record LibraryRetryDue() implements Command {}

  /** An asset {@code min-age} held back may be old enough now. */
  private record OldEnoughDue() implements Command {}

  record AssetsFound(List<Asset> assets) implements Command {}

  record ScanEnded(Optional<String> error) implements Command {}

  /** The source says the library may have changed: scan again. */
  record SourceChanged() implements Command {}

  /** The source's watch started, or could not (empty). */
  record Watching(Optional<AutoCloseable> handle) implements Command {}

  private record UploadReported(FileUpload.Report report) implements Command {}

  /** An upload's actor stopped; {@code failure} when it failed instead of reporting an outcome. */
  private record UploadStopped(String assetId, Optional<Throwable> failure) implements Command {}

  private record RetryDue(String assetId) implements Command {}

  private record AssetIdentified(Asset asset, LibraryPlan.Identity identity) implements Command {}

  /** The ledger table's rows of this library were read: the ledger a snapshot builds on. */
  private record TableLoaded(Ledger table, long eventsThrough) implements Command {}

  /**
   * The ledger table was written through {@code through}, a whole ledger or events, or could not be
   * ({@code failure}).
   */
  private record TableWritten(long through, boolean whole, Optional<Throwable> failure) implements Command {}

  /** What the supervisor journals; public for the journal's serializer, not for embedders. */
  public sealed interface Event extends CborSerializable {}

  /**
   * This version of the asset is on the target, byte-exact: later runs never queue it again, nor
   * any other asset with the same content. {@code remotePath} is empty for an alias: its content
   * was already on the target for another asset or version.
   *
   * @param version the asset's {@link Asset#version()}
   * @param sha256 its content, lowercase hex
   * @param size its content's length in bytes
   */
  public record AssetBackedUp(
      String assetId, String version, String sha256, long size, Optional<String> remotePath, Instant at)
      implements Event {}

  /** Told to the engine once the supervisor has recovered its ledger and works: it is up. */
  public record Recovered(String libraryId) {}

  // ---- behaviour ----

  /**
   * The journal's id of a library's supervisor; for the engine's own use.
   *
   * @param libraryId the library
   * @return its persistence id
   */
  public static PersistenceId persistenceId(String libraryId) {
    return PersistenceId.of(ENTITY_TYPE, libraryId);
  }

  /** What a supervisor needs from the engine besides its library. */
  public record Wiring(
      UploadSettings settings,
      RemoteLayout layout,
      int snapshotEvery,
      BandwidthLimiter bandwidth,
      StepTracker steps,
      ActorRef<ConditionMonitor.Command> conditions,
      Clock clock,
      ContentHashCache hashes,
      LedgerTable ledgers,
      ActorRef<Recovered> recovered,
      EngineMetrics metrics) {

    /**
     * The same wiring, following another monitor's verdict: a library's own.
     *
     * @param monitor the monitor to follow
     * @return the wiring with it
     */
    public Wiring following(ActorRef<ConditionMonitor.Command> monitor) {
      return new Wiring(settings, layout, snapshotEvery, bandwidth, steps, monitor, clock, hashes, ledgers, recovered, metrics);
    }
  }

  /**
   * The supervisor's behaviour; for the engine's own use (the engine's guardian spawns it).
   *
   * @param library the library to back up
   * @param wiring what it needs from the engine
   * @return the behaviour
   */
  public static Behavior<Command> create(Library library, Wiring wiring) {
    return Behaviors.setup(
        context -> {
          // The table is read before the recovery, which builds on it: a snapshot holds only what
          // the table may lack.
          Executor blockingIo =
              context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
          context.pipeToSelf(
              CompletableFuture.supplyAsync(
                  () -> {
                    String persistenceId = persistenceId(library.id()).id();
                    return new TableLoaded(
                        Ledger.fromTable(reader -> wiring.ledgers().load(persistenceId, reader)),
                        wiring.ledgers().eventsThrough(persistenceId));
                  },
                  blockingIo),
              (loaded, error) -> {
                if (error != null) {
                  throw new IllegalStateException("cannot read the ledger table of " + library.id(), error);
                }
                return loaded;
              });
          return Behaviors.withStash(
              STASHED_WHILE_LOADING,
              stash ->
                  Behaviors.receive(Command.class)
                      .onMessage(
                          TableLoaded.class,
                          loaded ->
                              stash.unstashAll(
                                  Behaviors.withTimers(
                                      timers -> new BackupSupervisor(context, timers, library, wiring, loaded))))
                      .onAnyMessage(
                          msg -> {
                            stash.stash(msg);
                            return Behaviors.same();
                          })
                      .build());
        });
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Library library;
  /** The library's source, handing over assets that carry the library's id (see {@link OwnAssets}). */
  private final AssetSource source;
  private final Wiring wiring;
  private final Executor blockingIo;
  private final ActorRef<FileUpload.Report> reports;

  private final RunningUploads uploads;
  private final SourceFeed feed;
  private LibraryPlan plan;
  /** Until the monitor's first verdict arrives nothing starts. */
  private Verdict verdict = new Verdict(false, 0, Set.of());
  private boolean reportedBusy;
  private Optional<String> scanError = Optional.empty();

  /** The table's rows as read before the recovery; let go of once recovered. */
  private Ledger table;
  /** The table's last event row as read before the recovery. */
  private final long tableEventsThrough;
  /** The ledger table holds every fact of the events up to this sequence number. */
  private long tableThrough;
  private boolean tableWriting;
  /** Whether the latest snapshot holds a whole ledger, which every start then loads. */
  private boolean snapshotHoldsAWholeLedger;
  /** Whether a whole ledger was written to the table since the latest snapshot. */
  private boolean wholeWrittenSinceSnapshot;

  private BackupSupervisor(
      ActorContext<Command> context, TimerScheduler<Command> timers, Library library, Wiring wiring, TableLoaded table) {
    super(persistenceId(library.id()));
    this.context = context;
    this.timers = timers;
    this.library = library;
    this.wiring = wiring;
    this.table = table.table();
    this.tableEventsThrough = table.eventsThrough();
    // Without a snapshot the recovery replays every event; the table still holds what it holds.
    this.tableThrough = table.eventsThrough();
    this.plan =
        LibraryPlan.start(
            new LibraryPlan.Settings(
                library.id(), wiring.settings(), wiring.layout(), library.target().nameRules(), library.rules()));
    this.blockingIo =
        context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    this.source = OwnAssets.of(library.id(), library.source());
    this.feed = new SourceFeed(context, source, blockingIo);
    this.reports = context.messageAdapter(FileUpload.Report.class, UploadReported::new);
    this.uploads = new RunningUploads(context, library.id(), this::publish);
    wiring
        .conditions()
        .tell(new ConditionMonitor.Subscribe(context.messageAdapter(Verdict.class, VerdictChanged::new)));
  }

  @Override
  public Recorded emptyState() {
    return Recorded.empty();
  }

  /** Events are never deleted (no {@code withDeleteEventsOnSnapshot}): the table may lag them. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(wiring.snapshotEvery(), 2);
  }

  /** Snapshots hold where the table stood and the events after it, not the whole ledger. */
  @Override
  public SnapshotAdapter<Recorded> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Recorded state) {
        Object stored = state.stored(tableThrough);
        snapshotHoldsAWholeLedger = Recorded.holdsAWholeLedger(stored);
        wholeWrittenSinceSnapshot = false;
        return stored;
      }

      @Override
      public Recorded fromJournal(Object stored) {
        tableThrough = Recorded.tableThrough(stored, tableEventsThrough);
        snapshotHoldsAWholeLedger = Recorded.holdsAWholeLedger(stored);
        return Recorded.fromSnapshot(stored, table);
      }
    };
  }

  /**
   * Besides every {@code snapshotEvery} events: the first event once the table holds what the latest
   * snapshot held whole, so the next start loads a small snapshot (a million assets: 134 MB, about
   * 8 s) without waiting for a thousand more uploads, which on a phone may take weeks. Decided on
   * the supervisor's own fields: Pekko passes the state before the event when it persists several.
   */
  @Override
  public boolean shouldSnapshot(Recorded state, Event event, long sequenceNr) {
    return snapshotHoldsAWholeLedger && wholeWrittenSinceSnapshot;
  }

  /** Events written to the table together: half a snapshot's interval, so a snapshot holds about that many. */
  private int tableBatch() {
    return Math.max(1, wiring.snapshotEvery() / 2);
  }

  /**
   * None while the table is being written, which trims the overlay once done: a whole ledger is
   * written as of the overlay's base, so letting the overlay go meanwhile would move the base on and
   * make the write under way too old to catch the table up; and the events' rows after a long
   * replay are written with the overlay nearly full. The cap is for a table that cannot be written.
   */
  private long overlayCap() {
    return tableWriting ? Long.MAX_VALUE : Math.max(OVERLAY_CAP_AT_LEAST, 2L * wiring.snapshotEvery());
  }

  /**
   * Writes what the table lacks of the events so far, unless a write is under way (its end brings
   * the next): after events committed, and after the recovery, the events the snapshot's table
   * did not hold included.
   */
  private void writeTable(Recorded state) {
    if (tableWriting) {
      return;
    }
    state
        .unwritten(tableThrough, lastSequenceNumber(context), tableBatch())
        .ifPresent(
            rows -> {
              tableWriting = true;
              String persistenceId = persistenceId(library.id()).id();
              context.pipeToSelf(
                  Piped.done(CompletableFuture.runAsync(() -> rows.writeTo(wiring.ledgers(), persistenceId), blockingIo)),
                  (done, error) ->
                      new TableWritten(rows.through(), rows instanceof Recorded.Whole, Optional.ofNullable(error)));
            });
  }

  private Effect<Event, Recorded> onTableWritten(Recorded state, TableWritten msg) {
    tableWriting = false;
    if (msg.failure().isPresent()) {
      // The events hold it all: the table catches up with the next event, or the next recovery.
      context.getLog().warn("Cannot write the ledger table of {}: {}", library.id(), msg.failure().get().toString());
      return Effect().none();
    }
    tableThrough = Math.max(tableThrough, msg.through());
    wholeWrittenSinceSnapshot |= msg.whole();
    writeTable(state);
    return Effect().none();
  }

  @Override
  public SignalHandler<Recorded> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              table = null;
              writeTable(state);
              wiring.recovered().tell(new Recovered(library.id()));
              // Watching first, so nothing that appears during the first scan is missed.
              if (library.keepWatching()) {
                feed.watch();
              }
              feed.scan();
            })
        .onSignal(PostStop.instance(), ledger -> feed.stop())
        .onSignal(
            Terminated.class,
            (ledger, terminated) ->
                uploads
                    .assetOf(terminated.getRef())
                    .ifPresent(
                        assetId ->
                            context
                                .getSelf()
                                .tell(
                                    new UploadStopped(
                                        assetId,
                                        terminated instanceof ChildFailed failed
                                            ? Optional.of(failed.getCause())
                                            : Optional.empty()))))
        .build();
  }

  @Override
  public EventHandler<Recorded, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            AssetBackedUp.class,
            (state, event) -> state.with(event, lastSequenceNumber(context), tableThrough, overlayCap()))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, Recorded> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            AssetsFound.class,
            (ledger, msg) -> {
              feed.taken();
              return carryOut(plan.found(now(ledger), msg.assets()));
            })
        .onCommand(ScanEnded.class, this::onScanEnded)
        .onCommand(
            SourceChanged.class,
            msg -> {
              feed.rescan();
              return Effect().none();
            })
        .onCommand(
            ScanNow.class,
            msg -> {
              feed.rescan();
              applyLimit();
              return Effect().reply(msg.replyTo(), Done.getInstance());
            })
        .onCommand(
            AssetIdentified.class, (ledger, msg) -> carryOut(plan.identified(now(ledger), msg.asset(), msg.identity())))
        .onCommand(
            Watching.class,
            msg -> {
              feed.watching(msg.handle());
              return Effect().none();
            })
        .onCommand(
            UploadReported.class,
            msg -> {
              uploads.report(msg.report());
              return Effect().none();
            })
        .onCommand(UploadStopped.class, this::onUploadStopped)
        .onCommand(RetryDue.class, (ledger, msg) -> carryOut(plan.retryDue(now(ledger), msg.assetId())))
        .onCommand(VerdictChanged.class, this::onVerdictChanged)
        .onCommand(LibraryRetryDue.class, (ledger, msg) -> liftBlockers(ledger))
        .onCommand(OldEnoughDue.class, (ledger, msg) -> carryOut(plan.wake(now(ledger))))
        .onCommand(ClearLibraryBlockers.class, this::onClearLibraryBlockers)
        .onCommand(RetryAsset.class, this::onRetryAsset)
        .onCommand(GetStatus.class, (ledger, msg) -> Effect().reply(msg.replyTo(), status()))
        .onCommand(TableWritten.class, this::onTableWritten)
        .build();
  }

  // ---- carrying out the plan's decisions ----

  private LibraryPlan.Context now(Recorded state) {
    return new LibraryPlan.Context(
        state.ledger(), slots(), wiring.clock().instant(), ThreadLocalRandom.current().nextDouble(), verdict.metered());
  }

  /** How many uploads the device conditions let run. */
  private int slots() {
    return verdict.allowed() ? Math.min(wiring.settings().parallelism(), verdict.concurrency()) : 0;
  }

  /** Takes the step's plan, persists what it recorded, then carries out the rest. */
  private EffectBuilder<Event, Recorded> carryOut(LibraryPlan.Step step) {
    plan = step.plan();
    List<Event> events = new ArrayList<>();
    List<LibraryPlan.Decision> actions = new ArrayList<>();
    for (LibraryPlan.Decision decision : step.decisions()) {
      if (decision instanceof LibraryPlan.Record record) {
        events.add(record.backedUp());
      } else {
        actions.add(decision);
      }
    }
    // Uploads start after the records are in the ledger, so each knows the backups before it.
    EffectBuilder<Event, Recorded> effect;
    if (events.isEmpty()) {
      effect = Effect().none();
    } else {
      long asked = System.nanoTime();
      effect =
          Effect()
              .persist(events)
              .thenRun(state -> wiring.metrics().journalCommitted(Duration.ofNanos(System.nanoTime() - asked)))
              .thenRun(this::writeTable);
    }
    return effect
        .thenRun(state -> actions.forEach(action -> act(state.ledger(), action)))
        .thenRun(ledger -> applyLimit());
  }

  private void act(Ledger ledger, LibraryPlan.Decision decision) {
    if (decision instanceof LibraryPlan.Identify identify) {
      Asset asset = identify.asset();
      context.pipeToSelf(
          CompletableFuture.supplyAsync(() -> Identification.of(source, wiring.hashes(), asset), blockingIo),
          (identity, error) -> new AssetIdentified(asset, error == null ? identity : LibraryPlan.Identity.unreadable()));
    } else if (decision instanceof LibraryPlan.Upload upload) {
      start(ledger, upload);
    } else if (decision instanceof LibraryPlan.Report report) {
      if (report.event() instanceof EngineEvent.AssetFailed failed && !failed.willRetry()) {
        context.getLog().warn("Giving up on {}: {}", failed.path(), failed.error().message());
      }
      publish(report.event());
    } else if (decision instanceof LibraryPlan.RetryLater retry) {
      context.getLog().info("Retrying {} in {} after: {}", retry.assetId(), retry.delay(), retry.reason());
      timers.startSingleTimer(retry.assetId(), new RetryDue(retry.assetId()), retry.delay());
    } else if (decision instanceof LibraryPlan.StopLibrary stop) {
      context.getLog().warn("{} stops uploads to {}: {}", stop.blocker(), library.target().describe(), stop.reason());
      timers.startSingleTimer(LibraryRetryDue.class, new LibraryRetryDue(), stop.delay());
    } else if (decision instanceof LibraryPlan.WakeAt wake) {
      Duration delay = Duration.between(wiring.clock().instant(), wake.at());
      // Pekko's scheduler refuses delays beyond a few years (a min-age of 10 years, a camera's
      // clock years behind); a wake that comes early asks for the next one.
      Duration capped = delay.isNegative() ? Duration.ZERO : delay.compareTo(LONGEST_WAKE) > 0 ? LONGEST_WAKE : delay;
      timers.startSingleTimer(OldEnoughDue.class, new OldEnoughDue(), capped);
    } else if (decision instanceof LibraryPlan.Rescan rescan) {
      context.getLog().info("{}", rescan.reason());
      feed.rescan();
    }
  }

  private void start(Ledger ledger, LibraryPlan.Upload upload) {
    FileUpload.Job job =
        new FileUpload.Job(
            upload.asset(),
            upload.reason(),
            upload.remotePath(),
            source,
            library.target(),
            wiring.settings(),
            ledger.knownBackups(),
            wiring.bandwidth(),
            wiring.steps(),
            reports,
            wiring.clock());
    uploads.start(job);
  }

  private Effect<Event, Recorded> onScanEnded(Recorded ledger, ScanEnded msg) {
    scanError = msg.error();
    msg.error()
        .ifPresent(
            message -> {
              context.getLog().warn("Scan of {} failed: {}", library.source().describe(), message);
              publish(new EngineEvent.ScanFailed(library.id(), library.source().describe(), message));
            });
    feed.scanEnded();
    return carryOut(plan.scanEnded(now(ledger)));
  }

  // ---- conditions ----

  /** Every reason that applies to this library's waiting and running uploads. */
  private Set<BlockerReason> reasons() {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    reasons.addAll(stops());
    reasons.addAll(plan.heldReasons(verdict.metered(), wiring.clock().instant()));
    return Set.copyOf(reasons);
  }

  /** The reasons that stop every upload of this library alike: the device's and its target's. */
  private Set<BlockerReason> stops() {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    reasons.addAll(verdict.reasons());
    reasons.addAll(plan.blockers());
    return Set.copyOf(reasons);
  }

  private Effect<Event, Recorded> onVerdictChanged(Recorded ledger, VerdictChanged msg) {
    verdict = msg.verdict();
    return carryOut(plan.fill(now(ledger)));
  }

  /**
   * Pauses the running uploads beyond the limit (all of them when blocked) and resumes the ones
   * within it from their offsets; tells the monitor whether this library has work. Called after
   * every change.
   */
  private void applyLimit() {
    Instant now = wiring.clock().instant();
    uploads.limit(
        plan.sendingLimit(slots()), stops(), asset -> library.rules().check(asset, verdict.metered(), now).reasons());
    // A rescan of a watched library that finds nothing new is not a run of its own; one that looks
    // for a file that changed mid-upload, in a library backed up once, is part of the run.
    boolean busy = (feed.scanning() && (!plan.firstScanDone() || !library.keepWatching())) || plan.hasWork();
    if (busy != reportedBusy) {
      reportedBusy = busy;
      wiring.conditions().tell(new ConditionMonitor.LibraryBusy(library.id(), busy));
    }
  }

  private EffectBuilder<Event, Recorded> liftBlockers(Recorded ledger) {
    if (!plan.blockers().isEmpty()) {
      context.getLog().info("Trying {} again after {}", library.target().describe(), plan.blockers());
    }
    return carryOut(plan.liftBlockers(now(ledger)));
  }

  private Effect<Event, Recorded> onClearLibraryBlockers(Recorded ledger, ClearLibraryBlockers msg) {
    timers.cancel(LibraryRetryDue.class);
    return liftBlockers(ledger).thenReply(msg.replyTo(), ledgerNow -> Done.getInstance());
  }

  private Effect<Event, Recorded> onRetryAsset(Recorded ledger, RetryAsset msg) {
    boolean failed = plan.hasFailed(msg.assetId());
    return carryOut(plan.retryFailed(now(ledger), msg.assetId())).thenReply(msg.replyTo(), ledgerNow -> failed);
  }

  private Effect<Event, Recorded> onUploadStopped(Recorded ledger, UploadStopped msg) {
    Optional<Throwable> journalFailure = msg.failure().filter(JournalFailures::fromJournal);
    if (journalFailure.isPresent()) {
      throw new IllegalStateException("an upload could not write the journal", journalFailure.get());
    }
    return uploads
        .stopped(msg.assetId(), msg.failure())
        .<Effect<Event, Recorded>>map(outcome -> carryOut(plan.finished(now(ledger), msg.assetId(), outcome)))
        .orElseGet(() -> Effect().none());
  }

  // ---- status ----

  private LibraryStatus status() {
    LibraryPlan.Counts counts = plan.counts();
    return new LibraryStatus(
        library.id(),
        library.source().describe(),
        library.target().describe(),
        feed.scanning(),
        scanError,
        counts.discovered(),
        counts.alreadyBackedUp(),
        counts.queued(),
        counts.running(),
        counts.retrying(),
        counts.completed(),
        counts.skipped(),
        counts.failed(),
        counts.bytesToUpload(),
        counts.bytesFinished() + uploads.bytesInFlight(),
        uploads.bytesSent(),
        reasons(),
        uploads.inFlight(),
        counts.failures(),
        counts.notBackedUp(),
        counts.retries(),
        plan.targetError(),
        plan.targetRetryAt(),
        plan.unreachableTooLong(),
        library.target().notes(),
        Optional.empty(),
        plan.held(verdict.metered(), wiring.clock().instant(), HELD_SHOWN),
        counts.leftOutByOnlySince(),
        library.source().notOffered());
  }

  private void publish(EngineEvent event) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(event));
  }
}
