package dev.autoupload.engine.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.ConditionMonitor;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.serialization.CborSerializable;
import dev.autoupload.engine.upload.BandwidthLimiter;
import dev.autoupload.engine.upload.FileUpload;
import dev.autoupload.engine.upload.KnownBackups;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.StepTracker;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadSettings;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Backs up one library: scans its source, queues what the {@link Ledger} does not hold yet, and
 * runs at most {@code parallelism} {@link FileUpload}s at once.
 *
 * <p>Only running uploads are actors; queued and waiting-to-retry assets are plain entries, so a
 * million queued assets cost memory for a million small records, not a million actors. A failed
 * attempt is retried after an exponential backoff with jitter (a server's Retry-After wins when
 * longer), up to {@code max-attempts} per run; then the asset is Failed with its last error and the
 * next run tries again. The only persisted fact is {@link AssetBackedUp}: everything else is
 * rebuilt by the next scan, and each upload's progress lives in its own journal.
 *
 * <p>It follows the {@link ConditionMonitor}'s verdict: when uploads are blocked it pauses the
 * running ones (they keep their offsets and send nothing more) and starts none; when the OS
 * throttles, only {@code concurrency} of them keep sending. A full or refusing target
 * ({@code TARGET_FULL}, {@code NOT_AUTHORIZED}, {@code TARGET_UNTRUSTED}) blocks this library alone until the next retry
 * after {@code max-backoff} or the user's resume.
 *
 * <p>Outcomes are handled when the child has stopped, never before: a retry must not start a second
 * writer on an upload's journal while the first is still stopping.
 */
