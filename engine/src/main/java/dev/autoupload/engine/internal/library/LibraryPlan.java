package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.LibraryRules;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every decision a library's backup run makes, without actors or I/O: what a scan found needs
 * (nothing, a read of its content, an upload), what an upload's outcome means (backed up, retry,
 * give up, stop the library), which files are read and which upload next. {@link BackupSupervisor}
 * feeds it what happens and carries out the {@link Decision}s it returns; nothing else decides.
 *
 * <p>Immutable: each transition returns a new plan with the decisions it made. The state is held
 * in persistent collections, so a transition costs O(log n) however many assets the run holds.
 *
 * <p>The rules, in order of the asset's way through a run:
 *
 * <ul>
 *   <li>The {@link Ledger} tells whether a found asset is backed up in this very version ({@link
 *       Ledger.Known#UNCHANGED}: nothing to do), another version of it was ({@code CHANGED}) or
 *       none was ({@code NEW}). Both of the latter are identified by content.
 *   <li>An asset whose size no pending asset and no backed-up content has cannot be a copy: it is
 *       uploaded unread and its hash learnt on the way; the others are read first, as many at once
 *       as uploads may run, and placed in the queue's order ({@link Placement}, {@link QueueOrder}).
 *       One whose read failed while it was gone goes unread too, once no upload of its size runs;
 *       its upload then publishes no content the ledger holds ({@link FileUpload.Copy}).
 *   <li>A content already backed up makes an alias; a content being uploaded makes the asset wait
 *       for it; two uploads to one remote path never run at once.
 *   <li>A failed attempt is retried after an exponential backoff with jitter (a longer Retry-After
 *       wins) up to {@code max-attempts}; a full or refusing target stops the whole library, and so
 *       does one that cannot be reached, which is tried again after the same backoff, counted per
 *       outage instead of per file: no file fails because the target was away.
 *   <li>A newer version of an asset found while an older one is on its way is handled once the
 *       older one ends: the library is scanned again then.
 *   <li>The library's rules ({@link LibraryRules}): an asset taken before {@code only-since} is
 *       only counted; one younger than {@code min-age} waits before anything is done with it (a
 *       newer version replaces it) and the plan asks to be woken ({@link WakeAt}) when the first
 *       is old enough; on a metered network an asset whose turn comes but that the rules keep off
 *       it waits out of line until the network is unmetered, and a running one they keep off it
 *       pauses without holding a slot.
 * </ul>
 */
final class LibraryPlan {

  /** What a plan needs to know of its library, fixed for its life. */
  public record Settings(
      String libraryId, UploadSettings upload, RemoteLayout layout, NameRules nameRules, LibraryRules rules) {

    /** A library without rules of its own. */
    public Settings(String libraryId, UploadSettings upload, RemoteLayout layout, NameRules nameRules) {
      this(libraryId, upload, layout, nameRules, LibraryRules.NONE);
    }
  }

  /**
   * What a transition reads besides the plan: the ledger as it stands, how many uploads the device
   * conditions let run, the time, a random draw in [0, 1) for jitter, and whether the network is
   * metered (for the library's rules).
   */
  public record Context(Ledger ledger, int uploadSlots, Instant now, double random, boolean metered) {

    /** On an unmetered network. */
    public Context(Ledger ledger, int uploadSlots, Instant now, double random) {
      this(ledger, uploadSlots, now, random, false);
    }
  }

  /** A transition's result: the new plan and what to do. */
  public record Step(LibraryPlan plan, List<Decision> decisions) {}

  /** What the plan decided; the supervisor carries it out. */
  public sealed interface Decision {}

  /** Read the asset's content to learn its sha256, then report it with {@link #identified}. */
  public record Identify(Asset asset) implements Decision {}

  /**
   * What reading an asset found: its content's sha256; or none, as it could not be read (its upload
   * then says why) or it changed while it was read, so no one content belongs to the version found.
   */
  public record Identity(Optional<String> sha256, boolean changedWhileRead) {
    public static Identity of(String sha256) {
      return new Identity(Optional.of(sha256), false);
    }

    public static Identity unreadable() {
      return new Identity(Optional.empty(), false);
    }

    public static Identity changed() {
      return new Identity(Optional.empty(), true);
    }
  }

  /** Start the upload of {@code asset} to {@code remotePath}. */
  public record Upload(Asset asset, String remotePath, UploadReason reason) implements Decision {}

  /** Persist that the asset is backed up. */
  public record Record(BackupSupervisor.AssetBackedUp backedUp) implements Decision {}

  /** Tell listeners. */
  public record Report(EngineEvent event) implements Decision {}

  /** Call {@link #retryDue} for the asset after {@code delay}. */
  public record RetryLater(String assetId, Duration delay, String reason) implements Decision {}

  /** The target stops every upload alike: call {@link #liftBlockers} after {@code delay}. */
  public record StopLibrary(BlockerReason blocker, Duration delay, String reason) implements Decision {}

  /** Scan the library again. */
  public record Rescan(String reason) implements Decision {}

  /**
   * Call {@link #wake} at {@code at}, when an asset {@code min-age} holds back is old enough;
   * replaces the wake asked before.
   */
  public record WakeAt(Instant at) implements Decision {}

  /** Where an asset stands in the run while it is pending. */
  enum Stage {
    /** Held by {@code min-age} before anything is done with it. */
    TOO_RECENT,
    TO_IDENTIFY,
    IDENTIFYING,
    IDENTIFIED,
    /** Goes unread, waiting only for those found before it to be placed. */
    UNREAD_IN_TURN,
    WAITING_FOR_SIZE,
    WAITING_FOR_CONTENT,
    QUEUED,
    /** Its turn came but the library's rules keep it off this network. */
    HELD_FOR_NETWORK,
    RUNNING,
    RETRYING
  }

  /**
   * An asset the run has still to back up: the version found, why, where it stands, its rank in
   * the queues ({@link QueueOrder}), and whether a newer version was found meanwhile.
   */
  record Pending(Asset asset, UploadReason reason, Stage stage, QueueOrder.Rank rank, boolean superseded) {
    Pending at(Stage next) {
      return new Pending(asset, reason, next, rank, superseded);
    }

    Pending at(Stage next, QueueOrder.Rank newRank) {
      return new Pending(asset, reason, next, newRank, superseded);
    }

    Pending with(Asset identified) {
      return new Pending(identified, reason, stage, rank, superseded);
    }

    Pending markSuperseded() {
      return new Pending(asset, reason, stage, rank, true);
    }
  }

  /** The run's pending assets of one size, and the one of them uploading unread, if any. */
  record SameSize(int pending, Optional<String> unread) {}

  /** Where each asset that needed work in this run ended; the run's counts come from these. */
  enum Result {
    PENDING,
    UPLOADED,
    ALREADY,
    GONE,
    NOT_BACKED_UP,
    FAILED
  }

  /** The run's counts, kept as results change. */
  record Tally(long unchanged, long[] byResult) {
    Tally move(Optional<Result> from, Result to) {
      long[] counts = byResult.clone();
      from.ifPresent(result -> counts[result.ordinal()]--);
      counts[to.ordinal()]++;
      return new Tally(unchanged, counts);
    }

    Tally without(Result from) {
      long[] counts = byResult.clone();
      counts[from.ordinal()]--;
      return new Tally(unchanged, counts);
    }

    Tally plusUnchanged() {
      return new Tally(unchanged + 1, byResult);
    }

    long of(Result result) {
      return byResult[result.ordinal()];
    }
  }

  /** An asset that failed for good in this run. */
  record Failed(Asset asset, UploadError error, int attempts) {}

  /** An asset left out in this run although it exists: not backed up, with the reason. */
  record Left(Asset asset, String reason) {}

  private final Settings settings;
  private boolean firstScanDone;
  private PersistentMap<String, Pending> pending;
  private OrderedQueue<String> toIdentify;
  private OrderedQueue<String> identifying;
  private OrderedQueue<String> queue;
  /** Uploads in flight: asset id to remote path. */
  private PersistentMap<String, String> running;
  private PersistentMap<Long, SameSize> bySize;
  private PersistentMap<Long, List<String>> waitingForSize;
  private PersistentMap<String, String> uploadingContent;
  private PersistentMap<String, List<String>> waitingForContent;
  private PersistentMap<String, Integer> attempts;
  private PersistentMap<String, Failed> failures;
  private PersistentMap<String, Left> left;
  private PersistentMap<String, Result> results;
  private Tally tally;
  private Set<BlockerReason> blockers;
  /** The target's words for the latest of {@code blockers}; empty while there are none. */
  private Optional<String> targetError;
  /** When the library's own stop is tried again; empty while there is none. */
  private Optional<Instant> targetRetryAt;
  /** Assets {@code min-age} holds back, by when they are old enough. */
  private OrderedQueue<String> tooRecent;
  /** Assets whose turn came on a metered network the library's rules keep them off, in queue order. */
  private OrderedQueue<String> heldForNetwork;
  /** Why the assets in {@code heldForNetwork} wait, and how many for each reason. */
  private Map<BlockerReason, Long> heldFor;
  /** The wake asked for last ({@link WakeAt}); empty when none is due. */
  private Optional<Instant> wakeAt;
  /** Assets {@code only-since} left out: never offered, only counted. */
  private PersistentMap<String, Boolean> leftOutByOnlySince;
  /** Times in a row the target could not be reached, with no upload done in between. */
  private int unreachableInARow;
  /** The assets waiting out a retry's backoff, with what failed and when they go again. */
  private PersistentMap<String, LibraryStatus.Retry> retries;
  /** How many assets the run found, which ranks each; and retries, counting down. */
  private long foundSoFar;
  private long retriesSoFar;
  private long bytesToUpload;
  private long bytesFinished;
  /** Pending assets waiting out a retry's backoff, counted as they come and go. */
  private long retrying;

  private LibraryPlan(Settings settings) {
    this.settings = settings;
    this.pending = PersistentMap.empty();
    this.toIdentify = OrderedQueue.empty();
    this.identifying = OrderedQueue.empty();
    this.queue = OrderedQueue.empty();
    this.running = PersistentMap.empty();
    this.bySize = PersistentMap.empty();
    this.waitingForSize = PersistentMap.empty();
    this.uploadingContent = PersistentMap.empty();
    this.waitingForContent = PersistentMap.empty();
    this.attempts = PersistentMap.empty();
    this.failures = PersistentMap.empty();
    this.left = PersistentMap.empty();
    this.results = PersistentMap.empty();
    this.tally = new Tally(0, new long[Result.values().length]);
    this.blockers = Set.of();
    this.targetError = Optional.empty();
    this.targetRetryAt = Optional.empty();
    this.tooRecent = OrderedQueue.empty();
    this.heldForNetwork = OrderedQueue.empty();
    this.heldFor = Map.of();
    this.wakeAt = Optional.empty();
    this.leftOutByOnlySince = PersistentMap.empty();
    this.retries = PersistentMap.empty();
  }

  /** A copy for a transition to change before it hands it out; never changed after. */
  private LibraryPlan(LibraryPlan from) {
    this.settings = from.settings;
    this.firstScanDone = from.firstScanDone;
    this.pending = from.pending;
    this.toIdentify = from.toIdentify;
    this.identifying = from.identifying;
    this.queue = from.queue;
    this.running = from.running;
    this.bySize = from.bySize;
    this.waitingForSize = from.waitingForSize;
    this.uploadingContent = from.uploadingContent;
    this.waitingForContent = from.waitingForContent;
    this.attempts = from.attempts;
    this.failures = from.failures;
    this.left = from.left;
    this.results = from.results;
    this.tally = from.tally;
    this.blockers = from.blockers;
    this.targetError = from.targetError;
    this.targetRetryAt = from.targetRetryAt;
    this.tooRecent = from.tooRecent;
    this.heldForNetwork = from.heldForNetwork;
    this.heldFor = from.heldFor;
    this.wakeAt = from.wakeAt;
    this.leftOutByOnlySince = from.leftOutByOnlySince;
    this.unreachableInARow = from.unreachableInARow;
    this.retries = from.retries;
    this.foundSoFar = from.foundSoFar;
    this.retriesSoFar = from.retriesSoFar;
    this.bytesToUpload = from.bytesToUpload;
    this.bytesFinished = from.bytesFinished;
    this.retrying = from.retrying;
  }

  /** The plan of a run that has not scanned yet. */
  public static LibraryPlan start(Settings settings) {
    return new LibraryPlan(settings);
  }

  // ---- transitions ----

  /** A scan found {@code assets}. */
  public Step found(Context context, List<Asset> assets) {
    Change change = new Change(context);
    for (Asset asset : assets) {
      change.found(asset);
    }
    return change.finish();
  }

  /** A scan ended, whether it went through or failed part way. */
  public Step scanEnded(Context context) {
    Change change = new Change(context);
    change.next.firstScanDone = true;
    return change.finish();
  }

  /** What reading an {@link Identify}'d asset found. */
  public Step identified(Context context, Asset asset, Identity identity) {
    Change change = new Change(context);
    change.identified(asset, identity);
    return change.finish();
  }

  /** An upload ended with {@code outcome}. */
  public Step finished(Context context, String assetId, FileUpload.Outcome outcome) {
    Change change = new Change(context);
    change.finished(assetId, outcome);
    return change.finish();
  }

  /** A {@link RetryLater}'s time came. */
  public Step retryDue(Context context, String assetId) {
    Change change = new Change(context);
    change.retryDue(assetId);
    return change.finish();
  }

  /**
   * The user asks to try an asset that failed for good in this run again. The step's plan is this
   * one, unchanged, when there is no such failure.
   */
  public Step retryFailed(Context context, String assetId) {
    Change change = new Change(context);
    change.retryFailed(assetId);
    return change.finish();
  }

  /** The library's own stop ({@link StopLibrary}) is over: its retry came, or the user resumed. */
  public Step liftBlockers(Context context) {
    Change change = new Change(context);
    change.next.blockers = Set.of();
    change.next.targetError = Optional.empty();
    change.next.targetRetryAt = Optional.empty();
    return change.finish();
  }

  /** Nothing happened but the device conditions changed: identify and start what may now. */
  public Step fill(Context context) {
    return new Change(context).finish();
  }

  /** A {@link WakeAt}'s time came: what is old enough now goes. */
  public Step wake(Context context) {
    Change change = new Change(context);
    change.next.wakeAt = Optional.empty();
    return change.finish();
  }

  // ---- queries ----

  /** Whether this plan has an asset {@code assetId} that failed for good. */
  public boolean hasFailed(String assetId) {
    return failures.containsKey(assetId);
  }

  /** How many uploads may send now: what the conditions allow, unless the library itself is stopped. */
  public int sendingLimit(int uploadSlots) {
    return blockers.isEmpty() ? uploadSlots : 0;
  }

  /**
   * Why this library stops, beyond the device conditions: TARGET_FULL, NOT_AUTHORIZED,
   * TARGET_UNTRUSTED, TARGET_UNREACHABLE.
   */
  public Set<BlockerReason> blockers() {
    return blockers;
  }

  /** The target's words for why it stops the library, while {@link #blockers} are not empty. */
  public Optional<String> targetError() {
    return targetError;
  }

  /** When the library tries its target again, while {@link #blockers} are not empty. */
  public Optional<Instant> targetRetryAt() {
    return targetRetryAt;
  }

  /**
   * Whether the target could not be reached {@code max-attempts} times in a row with no upload done
   * in between: a run backed up once gives up on it (see {@link LibraryStatus#unreachableTooLong}).
   */
  public boolean unreachableTooLong() {
    return unreachableInARow >= settings.upload().maxAttempts();
  }

  /** Whether anything found is still to be identified, placed, uploaded or retried. */
  public boolean hasWork() {
    return !pending.isEmpty();
  }

  /** The first scan of the run is over. */
  public boolean firstScanDone() {
    return firstScanDone;
  }

  /**
   * Why the library's rules hold assets back that wait for them, seen {@code now} on a network
   * that is {@code metered} or not: those not started, and those running that it pauses.
   */
  public Set<BlockerReason> heldReasons(boolean metered, Instant now) {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    if (!tooRecent.isEmpty()) {
      reasons.add(BlockerReason.TOO_RECENT);
    }
    reasons.addAll(heldFor.keySet());
    for (String assetId : running.keys()) {
      pending.get(assetId).ifPresent(entry -> reasons.addAll(settings.rules().check(entry.asset(), metered, now).reasons()));
    }
    return Set.copyOf(reasons);
  }

  /**
   * Up to {@code limit} of the assets the library's rules hold back, the first to go first: those
   * {@code min-age} holds, with when they go, then those kept off the network.
   */
  public List<LibraryStatus.Held> held(boolean metered, Instant now, int limit) {
    List<LibraryStatus.Held> held = new ArrayList<>();
    for (OrderedQueue<String> queue : List.of(tooRecent, heldForNetwork)) {
      Iterator<OrderedQueue.Entry<String>> entries = queue.iterator();
      while (held.size() < limit && entries.hasNext()) {
        Asset asset = pending.get(entries.next().value()).orElseThrow().asset();
        LibraryRules.Check check = settings.rules().check(asset, metered, now);
        held.add(new LibraryStatus.Held(asset.id(), asset.relativePath(), check.reasons(), check.tooRecentUntil()));
      }
    }
    return List.copyOf(held);
  }

  /** The pending assets not running: to identify, waiting, queued or waiting to retry. */
  public long waiting() {
    return pending.size() - running.size();
  }

  /** Where the run stands, as {@link LibraryStatus} reports it. */
  public Counts counts() {
    List<LibraryStatus.Failure> failed =
        failures.values().stream()
            .map(f -> new LibraryStatus.Failure(f.asset().id(), f.asset().relativePath(), f.error(), f.attempts()))
            .sorted(Comparator.comparing(LibraryStatus.Failure::path))
            .toList();
    List<LibraryStatus.Skip> notBackedUp =
        left.values().stream()
            .map(l -> new LibraryStatus.Skip(l.asset().id(), l.asset().relativePath(), l.reason()))
            .sorted(Comparator.comparing(LibraryStatus.Skip::path))
            .toList();
    List<LibraryStatus.Retry> waiting =
        retries.values().stream().sorted(Comparator.comparing(LibraryStatus.Retry::at)).toList();
    return new Counts(
        tally.unchanged() + results.size(),
        tally.unchanged() + tally.of(Result.ALREADY),
        pending.size() - running.size() - retrying,
        running.size(),
        retrying,
        tally.of(Result.UPLOADED),
        tally.of(Result.GONE) + tally.of(Result.NOT_BACKED_UP),
        tally.of(Result.FAILED),
        bytesToUpload,
        bytesFinished,
        failed,
        notBackedUp,
        waiting,
        leftOutByOnlySince.size());
  }

  /**
   * The run's counts: every asset found is counted once, by where its latest version ended.
   *
   * @param notBackedUp assets that exist but were left out (see {@link LibraryStatus#notBackedUp})
   * @param retries failed attempts waiting out their backoff, the next first
   * @param leftOutByOnlySince assets found that {@code only-since} left out, not counted in {@code
   *     discovered}
   */
  public record Counts(
      long discovered,
      long alreadyBackedUp,
      long queued,
      long running,
      long retrying,
      long completed,
      long skipped,
      long failed,
      long bytesToUpload,
      long bytesFinished,
      List<LibraryStatus.Failure> failures,
      List<LibraryStatus.Skip> notBackedUp,
      List<LibraryStatus.Retry> retries,
      long leftOutByOnlySince) {}

  // ---- the work of one transition ----

  /**
   * One transition in the making: a copy of the plan to change, the ledger as the decisions so far
   * leave it, and the decisions. Nothing outside sees the copy until {@link #finish}.
   */
  private final class Change implements Placement.Run {
    final LibraryPlan next = new LibraryPlan(LibraryPlan.this);
    final Context context;
    final List<Decision> decisions = new ArrayList<>();
    Ledger ledger;

    Change(Context context) {
      this.context = context;
      this.ledger = context.ledger();
    }

    /** Reads and starts what may now, and hands out the new plan. */
    Step finish() {
      releaseOldEnough();
      releaseNetworkHolds();
      identifyMore();
      startUploads();
      wakeForTheNextOldEnough();
      return new Step(next, List.copyOf(decisions));
    }

    // -- the library's rules --

    /** Offers the assets {@code min-age} held back that are old enough now. */
    void releaseOldEnough() {
      while (!next.tooRecent.isEmpty()) {
        OrderedQueue.Entry<String> first = next.tooRecent.first().orElseThrow();
        Pending entry = pendingOf(first.value());
        if (next.settings.rules().tooRecentUntil(entry.asset(), context.now()).isPresent()) {
          return;
        }
        next.tooRecent = next.tooRecent.without(first.key());
        offer(entry.at(Stage.TO_IDENTIFY));
      }
    }

    /** On an unmetered network every rule for metered ones is lifted: what they held goes back in line. */
    void releaseNetworkHolds() {
      if (context.metered() || next.heldForNetwork.isEmpty()) {
        return;
      }
      Iterator<OrderedQueue.Entry<String>> held = next.heldForNetwork.iterator();
      while (held.hasNext()) {
        OrderedQueue.Entry<String> entry = held.next();
        next.queue = next.queue.with(entry.key(), entry.value());
        update(pendingOf(entry.value()).at(Stage.QUEUED));
      }
      next.heldForNetwork = OrderedQueue.empty();
      next.heldFor = Map.of();
    }

    /** Takes a queued asset the rules keep off this network out of line until the network changes. */
    void holdForNetwork(OrderedQueue.Entry<String> queued, Pending entry, Set<BlockerReason> reasons) {
      next.queue = next.queue.without(queued.key());
      next.heldForNetwork = next.heldForNetwork.with(queued.key(), queued.value());
      update(entry.at(Stage.HELD_FOR_NETWORK));
      Map<BlockerReason, Long> counts = new EnumMap<>(BlockerReason.class);
      counts.putAll(next.heldFor);
      reasons.forEach(reason -> counts.merge(reason, 1L, Long::sum));
      next.heldFor = Map.copyOf(counts);
    }

    /** Asks to be woken when the first asset {@code min-age} holds is old enough, once per moment. */
    void wakeForTheNextOldEnough() {
      Optional<Instant> first =
          next.tooRecent.first().map(entry -> next.settings.rules().oldEnoughAt(pendingOf(entry.value()).asset()));
      if (first.isPresent() && !first.equals(next.wakeAt)) {
        next.wakeAt = first;
        decisions.add(new WakeAt(first.get()));
      }
    }

    /** The uploads running that the rules pause on this network: they do not take a slot. */
    int runningHeld() {
      if (!context.metered()) {
        return 0;
      }
      int held = 0;
      for (String assetId : next.running.keys()) {
        if (!next.settings.rules().check(pendingOf(assetId).asset(), true, context.now()).allowed()) {
          held++;
        }
      }
      return held;
    }

    /** An asset to back up, old enough: read first to know its content, or queued at once. */
    void offer(Pending entry) {
      update(entry);
      if (next.settings.upload().uploadSameContentTwice()) {
        enqueue(entry, false);
      } else {
        next.toIdentify = next.toIdentify.with(entry.rank(), entry.asset().id());
      }
    }

    // -- found --

    void found(Asset asset) {
      Optional<Pending> current = next.pending.get(asset.id());
      if (current.isPresent() && current.get().stage() == Stage.TOO_RECENT) {
        if (current.get().asset().version().equals(asset.version())) {
          return;
        }
        // Edited while min-age held it: nothing was done with the older version; this one replaces it.
        forgetTooRecent(current.get());
        current = Optional.empty();
      }
      if (current.isPresent()) {
        if (!current.get().asset().version().equals(asset.version()) && !current.get().superseded()) {
          // Handled once the older version's way ends: a rescan then finds this one.
          next.pending = next.pending.with(asset.id(), current.get().markSuperseded());
        }
        return;
      }
      Ledger.Known known = ledger.check(asset);
      if (known == Ledger.Known.UNCHANGED) {
        if (!next.firstScanDone && !next.results.containsKey(asset.id())) {
          next.tally = next.tally.plusUnchanged();
        }
        return;
      }
      if (next.settings.rules().leavesOut(asset)) {
        next.leftOutByOnlySince = next.leftOutByOnlySince.with(asset.id(), true);
        return;
      }
      next.leftOutByOnlySince = next.leftOutByOnlySince.without(asset.id());
      boolean endedThisVersion =
          next.failures.get(asset.id()).map(f -> f.asset().version().equals(asset.version())).orElse(false)
              || next.left.get(asset.id()).map(l -> l.asset().version().equals(asset.version())).orElse(false);
      if (endedThisVersion) {
        // Failed for good or left out in this run already; the user may retry, a new version goes.
        return;
      }
      UploadReason reason = known == Ledger.Known.CHANGED ? UploadReason.CHANGED : UploadReason.NEW;
      next.failures = next.failures.without(asset.id());
      next.left = next.left.without(asset.id());
      next.attempts = next.attempts.without(asset.id());
      result(asset.id(), Result.PENDING);
      QueueOrder.Rank rank = next.settings.upload().queueOrder().rank(asset, next.firstScanDone, next.foundSoFar++);
      if (next.settings.rules().tooRecentUntil(asset, context.now()).isPresent()) {
        addPending(new Pending(asset, reason, Stage.TOO_RECENT, rank, false));
        next.tooRecent = next.tooRecent.with(tooRecentKey(asset, rank), asset.id());
        return;
      }
      addPending(new Pending(asset, reason, Stage.TO_IDENTIFY, rank, false));
      offer(pendingOf(asset.id()));
    }

    QueueOrder.Rank tooRecentKey(Asset asset, QueueOrder.Rank rank) {
      return QueueOrder.due(next.settings.rules().oldEnoughAt(asset), rank.sequence());
    }

    /** Drops an asset {@code min-age} held, as if it had not been found. */
    void forgetTooRecent(Pending entry) {
      String id = entry.asset().id();
      next.tooRecent = next.tooRecent.without(tooRecentKey(entry.asset(), entry.rank()));
      next.pending = next.pending.without(id);
      next.results.get(id).ifPresent(result -> next.tally = next.tally.without(result));
      next.results = next.results.without(id);
      leaveSize(entry.asset().size());
    }

    // -- identifying --

    /**
     * Reads found assets, as many at once as uploads may run; one that cannot be a copy goes
     * unread instead, in its turn.
     */
    void identifyMore() {
      int limit = next.sendingLimit(context.uploadSlots());
      while (next.identifying.size() < limit && !next.toIdentify.isEmpty()) {
        OrderedQueue.Entry<String> first = next.toIdentify.first().orElseThrow();
        next.toIdentify = next.toIdentify.without(first.key());
        Pending entry = pendingOf(first.value());
        if (Placement.cannotBeACopy(entry.asset(), ledger, this)) {
          claimSize(entry.asset());
          if (next.identifying.isEmpty()) {
            enqueue(entry, false);
          } else {
            next.identifying = next.identifying.with(first.key(), entry.asset().id());
            update(entry.at(Stage.UNREAD_IN_TURN, first.key()));
          }
          continue;
        }
        next.identifying = next.identifying.with(first.key(), entry.asset().id());
        update(entry.at(Stage.IDENTIFYING, first.key()));
        decisions.add(new Identify(entry.asset()));
      }
    }

    void identified(Asset asset, Identity identity) {
      Optional<Pending> current = next.pending.get(asset.id());
      if (current.isEmpty() || current.get().stage() != Stage.IDENTIFYING || !current.get().asset().equals(asset)) {
        return;
      }
      if (identity.changedWhileRead()) {
        // Uploading it blind could send a content the target has: the next scan finds it settled.
        next.identifying = next.identifying.without(current.get().rank());
        String reason = asset.relativePath() + " changed while it was read; it is read again once it settles";
        next.left = next.left.with(asset.id(), new Left(asset, reason));
        done(current.get(), Result.NOT_BACKED_UP);
        decisions.add(new Rescan(reason));
      } else {
        update(current.get().with(identity.sha256().map(asset::withContentHash).orElse(asset)).at(Stage.IDENTIFIED));
      }
      // Placed in rank order, however the reads overtook each other.
      while (!next.identifying.isEmpty()) {
        OrderedQueue.Entry<String> first = next.identifying.first().orElseThrow();
        Pending entry = pendingOf(first.value());
        if (entry.stage() == Stage.UNREAD_IN_TURN) {
          next.identifying = next.identifying.without(first.key());
          enqueue(entry, false);
        } else if (entry.stage() == Stage.IDENTIFIED) {
          next.identifying = next.identifying.without(first.key());
          place(entry, false);
        } else {
          break;
        }
      }
    }

    /** Carries out the {@link Placement} of an asset whose content is known, or cannot be learnt first. */
    void place(Pending entry, boolean first) {
      Placement placement = Placement.of(entry.asset(), ledger, this, next.settings.upload().uploadSameContentTwice());
      if (placement instanceof Placement.Alias) {
        alias(entry);
      } else if (placement instanceof Placement.WaitForSize) {
        long size = entry.asset().size();
        next.waitingForSize = next.waitingForSize.with(size, plus(next.waitingForSize.get(size), entry.asset().id()));
        update(entry.at(Stage.WAITING_FOR_SIZE));
      } else if (placement instanceof Placement.WaitForContent) {
        String content = entry.asset().contentHash().orElseThrow();
        next.waitingForContent =
            next.waitingForContent.with(content, plus(next.waitingForContent.get(content), entry.asset().id()));
        update(entry.at(Stage.WAITING_FOR_CONTENT));
      } else if (placement instanceof Placement.Upload upload) {
        if (upload.unread()) {
          claimSize(entry.asset());
        }
        upload.content().ifPresent(content -> next.uploadingContent = next.uploadingContent.with(content, entry.asset().id()));
        enqueue(entry, first);
      }
    }

    /** Records {@code entry} as backed up by its content, which is on the target already. */
    void alias(Pending entry) {
      Asset asset = entry.asset();
      record(
          new BackupSupervisor.AssetBackedUp(
              asset.id(), asset.version(), asset.contentHash().orElseThrow(), asset.size(), Optional.empty(), context.now()));
      decisions.add(
          new Report(
              new EngineEvent.AssetUploaded(
                  next.settings.libraryId(),
                  asset.id(),
                  asset.relativePath(),
                  Optional.empty(),
                  asset.size(),
                  context.now(),
                  true)));
      done(entry, Result.ALREADY);
    }

    // -- uploading --

    void startUploads() {
      int limit = next.sendingLimit(context.uploadSlots());
      int paused = runningHeld();
      Iterator<OrderedQueue.Entry<String>> queued = next.queue.iterator();
      while (next.running.size() - paused < limit && queued.hasNext()) {
        OrderedQueue.Entry<String> candidate = queued.next();
        Pending entry = pendingOf(candidate.value());
        LibraryRules.Check rules = next.settings.rules().check(entry.asset(), context.metered(), context.now());
        if (!rules.allowed()) {
          holdForNetwork(candidate, entry, rules.reasons());
          continue;
        }
        String remotePath = next.settings.layout().remotePath(entry.asset(), next.settings.nameRules());
        // Two uploads to one remote path never run at once: the second starts once the first is in
        // the ledger, so its conflict is decided knowing that file is a backup.
        if (next.running.values().stream().noneMatch(path -> samePath(path, remotePath))) {
          next.queue = next.queue.without(candidate.key());
          next.running = next.running.with(entry.asset().id(), remotePath);
          update(entry.at(Stage.RUNNING));
          decisions.add(new Upload(entry.asset(), remotePath, entry.reason()));
        }
      }
    }

    void finished(String assetId, FileUpload.Outcome outcome) {
      Optional<Pending> current = next.pending.get(assetId);
      if (current.isEmpty() || current.get().stage() != Stage.RUNNING) {
        return;
      }
      Pending entry = current.get();
      next.running = next.running.without(assetId);
      Asset asset = entry.asset();
      String libraryId = next.settings.libraryId();
      if (outcome instanceof FileUpload.Uploaded uploaded) {
        next.unreachableInARow = 0;
        record(
            new BackupSupervisor.AssetBackedUp(
                assetId,
                asset.version(),
                uploaded.file().sha256(),
                asset.size(),
                Optional.of(uploaded.file().remotePath()),
                uploaded.uploadedAt()));
        decisions.add(
            new Report(
                new EngineEvent.AssetUploaded(
                    libraryId,
                    assetId,
                    asset.relativePath(),
                    Optional.of(uploaded.file().remotePath()),
                    asset.size(),
                    uploaded.uploadedAt(),
                    uploaded.alreadyOnTarget())));
        if (uploaded.alreadyOnTarget()) {
          next.bytesToUpload -= asset.size();
        } else {
          next.bytesFinished += asset.size();
        }
        done(entry, uploaded.alreadyOnTarget() ? Result.ALREADY : Result.UPLOADED);
        Optional<String> identified = asset.contentHash();
        if (identified.isPresent() && identified.get().equals(uploaded.file().sha256())) {
          aliasWaitersFor(identified.get());
        } else {
          // The file changed since it was read: the content its copies wait for is not uploaded.
          releaseContent(asset);
        }
      } else if (outcome instanceof FileUpload.Copy copy) {
        // The file, as found, holds a content the ledger has: nothing was published.
        next.bytesToUpload -= asset.size();
        alias(entry.with(asset.withContentHash(copy.sha256())));
      } else if (outcome instanceof FileUpload.Failure failure) {
        onFailure(entry, failure.error());
        return;
      } else {
        String reason = reasonOf(outcome);
        decisions.add(new Report(new EngineEvent.AssetSkipped(libraryId, assetId, asset.relativePath(), reason)));
        next.bytesToUpload -= asset.size();
        releaseContent(asset);
        if (outcome instanceof FileUpload.Gone) {
          done(entry, Result.GONE);
        } else {
          next.left = next.left.with(assetId, new Left(asset, reason));
          done(entry, Result.NOT_BACKED_UP);
        }
        if (outcome instanceof FileUpload.Changed) {
          // Its size and times are stale now: the next scan finds the new content once it settles.
          decisions.add(new Rescan(reason));
        }
      }
      releaseSize(asset);
    }

    void onFailure(Pending entry, UploadError error) {
      Asset asset = entry.asset();
      String libraryId = next.settings.libraryId();
      Optional<BlockerReason> libraryWide = error.stopsTheLibrary();
      int tried = next.attempts.get(asset.id()).orElse(0);
      if (libraryWide.isPresent()) {
        // A full, refusing or unreachable target fails every upload alike: stop the library, not
        // the asset, which keeps its attempts.
        BlockerReason blocker = libraryWide.get();
        boolean alreadyWaiting = next.blockers.contains(blocker);
        Set<BlockerReason> more = EnumSet.of(blocker);
        more.addAll(next.blockers);
        next.blockers = Set.copyOf(more);
        next.targetError = Optional.of(error.message());
        enqueue(entry, true);
        if (blocker != BlockerReason.TARGET_UNREACHABLE || !alreadyWaiting || next.targetRetryAt.isEmpty()) {
          Duration delay = next.settings.upload().maxBackoff();
          if (blocker == BlockerReason.TARGET_UNREACHABLE) {
            next.unreachableInARow++;
            delay = longerRetryAfter(error, next.settings.upload().backoff(next.unreachableInARow, context.random()));
          }
          next.targetRetryAt = Optional.of(context.now().plus(delay));
          decisions.add(new StopLibrary(blocker, delay, error.message()));
        }
        // Another upload that met the same outage waits with the library.
        Duration wait = Duration.between(context.now(), next.targetRetryAt.orElseThrow());
        decisions.add(
            new Report(
                new EngineEvent.AssetFailed(
                    libraryId, asset.id(), asset.relativePath(), error, tried, true, Optional.of(wait))));
        return;
      }
      int attempt = tried + 1;
      next.attempts = next.attempts.with(asset.id(), attempt);
      boolean willRetry = error.retryable() && attempt < next.settings.upload().maxAttempts();
      if (willRetry) {
        Duration delay = longerRetryAfter(error, next.settings.upload().backoff(attempt, context.random()));
        decisions.add(
            new Report(
                new EngineEvent.AssetFailed(
                    libraryId, asset.id(), asset.relativePath(), error, attempt, true, Optional.of(delay))));
        update(entry.at(Stage.RETRYING));
        next.retries =
            next.retries.with(
                asset.id(), new LibraryStatus.Retry(asset.id(), asset.relativePath(), error, attempt, context.now().plus(delay)));
        decisions.add(new RetryLater(asset.id(), delay, error.message()));
        return;
      }
      decisions.add(new Report(new EngineEvent.AssetFailed(libraryId, asset.id(), asset.relativePath(), error, attempt)));
      next.failures = next.failures.with(asset.id(), new Failed(asset, error, attempt));
      next.bytesToUpload -= asset.size();
      releaseContent(asset);
      done(entry, Result.FAILED);
      releaseSize(asset);
    }

    void retryDue(String assetId) {
      next.retries = next.retries.without(assetId);
      next.pending
          .get(assetId)
          .filter(entry -> entry.stage() == Stage.RETRYING)
          .ifPresent(entry -> enqueue(entry, true));
    }

    void retryFailed(String assetId) {
      Optional<Failed> failed = next.failures.get(assetId);
      if (failed.isEmpty()) {
        return;
      }
      Asset asset = failed.get().asset();
      next.failures = next.failures.without(assetId);
      next.attempts = next.attempts.without(assetId);
      result(assetId, Result.PENDING);
      UploadReason reason =
          ledger.check(asset) == Ledger.Known.CHANGED ? UploadReason.CHANGED : UploadReason.NEW;
      addPending(new Pending(asset, reason, Stage.TO_IDENTIFY, QueueOrder.retry(--next.retriesSoFar), false));
      Pending entry = pendingOf(assetId);
      boolean mustRead =
          asset.contentHash().isEmpty()
              && !next.settings.upload().uploadSameContentTwice()
              && !Placement.cannotBeACopy(asset, ledger, this);
      if (mustRead) {
        // Another file of its size came along, or was backed up: its content is read first.
        next.toIdentify = next.toIdentify.with(entry.rank(), assetId);
      } else {
        // Placed again, as a copy of it may have been backed up meanwhile.
        place(entry, true);
      }
    }

    // -- bookkeeping --

    void record(BackupSupervisor.AssetBackedUp backedUp) {
      ledger = ledger.with(backedUp);
      decisions.add(new Record(backedUp));
    }

    /** The asset's way through this run ended with {@code result}. */
    void done(Pending entry, Result result) {
      if (entry.superseded()) {
        decisions.add(new Rescan("a newer version of " + entry.asset().relativePath() + " was found on its way"));
      }
      String id = entry.asset().id();
      next.retries = next.retries.without(id);
      countRetrying(pendingOf(id), Optional.empty());
      next.pending = next.pending.without(id);
      result(id, result);
      leaveSize(entry.asset().size());
    }

    void result(String assetId, Result result) {
      next.tally = next.tally.move(next.results.get(assetId), result);
      next.results = next.results.with(assetId, result);
    }

    /** One pending asset of {@code size} fewer: the counterpart of {@link #addPending}. */
    void leaveSize(long size) {
      SameSize sameSize = next.bySize.get(size).orElseThrow();
      next.bySize =
          sameSize.pending() == 1
              ? next.bySize.without(size)
              : next.bySize.with(size, new SameSize(sameSize.pending() - 1, sameSize.unread()));
    }

    void addPending(Pending entry) {
      next.pending = next.pending.with(entry.asset().id(), entry);
      long size = entry.asset().size();
      SameSize sameSize = next.bySize.get(size).orElse(new SameSize(0, Optional.empty()));
      next.bySize = next.bySize.with(size, new SameSize(sameSize.pending() + 1, sameSize.unread()));
    }

    void update(Pending entry) {
      countRetrying(pendingOf(entry.asset().id()), Optional.of(entry));
      next.pending = next.pending.with(entry.asset().id(), entry);
    }

    void countRetrying(Pending before, Optional<Pending> after) {
      boolean was = before.stage() == Stage.RETRYING;
      boolean is = after.map(entry -> entry.stage() == Stage.RETRYING).orElse(false);
      next.retrying += (is ? 1 : 0) - (was ? 1 : 0);
    }

    Pending pendingOf(String assetId) {
      return next.pending.get(assetId).orElseThrow(() -> new IllegalStateException("not pending: " + assetId));
    }

    void enqueue(Pending entry, boolean first) {
      QueueOrder.Rank rank = first ? QueueOrder.retry(--next.retriesSoFar) : entry.rank();
      next.queue = next.queue.with(rank, entry.asset().id());
      update(entry.at(Stage.QUEUED, rank));
      if (entry.stage() != Stage.RETRYING && entry.stage() != Stage.RUNNING) {
        next.bytesToUpload += entry.asset().size();
      }
    }

    /** Until {@code asset} ends, any other asset of its size waits for it. */
    void claimSize(Asset asset) {
      SameSize sameSize = next.bySize.get(asset.size()).orElseThrow();
      next.bySize = next.bySize.with(asset.size(), new SameSize(sameSize.pending(), Optional.of(asset.id())));
    }

    /**
     * When the upload of {@code asset} is done with, places the assets of its size that waited for
     * it (see {@link Placement.WaitForSize}): the ledger holds its content now, or never will from
     * this upload. While another unread asset holds the size, they wait for that one.
     */
    void releaseSize(Asset asset) {
      // Without an entry for its size, no asset of its size is pending, so none waits.
      Optional<SameSize> sameSize = next.bySize.get(asset.size());
      if (sameSize.isEmpty()) {
        return;
      }
      Optional<String> unread = sameSize.get().unread();
      if (unread.isPresent() && !unread.get().equals(asset.id())) {
        return;
      }
      next.bySize = next.bySize.with(asset.size(), new SameSize(sameSize.get().pending(), Optional.empty()));
      List<String> waiting = next.waitingForSize.get(asset.size()).orElse(List.of());
      next.waitingForSize = next.waitingForSize.without(asset.size());
      for (String id : waiting) {
        place(pendingOf(id), false);
      }
    }

    /** The assets that waited for {@code content}, which is now on the target, become its aliases. */
    void aliasWaitersFor(String content) {
      next.uploadingContent = next.uploadingContent.without(content);
      List<String> waiting = next.waitingForContent.get(content).orElse(List.of());
      next.waitingForContent = next.waitingForContent.without(content);
      for (String id : waiting) {
        alias(pendingOf(id));
      }
    }

    /** The upload of {@code asset} ended without its content on the target: a waiting one takes over. */
    void releaseContent(Asset asset) {
      Optional<String> content = asset.contentHash();
      if (content.isEmpty() || !next.uploadingContent.get(content.get()).equals(Optional.of(asset.id()))) {
        return;
      }
      next.uploadingContent = next.uploadingContent.without(content.get());
      List<String> waiting = next.waitingForContent.get(content.get()).orElse(List.of());
      next.waitingForContent = next.waitingForContent.without(content.get());
      if (!waiting.isEmpty()) {
        Pending taker = pendingOf(waiting.get(0));
        next.uploadingContent = next.uploadingContent.with(content.get(), taker.asset().id());
        if (waiting.size() > 1) {
          next.waitingForContent = next.waitingForContent.with(content.get(), List.copyOf(waiting.subList(1, waiting.size())));
        }
        enqueue(taker, false);
      }
    }

    // -- Placement.Run --

    @Override
    public Optional<String> unreadOfSize(long size) {
      return next.bySize.get(size).flatMap(SameSize::unread);
    }

    @Override
    public Optional<String> uploaderOf(String content) {
      return next.uploadingContent.get(content);
    }

    @Override
    public int pendingOfSize(long size) {
      return next.bySize.get(size).map(SameSize::pending).orElse(0);
    }

    @Override
    public Optional<String> uploadingOfSize(long size) {
      // Only while an asset of unknown content is placed, which is rare: a walk is cheap enough.
      return next.uploadingContent.values().stream()
          .filter(id -> next.pending.get(id).map(entry -> entry.asset().size() == size).orElse(false))
          .findFirst();
    }
  }

  private static List<String> plus(Optional<List<String>> list, String id) {
    List<String> more = new ArrayList<>(list.orElse(List.of()));
    more.add(id);
    return List.copyOf(more);
  }

  private static String reasonOf(FileUpload.Outcome outcome) {
    if (outcome instanceof FileUpload.Gone gone) {
      return gone.reason();
    }
    if (outcome instanceof FileUpload.Declined declined) {
      return declined.reason();
    }
    if (outcome instanceof FileUpload.Changed changed) {
      return changed.reason();
    }
    throw new IllegalArgumentException("not a skip: " + outcome);
  }

  /** Alike for every target, also those that do not tell names apart by case. */
  private static boolean samePath(String one, String other) {
    return one.toLowerCase(Locale.ROOT).equals(other.toLowerCase(Locale.ROOT));
  }

  /** {@code backoff}, or the wait the server asked for when that is longer. */
  private static Duration longerRetryAfter(UploadError error, Duration backoff) {
    Optional<Duration> asked =
        error instanceof UploadError.Transient t
            ? t.retryAfter()
            : error instanceof UploadError.Unreachable u ? u.retryAfter() : Optional.empty();
    return asked.filter(wait -> wait.compareTo(backoff) > 0).orElse(backoff);
  }

}