public final class BackupSupervisor
    extends EventSourcedBehavior<BackupSupervisor.Command, BackupSupervisor.Event, Ledger> {

  public static final String ENTITY_TYPE = "BackupSupervisor";
  private static final long PROGRESS_INTERVAL_NANOS = Duration.ofMillis(250).toNanos();

  // ---- protocol ----

  public sealed interface Command {}

  public record GetStatus(ActorRef<LibraryStatus> replyTo) implements Command {}

  /**
   * Lifts the library's own blockers ({@code TARGET_FULL}, {@code NOT_AUTHORIZED}, {@code TARGET_UNTRUSTED}) now, as when the
   * user resumes, instead of at the next automatic retry.
   */
  public record ClearLibraryBlockers(ActorRef<Done> replyTo) implements Command {}

  /** Puts an asset that failed for good in this run back at the front of the queue. */
  public record RetryAsset(String assetId, ActorRef<Boolean> replyTo) implements Command {}

  private record VerdictChanged(Verdict verdict) implements Command {}

  private record LibraryRetryDue() implements Command {}

  private record AssetsFound(List<Asset> assets) implements Command {}

  private record ScanFinished() implements Command {}

  private record ScanFailed(String message) implements Command {}

  /** The source says the library may have changed: scan again. */
  private record SourceChanged() implements Command {}

  private record WatchStarted(AutoCloseable handle) implements Command {}

  private record WatchFailed(String message) implements Command {}

  private record UploadReported(FileUpload.Report report) implements Command {}

  private record UploadStopped(String assetId) implements Command {}

  private record RetryDue(String assetId) implements Command {}

  /** The asset's content hash, or empty when it could not be read: its upload then says why. */
  private record AssetIdentified(Asset asset, Optional<String> sha256) implements Command {}

  public sealed interface Event extends CborSerializable {}

  /**
   * The asset is on the target, byte-exact; later runs never queue it again, nor any other asset
   * with the same content. {@code remotePath} is null for an alias (its content was already
   * uploaded for another asset); {@code sha256} is null in events written before contents were
   * recorded, {@code size} (of the content, in bytes) in those written before sizes were.
   */
  public record AssetBackedUp(String assetId, String remotePath, Instant at, String sha256, Long size)
      implements Event {}

  // ---- behaviour ----

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
      ContentHashCache hashes) {

    public Wiring(
        UploadSettings settings,
        RemoteLayout layout,
        int snapshotEvery,
        BandwidthLimiter bandwidth,
        StepTracker steps,
        ActorRef<ConditionMonitor.Command> conditions,
        Clock clock) {
      this(settings, layout, snapshotEvery, bandwidth, steps, conditions, clock, ContentHashCache.inMemory());
    }

    /** Wiring that mirrors the source's folders on the target. */
    public Wiring(
        UploadSettings settings,
        int snapshotEvery,
        BandwidthLimiter bandwidth,
        StepTracker steps,
        ActorRef<ConditionMonitor.Command> conditions,
        Clock clock) {
      this(settings, RemoteLayout.MIRROR, snapshotEvery, bandwidth, steps, conditions, clock);
    }
  }

  public static Behavior<Command> create(Library library, Wiring wiring) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new BackupSupervisor(context, timers, library, wiring)));
  }

  /**
   * An upload in flight: its actor, how far it got, why it is paused (empty while it sends) and its
   * outcome once it reported one.
   */
  private static final class Running {
    final Asset asset;
    /** The planned one; the upload may end under a keep-both name beside it. */
    final String remotePath;
    final ActorRef<FileUpload.Command> actor;
    long offset;
    long progressPublishedNanos;
    Set<BlockerReason> pausedFor = Set.of();
    /** The upload confirmed its pause: no step of it runs, no byte of it moves. */
    boolean halted;
    FileUpload.Outcome outcome;

    Running(Asset asset, String remotePath, ActorRef<FileUpload.Command> actor) {
      this.asset = asset;
      this.remotePath = remotePath;
      this.actor = actor;
    }
  }

  /**
   * The assets of one size found in this run and not done with yet. Two files with the same
   * content have the same size: a file of a size no other pending asset and no backed-up content
   * has cannot be a copy, so it is queued unread and its hash is learnt while it uploads.
   */
  private static final class SameSize {
    /** Found, and neither backed up, skipped nor failed for good. */
    int pending;
    /** The one of them queued unread, or null: any other may be its copy. */
    String unread;
  }

  /** An asset being identified, or identified and waiting for those found before it. */
  private static final class Identifying {
    final Asset asset;
    /** No other file can be its copy, so it is not read: its hash is learnt while it uploads. */
    final boolean unread;
    boolean identified;
    /** Once identified: its content hash, or empty when it could not be read. */
    Optional<String> sha256 = Optional.empty();

    Identifying(Asset asset, boolean unread) {
      this.asset = asset;
      this.unread = unread;
    }

    boolean placeable() {
      return unread || identified;
    }
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Library library;
  private final Wiring wiring;
  private final UploadSettings settings;
  private final Executor blockingIo;
  private final ActorRef<FileUpload.Report> reports;

  private final ArrayDeque<Asset> queue = new ArrayDeque<>();
  private final Map<String, Running> running = new LinkedHashMap<>();
  private final Map<String, Asset> retrying = new HashMap<>();
  private final Map<String, Integer> failedAttempts = new HashMap<>();
  private final Map<String, LibraryStatus.Failure> failures = new LinkedHashMap<>();
  private final Map<String, Asset> failedAssets = new HashMap<>();
  /** Found, not backed up, content hash not yet known. */
  private final ArrayDeque<Asset> toIdentify = new ArrayDeque<>();
  /**
   * Taken from {@code toIdentify} in the order the source found them. As many files are read at
   * once as uploads may run, yet each is placed only after those found before it, so a camera
   * roll still uploads oldest folder first, name by name.
   */
  private final ArrayDeque<Identifying> identifying = new ArrayDeque<>();
  /** Contents being uploaded, by the asset uploading them: another asset with one waits. */
  private final Map<String, String> uploadingContent = new HashMap<>();
  /** Assets whose content another asset is uploading: they become its aliases, or take over. */
  private final Map<String, List<Asset>> waitingForContent = new HashMap<>();
  /** This run's pending assets by size; an entry lives while one of its size is pending. */
  private final Map<Long, SameSize> bySize = new HashMap<>();
  /** Assets waiting for the unread asset of their size: once it ends, they are placed. */
  private final Map<Long, List<Asset>> waitingForSize = new HashMap<>();

  /**
   * The ledger after the last event, for the jobs of new uploads: they start from command handlers
   * and timers that do not get the state passed in. Immutable, so sharing it is safe.
   */
  private Ledger latestLedger = Ledger.empty();

  /** Ids queued, running or waiting to retry, so a rescan does not queue them twice. */
  private final java.util.Set<String> pending = new java.util.HashSet<>();

  /** Until the monitor's first verdict arrives nothing starts. */
  private Verdict verdict = new Verdict(false, 0, Set.of());
  /** Raised by this library's target: TARGET_FULL, NOT_AUTHORIZED, TARGET_UNTRUSTED. */
  private final Set<BlockerReason> libraryBlockers = EnumSet.noneOf(BlockerReason.class);
  private boolean reportedBusy;
  /** True from creation, so a status asked right after addLibrary never reads idle. */
  private boolean scanning = true;
  /** Until the first scan ends, every asset it finds is counted; later scans count new ones only. */
  private boolean firstScanDone;
  /** A change reported while a scan ran: scan again when it ends. */
  private boolean rescanRequested;
  /** The source's watch while this library is watched; null otherwise. */
  private AutoCloseable watch;
  private Optional<String> scanError = Optional.empty();
  private long discovered;
  private long alreadyBackedUp;
  private long completed;
  private long skipped;
  private long failed;
  private long bytesToUpload;
  private long bytesFinished;
  private long bytesSent;
  private long childSequence;

  private BackupSupervisor(
      ActorContext<Command> context, TimerScheduler<Command> timers, Library library, Wiring wiring) {
    super(
        persistenceId(library.id()),
        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    this.context = context;
    this.timers = timers;
    this.library = library;
    this.wiring = wiring;
    this.settings = wiring.settings();
    this.blockingIo =
        context
            .getSystem()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    this.reports = context.messageAdapter(FileUpload.Report.class, UploadReported::new);
    wiring
        .conditions()
        .tell(new ConditionMonitor.Subscribe(context.messageAdapter(Verdict.class, VerdictChanged::new)));
  }

  @Override
  public Ledger emptyState() {
    return Ledger.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(wiring.snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<Ledger> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            ledger -> {
              latestLedger = ledger;
              // Watching first, so nothing that appears during the first scan is missed.
              if (library.keepWatching()) {
                startWatching();
              }
              startScan();
            })
        .onSignal(PostStop.instance(), ledger -> stopWatching())
        .onSignal(PreRestart.instance(), ledger -> stopWatching())
        .build();
  }

  @Override
  public EventHandler<Ledger, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            AssetBackedUp.class,
            (ledger, event) -> latestLedger = apply(ledger, event))
        .build();
  }

  /** The ledger with {@code event}, as the event handler makes it. */
  private static Ledger apply(Ledger ledger, AssetBackedUp event) {
    return ledger.with(event.assetId(), event.sha256(), event.remotePath(), event.size());
  }

  @Override
  public CommandHandler<Command, Event, Ledger> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(AssetsFound.class, this::onAssetsFound)
        .onCommand(ScanFinished.class, msg -> onScanEnded(Optional.empty()))
        .onCommand(ScanFailed.class, msg -> onScanEnded(Optional.of(msg.message())))
        .onCommand(SourceChanged.class, msg -> onSourceChanged())
        .onCommand(AssetIdentified.class, this::onAssetIdentified)
        .onCommand(WatchStarted.class, this::onWatchStarted)
        .onCommand(
            WatchFailed.class,
            msg -> {
              context.getLog().warn("Cannot watch {}: {}", library.source().describe(), msg.message());
              return Effect().none();
            })
        .onCommand(UploadReported.class, msg -> onReport(msg.report()))
        .onCommand(UploadStopped.class, this::onUploadStopped)
        .onCommand(RetryDue.class, this::onRetryDue)
        .onCommand(VerdictChanged.class, this::onVerdictChanged)
        .onCommand(LibraryRetryDue.class, msg -> liftLibraryBlockers())
        .onCommand(ClearLibraryBlockers.class, this::onClearLibraryBlockers)
        .onCommand(RetryAsset.class, this::onRetryAsset)
        .onCommand(GetStatus.class, (ledger, msg) -> Effect().reply(msg.replyTo(), status()))
        .build();
  }

  // ---- scanning ----

  private void startScan() {
    scanning = true;
    ActorRef<Command> self = context.getSelf();
    CompletableFuture<Void> scan =
        CompletableFuture.runAsync(
            () -> {
              try {
                library.source().scan(batch -> self.tell(new AssetsFound(List.copyOf(batch))));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            blockingIo);
    context.pipeToSelf(
        scan,
        (ok, error) -> {
          if (error == null) {
            return new ScanFinished();
          }
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          return new ScanFailed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        });
  }

  private Effect<Event, Ledger> onAssetsFound(Ledger ledger, AssetsFound msg) {
    for (Asset asset : msg.assets()) {
      if (!firstScanDone) {
        discovered++;
      }
      if (ledger.contains(asset.id())) {
        if (!firstScanDone) {
          alreadyBackedUp++;
        }
      } else if (addPending(asset)) {
        if (firstScanDone) {
          discovered++;
        }
        if (settings.uploadSameContentTwice()) {
          // Copies are uploaded each: nothing to know before; the hash is learnt while it streams.
          enqueue(asset, false);
        } else {
          toIdentify.add(asset);
        }
      }
    }
    return Effect().none().thenRun(ledgerNow -> applyLimit());
  }

  private Effect<Event, Ledger> onScanEnded(Optional<String> error) {
    scanning = false;
    firstScanDone = true;
    scanError = error;
    error.ifPresent(
        message -> {
          context.getLog().warn("Scan of {} failed: {}", library.source().describe(), message);
          publish(new EngineEvent.ScanFailed(library.id(), library.source().describe(), message));
        });
    if (rescanRequested) {
      rescanRequested = false;
      startScan();
    }
    return Effect().none().thenRun(ledgerNow -> applyLimit());
  }

  private Effect<Event, Ledger> onSourceChanged() {
    if (scanning) {
      rescanRequested = true;
    } else {
      startScan();
    }
    return Effect().none();
  }

  // ---- identifying assets by content ----

  /**
   * Hashes found assets, as many at once as uploads may run; one that no other file can be a copy
   * of is queued unread instead (see {@link SameSize}), in its turn.
   */
  private void identifyMore() {
    while (identifying.size() < limit() && !toIdentify.isEmpty()) {
      Asset asset = toIdentify.poll();
      if (mayGoUnread(latestLedger, asset)) {
        bySize.get(asset.size()).unread = asset.id();
        if (identifying.isEmpty()) {
          enqueue(asset, false);
        } else {
          identifying.add(new Identifying(asset, true));
        }
        continue;
      }
      identifying.add(new Identifying(asset, false));
      CompletableFuture<Optional<String>> hash =
          CompletableFuture.supplyAsync(() -> contentHash(asset), blockingIo);
      context.pipeToSelf(
          hash, (sha256, error) -> new AssetIdentified(asset, error == null ? sha256 : Optional.empty()));
    }
  }

  /** From the source, the cache, or by reading the file once; empty when it cannot be read. */
  private Optional<String> contentHash(Asset asset) {
    if (asset.contentHash().isPresent()) {
      return asset.contentHash();
    }
    Optional<String> cached = wiring.hashes().lookup(asset);
    if (cached.isPresent()) {
      return cached;
    }
    try (InputStream in = library.source().open(asset)) {
      String sha256 = Sha256.of(in);
      wiring.hashes().remember(asset, sha256);
      return Optional.of(sha256);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private Effect<Event, Ledger> onAssetIdentified(Ledger ledger, AssetIdentified msg) {
    for (Identifying entry : identifying) {
      if (entry.asset.id().equals(msg.asset().id())) {
        entry.identified = true;
        entry.sha256 = msg.sha256();
      }
    }
    List<Asset> aliases = new ArrayList<>();
    while (!identifying.isEmpty() && identifying.peek().placeable()) {
      Identifying entry = identifying.poll();
      if (entry.unread) {
        enqueue(entry.asset, false);
      } else {
        place(ledger, entry.sha256.map(entry.asset::withContentHash).orElse(entry.asset), false, aliases);
      }
    }
    return persistThenFill(List.of(), aliases);
  }

  /**
   * Where a found asset goes once its content hash is known, or could not be learnt: it becomes
   * an alias of a backed-up content (added to {@code aliases}), waits for the upload of an unread
   * file of its size or of its own content, or is queued ({@code first}: at the front).
   */
  private void place(Ledger ledger, Asset asset, boolean first, List<Asset> aliases) {
    Optional<String> content = asset.contentHash();
    SameSize sameSize = bySize.get(asset.size());
    if (settings.uploadSameContentTwice()) {
      enqueue(asset, first);
    } else if (content.isPresent() && ledger.containsContent(content.get())) {
      // Renamed, moved, or a second copy of something already backed up.
      aliases.add(asset);
    } else if (sameSize.unread != null) {
      // It may be a copy of that one: decided once that one is on the target, or is not.
      waitingForSize.computeIfAbsent(asset.size(), size -> new ArrayList<>()).add(asset);
    } else if (content.isEmpty()) {
      // It could not be read; its upload says why, or learns its hash.
      if (mayGoUnread(ledger, asset)) {
        queueUnread(asset, first);
      } else {
        enqueue(asset, first);
      }
    } else if (uploadingContent.containsKey(content.get())) {
      waitingForContent.computeIfAbsent(content.get(), c -> new ArrayList<>()).add(asset);
    } else {
      uploadingContent.put(content.get(), asset.id());
      enqueue(asset, first);
    }
  }

  /**
   * Whether {@code asset} may be uploaded unread: its hash is unknown, and it shares its size with
   * no other asset pending in this run and no backed-up content, so it cannot be a copy.
   */
  private boolean mayGoUnread(Ledger ledger, Asset asset) {
    return asset.contentHash().isEmpty()
        && bySize.get(asset.size()).pending == 1
        && !ledger.mayHoldContentOfSize(asset.size());
  }

  /** Queues {@code asset} unread: until it ends, any other of its size waits for it. */
  private void queueUnread(Asset asset, boolean first) {
    bySize.get(asset.size()).unread = asset.id();
    enqueue(asset, first);
  }

  private void enqueue(Asset asset, boolean first) {
    if (first) {
      queue.addFirst(asset);
    } else {
      queue.add(asset);
    }
    bytesToUpload += asset.size();
  }

  /** Counts {@code asset} as pending in this run; false when it already is. */
  private boolean addPending(Asset asset) {
    if (!pending.add(asset.id())) {
      return false;
    }
    bySize.computeIfAbsent(asset.size(), size -> new SameSize()).pending++;
    return true;
  }

  /** {@code asset} is done with in this run: backed up, skipped or failed for good. */
  private void removePending(Asset asset) {
    if (pending.remove(asset.id())) {
      SameSize sameSize = bySize.get(asset.size());
      if (--sameSize.pending == 0) {
        bySize.remove(asset.size());
      }
    }
  }

  /**
   * When {@code asset}, done with, went unread, places the assets of its size that waited for it
   * against {@code ledger}, which holds its content now or never will from this upload.
   */
  private void releaseSize(Ledger ledger, Asset asset, List<Asset> aliases) {
    SameSize sameSize = bySize.get(asset.size());
    if (sameSize == null || !asset.id().equals(sameSize.unread)) {
      return;
    }
    sameSize.unread = null;
    List<Asset> waiting = waitingForSize.remove(asset.size());
    for (Asset next : waiting == null ? List.<Asset>of() : waiting) {
      place(ledger, next, false, aliases);
    }
  }

  /**
   * Persists {@code events}, and {@code aliases} as backed up by contents already on the target,
   * then fills the upload slots.
   */
  private EffectBuilder<Event, Ledger> persistThenFill(List<Event> events, List<Asset> aliases) {
    if (events.isEmpty() && aliases.isEmpty()) {
      return Effect().none().thenRun(ledgerNow -> applyLimit());
    }
    Instant now = wiring.clock().instant();
    List<Event> all = new ArrayList<>(events);
    for (Asset alias : aliases) {
      all.add(new AssetBackedUp(alias.id(), null, now, alias.contentHash().orElseThrow(), alias.size()));
    }
    return Effect()
        .persist(all)
        .thenRun(ledgerNow -> aliases.forEach(alias -> aliased(alias, now)))
        .thenRun(ledgerNow -> applyLimit());
  }

  private void aliased(Asset asset, Instant at) {
    removePending(asset);
    alreadyBackedUp++;
    publish(new EngineEvent.AssetUploaded(library.id(), asset.id(), asset.relativePath(), null, asset.size(), at, true));
  }

  /** The assets that waited for {@code content}, which is now on the target: its aliases. */
  private List<Asset> waitersFor(String content) {
    uploadingContent.remove(content);
    List<Asset> waiting = waitingForContent.remove(content);
    return waiting == null ? List.of() : waiting;
  }

  /** The upload of {@code asset} ended without its content on the target: a waiting one takes over. */
  private void releaseContent(Asset asset) {
    Optional<String> content = asset.contentHash();
    if (content.isEmpty() || !asset.id().equals(uploadingContent.get(content.get()))) {
      return;
    }
    uploadingContent.remove(content.get());
    List<Asset> waiting = waitingForContent.remove(content.get());
    if (waiting != null && !waiting.isEmpty()) {
      Asset next = waiting.remove(0);
      if (!waiting.isEmpty()) {
        waitingForContent.put(content.get(), waiting);
      }
      uploadingContent.put(content.get(), next.id());
      queue.add(next);
      bytesToUpload += next.size();
    }
  }

  // ---- watching ----

  private void startWatching() {
    ActorRef<Command> self = context.getSelf();
    CompletableFuture<AutoCloseable> started =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return library.source().watch(() -> self.tell(new SourceChanged()));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            blockingIo);
    context.pipeToSelf(
        started,
        (handle, error) -> {
          if (error == null) {
            return new WatchStarted(handle);
          }
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          return new WatchFailed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        });
  }

  private Effect<Event, Ledger> onWatchStarted(Ledger ledger, WatchStarted msg) {
    watch = msg.handle();
    return Effect().none();
  }

  private void stopWatching() {
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception e) {
        context.getLog().debug("Closing the watch of {} failed: {}", library.source().describe(), e.toString());
      }
      watch = null;
    }
  }

  // ---- running uploads ----

  // ---- conditions ----

  /** Uploads that may send at once: what the verdict allows, unless the library itself is blocked. */
  private int limit() {
    return verdict.allowed() && libraryBlockers.isEmpty()
        ? Math.min(settings.parallelism(), verdict.concurrency())
        : 0;
  }

  /** Every reason that applies to this library's waiting and running uploads. */
  private Set<BlockerReason> reasons() {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    reasons.addAll(verdict.reasons());
    reasons.addAll(libraryBlockers);
    return Set.copyOf(reasons);
  }

  private Effect<Event, Ledger> onVerdictChanged(Ledger ledger, VerdictChanged msg) {
    verdict = msg.verdict();
    applyLimit();
    return Effect().none();
  }

  /**
   * Pauses the running uploads beyond the limit (all of them when blocked), resumes the ones
   * within it from their offsets, then starts queued ones if there is room. Called after every
   * change to the verdict, the queue or the running set.
   */
  private void applyLimit() {
    int limit = limit();
    Set<BlockerReason> reasons = reasons();
    int index = 0;
    for (Running upload : running.values()) {
      boolean sending = index++ < limit;
      if (sending && !upload.pausedFor.isEmpty()) {
        upload.pausedFor = Set.of();
        upload.halted = false;
        upload.actor.tell(new FileUpload.Resume(context.getSystem().ignoreRef()));
      } else if (!sending && !upload.pausedFor.equals(reasons)) {
        upload.pausedFor = reasons;
        upload.halted = false;
        upload.actor.tell(new FileUpload.Pause(reasons, context.getSystem().ignoreRef()));
      }
    }
    fillSlots();
  }

  private Effect<Event, Ledger> liftLibraryBlockers() {
    if (!libraryBlockers.isEmpty()) {
      context.getLog().info("Trying {} again after {}", library.target().describe(), libraryBlockers);
      libraryBlockers.clear();
      applyLimit();
    }
    return Effect().none();
  }

  private Effect<Event, Ledger> onClearLibraryBlockers(Ledger ledger, ClearLibraryBlockers msg) {
    timers.cancel(LibraryRetryDue.class);
    liftLibraryBlockers();
    return Effect().reply(msg.replyTo(), Done.getInstance());
  }

  // ---- running uploads ----

  private void fillSlots() {
    identifyMore();
    int limit = limit();
    Iterator<Asset> queued = queue.iterator();
    while (running.size() < limit && queued.hasNext()) {
      Asset asset = queued.next();
      String remotePath = plannedPath(asset);
      // Two uploads to one remote path never run at once: the second starts once the first is in
      // the ledger, so its conflict is decided knowing that file is a backup.
      if (running.values().stream().noneMatch(upload -> samePath(upload.remotePath, remotePath))) {
        queued.remove();
        start(asset, remotePath);
      }
    }
    // A rescan of a watched library that finds nothing new is not a run of its own; one that looks
    // for a file that changed mid-upload, in a library backed up once, is part of the run.
    boolean busy =
        (scanning && (!firstScanDone || !library.keepWatching()))
            || !toIdentify.isEmpty()
            || !identifying.isEmpty()
            || !waitingForContent.isEmpty()
            || !waitingForSize.isEmpty()
            || !queue.isEmpty()
            || !running.isEmpty()
            || !retrying.isEmpty();
    if (busy != reportedBusy) {
      reportedBusy = busy;
      wiring.conditions().tell(new ConditionMonitor.LibraryBusy(library.id(), busy));
    }
  }

  private String plannedPath(Asset asset) {
    return wiring.layout().remotePath(asset, library.target().nameRules());
  }

  /** Alike for every target, also those that do not tell names apart by case. */
  private static boolean samePath(String one, String other) {
    return one.toLowerCase(Locale.ROOT).equals(other.toLowerCase(Locale.ROOT));
  }

  private void start(Asset asset, String remotePath) {
    Ledger ledger = latestLedger;
    KnownBackups backups =
        (path, found) ->
            ledger.holdsPath(path) || found.sha256().map(ledger::containsContent).orElse(false);
    FileUpload.Job job =
        new FileUpload.Job(
            asset,
            remotePath,
            library.source(),
            library.target(),
            settings,
            backups,
            wiring.bandwidth(),
            wiring.steps(),
            reports,
            wiring.clock());
    ActorRef<FileUpload.Command> actor =
        context.spawn(FileUpload.create(job), "upload-" + asset.id() + "-" + (++childSequence));
    context.watchWith(actor, new UploadStopped(asset.id()));
    running.put(asset.id(), new Running(asset, remotePath, actor));
    actor.tell(new FileUpload.Begin(context.getSystem().ignoreRef()));
  }

  private Effect<Event, Ledger> onReport(FileUpload.Report report) {
    Running upload = running.get(report.assetId());
    if (upload == null) {
      return Effect().none();
    }
    if (report instanceof FileUpload.Progressed progressed) {
      upload.offset = progressed.offset();
      bytesSent += progressed.bytesSent();
      long now = System.nanoTime();
      if (now - upload.progressPublishedNanos >= PROGRESS_INTERVAL_NANOS || progressed.offset() == upload.asset.size()) {
        upload.progressPublishedNanos = now;
        publish(
            new EngineEvent.AssetProgress(
                library.id(), upload.asset.id(), upload.asset.relativePath(), progressed.offset(), upload.asset.size()));
      }
    } else if (report instanceof FileUpload.Resumed resumed) {
      upload.offset = resumed.offset();
      publish(
          new EngineEvent.AssetResumed(
              library.id(), upload.asset.id(), upload.asset.relativePath(), resumed.offset(), upload.asset.size()));
    } else if (report instanceof FileUpload.Halted) {
      upload.halted = !upload.pausedFor.isEmpty();
    } else if (report instanceof FileUpload.Finished finished) {
      upload.outcome = finished.outcome();
      context.stop(upload.actor);
    }
    return Effect().none();
  }

  private Effect<Event, Ledger> onUploadStopped(Ledger ledger, UploadStopped msg) {
    Running upload = running.remove(msg.assetId());
    if (upload == null) {
      return Effect().none();
    }
    Asset asset = upload.asset;
    FileUpload.Outcome outcome =
        upload.outcome != null
            ? upload.outcome
            : new FileUpload.Failure(
                new UploadError.Transient("the upload of " + asset.relativePath() + " stopped unexpectedly"),
                0);
    List<Asset> aliases = new ArrayList<>();
    if (outcome instanceof FileUpload.Uploaded uploaded) {
      removePending(asset);
      if (uploaded.alreadyOnTarget()) {
        // Nothing was sent: the target held the same content (a reinstall, another device).
        alreadyBackedUp++;
        bytesToUpload -= asset.size();
      } else {
        completed++;
        bytesFinished += asset.size();
      }
      publish(
          new EngineEvent.AssetUploaded(
              library.id(),
              asset.id(),
              asset.relativePath(),
              uploaded.file().remotePath(),
              asset.size(),
              uploaded.uploadedAt(),
              uploaded.alreadyOnTarget()));
      String content = uploaded.file().sha256();
      AssetBackedUp backedUp =
          new AssetBackedUp(asset.id(), uploaded.file().remotePath(), uploaded.uploadedAt(), content, asset.size());
      asset.contentHash().ifPresent(identified -> {
        if (identified.equals(content)) {
          aliases.addAll(waitersFor(identified));
        } else {
          // The file changed since it was read: the content its copies wait for is not uploaded.
          releaseContent(asset);
        }
      });
      releaseSize(apply(ledger, backedUp), asset, aliases);
      return persistThenFill(List.of(backedUp), aliases);
    }
    if (!(outcome instanceof FileUpload.Failure)) {
      releaseContent(asset);
    }
    if (outcome instanceof FileUpload.Gone gone) {
      removePending(asset);
      skipped++;
      bytesToUpload -= asset.size();
      publish(new EngineEvent.AssetSkipped(library.id(), asset.id(), asset.relativePath(), gone.reason()));
    } else if (outcome instanceof FileUpload.Changed changed) {
      // Its size and times are stale now: the next scan finds the new content once it settles.
      removePending(asset);
      bytesToUpload -= asset.size();
      context.getLog().info("{}", changed.reason());
      publish(new EngineEvent.AssetSkipped(library.id(), asset.id(), asset.relativePath(), changed.reason()));
      onSourceChanged();
    } else if (outcome instanceof FileUpload.Failure failure) {
      onFailure(asset, failure);
    }
    if (!pending.contains(asset.id())) {
      releaseSize(ledger, asset, aliases);
    }
    return persistThenFill(List.of(), aliases);
  }

  private void onFailure(Asset asset, FileUpload.Failure failure) {
    UploadError error = failure.error();
    Optional<BlockerReason> libraryWide = libraryWideBlocker(error);
    if (libraryWide.isPresent()) {
      // A full or refusing target fails every upload alike: stop the library, not the asset.
      BlockerReason reason = libraryWide.get();
      context.getLog().warn("{} stops uploads to {}: {}", reason, library.target().describe(), error.message());
      queue.addFirst(asset);
      libraryBlockers.add(reason);
      publish(
          new EngineEvent.AssetFailed(
              library.id(), asset.id(), asset.relativePath(), error, failedAttempts.getOrDefault(asset.id(), 0), true));
      timers.startSingleTimer(LibraryRetryDue.class, new LibraryRetryDue(), settings.maxBackoff());
      applyLimit();
      return;
    }
    int attempts = failedAttempts.merge(asset.id(), 1, Integer::sum);
    boolean willRetry = error.retryable() && attempts < settings.maxAttempts();
    publish(
        new EngineEvent.AssetFailed(
            library.id(), asset.id(), asset.relativePath(), error, attempts, willRetry));
    if (willRetry) {
      Duration delay = settings.backoff(attempts, ThreadLocalRandom.current().nextDouble());
      if (error instanceof UploadError.Transient transientError
          && transientError.retryAfter().isPresent()
          && transientError.retryAfter().get().compareTo(delay) > 0) {
        delay = transientError.retryAfter().get();
      }
      context.getLog().info("Retrying {} in {} after: {}", asset.relativePath(), delay, error.message());
      retrying.put(asset.id(), asset);
      timers.startSingleTimer(asset.id(), new RetryDue(asset.id()), delay);
    } else {
      context.getLog().warn("Giving up on {}: {}", asset.relativePath(), error.message());
      releaseContent(asset);
      removePending(asset);
      failed++;
      bytesToUpload -= asset.size();
      failures.put(asset.id(), new LibraryStatus.Failure(asset.id(), asset.relativePath(), error, attempts));
      failedAssets.put(asset.id(), asset);
    }
  }

  private static Optional<BlockerReason> libraryWideBlocker(UploadError error) {
    if (error instanceof UploadError.QuotaExceeded) {
      return Optional.of(BlockerReason.TARGET_FULL);
    }
    if (error instanceof UploadError.Unauthorized) {
      return Optional.of(BlockerReason.NOT_AUTHORIZED);
    }
    if (error instanceof UploadError.Untrusted) {
      return Optional.of(BlockerReason.TARGET_UNTRUSTED);
    }
    return Optional.empty();
  }

  private Effect<Event, Ledger> onRetryAsset(Ledger ledger, RetryAsset msg) {
    LibraryStatus.Failure failure = failures.remove(msg.assetId());
    if (failure == null) {
      return Effect().reply(msg.replyTo(), false);
    }
    Asset asset = failedAssets.remove(msg.assetId());
    failed--;
    failedAttempts.remove(asset.id());
    List<Asset> aliases = new ArrayList<>();
    // Unless a scan found it again meanwhile: then it is on its way already.
    if (addPending(asset)) {
      if (asset.contentHash().isEmpty() && !settings.uploadSameContentTwice() && !mayGoUnread(ledger, asset)) {
        // Another file of its size came along, or was backed up: its content is read first.
        toIdentify.addFirst(asset);
      } else {
        // Placed again, as a copy of it may have been backed up meanwhile.
        place(ledger, asset, true, aliases);
      }
    }
    return persistThenFill(List.of(), aliases).thenReply(msg.replyTo(), ledgerNow -> true);
  }

  private Effect<Event, Ledger> onRetryDue(Ledger ledger, RetryDue msg) {
    Asset asset = retrying.remove(msg.assetId());
    if (asset != null) {
      queue.addFirst(asset);
    }
    return Effect().none().thenRun(ledgerNow -> applyLimit());
  }

  // ---- status ----

  private LibraryStatus status() {
    List<LibraryStatus.InFlight> inFlight = new ArrayList<>();
    long bytesInFlight = 0;
    for (Running upload : running.values()) {
      // Shown as paused only once it is: until the step in flight ends, bytes may still move.
      inFlight.add(
          new LibraryStatus.InFlight(
              upload.asset.id(),
              upload.asset.relativePath(),
              upload.offset,
              upload.asset.size(),
              upload.halted ? upload.pausedFor : Set.of()));
      bytesInFlight += upload.offset;
    }
    return new LibraryStatus(
        library.id(),
        library.source().describe(),
        library.target().describe(),
        scanning,
        scanError,
        discovered,
        alreadyBackedUp,
        queue.size()
            + toIdentify.size()
            + identifying.size()
            + waitingForContent.values().stream().mapToInt(List::size).sum()
            + waitingForSize.values().stream().mapToInt(List::size).sum(),
        running.size(),
        retrying.size(),
        completed,
        skipped,
        failed,
        bytesToUpload,
        bytesFinished + bytesInFlight,
        bytesSent,
        reasons(),
        List.copyOf(inFlight),
        List.copyOf(failures.values()));
  }

  private void publish(EngineEvent event) {
    context.getSystem().eventStream().tell(new EventStream.Publish<>(event));
  }
}
