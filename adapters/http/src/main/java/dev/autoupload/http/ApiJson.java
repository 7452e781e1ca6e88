package dev.autoupload.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.ActivityPage;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.freespace.FreedLog;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The JSON the API speaks, as records: what a client sees is declared here in one place. States
 * and run states are lower case ({@code completed}, {@code waiting}); reasons carry their
 * {@link BlockerReason} name as {@code code} and the user's words as {@code text}; times are
 * ISO-8601 instants; an absent value is {@code null}.
 */
final class ApiJson {

  private ApiJson() {}

  /** What the engine does as a whole, in one word; lower case in JSON. */
  enum RunState {
    /** Uploading, or scanning for work. */
    RUNNING,
    /** Something stops uploads: the device's conditions or a library's target. */
    WAITING,
    /** The user paused uploads. */
    PAUSED,
    /** Everything found is done. */
    IDLE;

    static RunState of(EngineStatus status, Collection<BlockerReason> reasons) {
      if (reasons.contains(BlockerReason.USER_PAUSED)) {
        return PAUSED;
      }
      if (reasons.stream().anyMatch(reason -> reason.blocking() && !reason.perAsset())) {
        return WAITING;
      }
      if (status.idle()) {
        return IDLE;
      }
      // A library's rules hold some files back: waiting only while no other file is sending.
      boolean sending =
          status.libraries().stream().flatMap(library -> library.inFlight().stream()).anyMatch(u -> u.pausedFor().isEmpty());
      return !sending && reasons.stream().anyMatch(BlockerReason::perAsset) ? WAITING : RUNNING;
    }

    @JsonValue
    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code GET /api/libraries}. */
  record Libraries(List<LibraryCatalog.Entry> libraries) {}

  record Error(String error, Optional<String> field) {
    static Error of(String message) {
      return new Error(message, Optional.empty());
    }
  }

  record Reason(String code, String text, boolean blocking) {
    static Reason of(BlockerReason reason) {
      return new Reason(reason.name(), reason.description(), reason.blocking());
    }

    static List<Reason> all(Collection<BlockerReason> reasons) {
      return new TreeSet<>(reasons).stream().map(Reason::of).toList();
    }
  }

  /**
   * {@code GET /api/status}.
   *
   * @param reasons every reason that applies, engine-wide and per library
   * @param counts assets per state as the Activity view counts them (all runs)
   * @param files every file found, each in one place: what the page's header and counters show
   * @param run this run's numbers, as the CLI's summary shows them
   * @param conditions the device's conditions as last reported; null until an embedded engine's
   *     first report
   */
  record Status(
      RunState state,
      boolean allowed,
      List<Reason> reasons,
      Map<String, Long> counts,
      Files files,
      long bytesPerSecond,
      Run run,
      List<Library> libraries,
      DeviceConditions conditions) {

    static Status of(EngineStatus status, Map<String, Map<UploadState, Long>> counts, long bytesPerSecond) {
      TreeSet<BlockerReason> reasons = new TreeSet<>(status.reasons());
      status.libraries().forEach(library -> reasons.addAll(library.reasons()));
      return new Status(
          RunState.of(status, reasons),
          status.verdict().allowed(),
          Reason.all(reasons),
          total(counts.values()),
          Files.of(status.libraries()),
          bytesPerSecond,
          Run.of(status),
          status.libraries().stream()
              .map(
                  library ->
                      Library.of(
                          library,
                          counts.getOrDefault(library.libraryId(), Map.of()),
                          status.stall(library.libraryId()).map(stall -> Stalled.of(stall, Instant.now()))))
              .toList(),
          status.conditions().orElse(null));
    }
  }

  /**
   * The files the libraries found, as of one status, each counted in exactly one of the five: so
   * {@code found} is their sum, and a header and counters made from these agree. A file waits when
   * it is queued, waits out a retry's backoff, or was paused mid-upload (by the user or the
   * device's conditions): paused is waiting.
   */
  record Files(long found, long backedUp, long uploading, long waiting, long failed, long skipped) {
    static Files of(List<LibraryStatus> libraries) {
      long backedUp = 0;
      long uploading = 0;
      long waiting = 0;
      long failed = 0;
      long skipped = 0;
      for (LibraryStatus library : libraries) {
        long paused = library.inFlight().stream().filter(upload -> !upload.pausedFor().isEmpty()).count();
        backedUp += library.alreadyBackedUp() + library.completed();
        uploading += Math.max(0, library.running() - paused);
        waiting += library.queued() + library.retrying() + Math.min(paused, library.running());
        failed += library.failed();
        skipped += library.skipped();
      }
      return new Files(backedUp + uploading + waiting + failed + skipped, backedUp, uploading, waiting, failed, skipped);
    }
  }

  /**
   * What a library's source passed over ({@link NotOffered}), and in words: the command line's
   * note says the same, and the Activity page shows {@code text}.
   *
   * @param text the sentence, null when nothing was passed over
   */
  record PassedOver(int files, SortedMap<String, Integer> byExtension, Optional<String> text) {
    static PassedOver of(NotOffered notOffered, String source) {
      return new PassedOver(notOffered.files(), notOffered.byExtension(), notOffered.describe(source));
    }
  }

  /**
   * @param leftOutByOnlySince files found that were taken before {@code only-since}, not offered
   * @param notOffered files the sources' last whole scans found and did not offer for their
   *     extension (every library's {@code notOffered.files})
   */
  record Run(
      long discovered,
      long backedUp,
      long failed,
      long skipped,
      long bytesToUpload,
      long bytesDone,
      long bytesSent,
      long leftOutByOnlySince,
      long notOffered) {
    static Run of(EngineStatus status) {
      return new Run(
          status.discovered(),
          status.backedUp(),
          status.failed(),
          status.skipped(),
          status.bytesToUpload(),
          status.bytesDone(),
          status.bytesSent(),
          status.leftOutByOnlySince(),
          status.notOffered());
    }
  }

  record Library(
      String id,
      String source,
      String target,
      boolean scanning,
      Optional<String> scanError,
      long discovered,
      long alreadyBackedUp,
      long queued,
      long running,
      long retrying,
      long completed,
      long skipped,
      long failed,
      long bytesToUpload,
      long bytesDone,
      long bytesSent,
      List<Reason> reasons,
      Map<String, Long> counts,
      List<InFlight> inFlight,
      List<Failure> failures,
      List<NotBackedUp> notBackedUp,
      List<Retry> retries,
      Optional<String> targetError,
      Optional<Instant> targetRetryAt,
      boolean unreachableTooLong,
      List<String> notes,
      Optional<Down> down,
      Optional<Stalled> stalled,
      List<Held> held,
      long leftOutByOnlySince,
      PassedOver notOffered,
      Optional<String> node,
      Optional<String> unknown) {

    static Library of(LibraryStatus status, Map<UploadState, Long> counts, Optional<Stalled> stalled) {
      return of(status, counts, stalled, Set.of(), Optional.empty());
    }

    /**
     * A library as the engine that runs it has it, with that engine's reasons (the user's pause,
     * the device's conditions) among its own, and the node that runs it when there are several.
     */
    static Library of(
        LibraryStatus status,
        Map<UploadState, Long> counts,
        Optional<Stalled> stalled,
        Set<BlockerReason> enginesReasons,
        Optional<String> node) {
      TreeSet<BlockerReason> reasons = new TreeSet<>(status.reasons());
      reasons.addAll(enginesReasons);
      return new Library(
          status.libraryId(),
          status.source(),
          status.target(),
          status.scanning(),
          status.scanError(),
          status.discovered(),
          status.alreadyBackedUp(),
          status.queued(),
          status.running(),
          status.retrying(),
          status.completed(),
          status.skipped(),
          status.failed(),
          status.bytesToUpload(),
          status.bytesDone(),
          status.bytesSent(),
          Reason.all(reasons),
          total(List.of(counts)),
          status.inFlight().stream().map(InFlight::of).toList(),
          status.failures().stream().map(Failure::of).toList(),
          status.notBackedUp().stream().map(skip -> new NotBackedUp(skip.assetId(), skip.path(), skip.reason())).toList(),
          status.retries().stream().map(Retry::of).toList(),
          status.targetError(),
          status.targetRetryAt(),
          status.unreachableTooLong(),
          status.targetNotes(),
          status.down().map(Down::of),
          stalled,
          status.held().stream().map(Held::of).toList(),
          status.leftOutByOnlySince(),
          PassedOver.of(status.notOffered(), status.source()),
          node,
          Optional.empty());
    }

    /**
     * A library whose status is unknown (its node did not answer in time, it is starting or
     * moving): its Activity counts, nothing of this run, and why.
     */
    static Library unknown(
        String id, String source, String target, Map<UploadState, Long> counts, Optional<String> node, String why) {
      return new Library(
          id,
          source,
          target,
          false,
          Optional.empty(),
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          List.of(),
          total(List.of(counts)),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          Optional.empty(),
          Optional.empty(),
          false,
          List.of(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          0,
          PassedOver.of(NotOffered.NONE, source),
          node,
          Optional.of(why));
    }
  }

  /**
   * A library the watchdog finds stalled, in {@code /api/status} and as the {@code stalled} event:
   * {@code kind} is {@code no-progress} (nothing backed up for {@code stall-after} while files
   * wait) or {@code too-old} (the last backup is older than {@code max-age}); {@code since} when
   * nothing was backed up, {@code forSeconds} how long that is, {@code waiting} the files that
   * wait, {@code reasons} and {@code causes} why.
   */
  record Stalled(
      String library, String kind, Instant since, long forSeconds, long waiting, List<Reason> reasons, List<String> causes) {
    static Stalled of(Stall stall, Instant now) {
      return new Stalled(
          stall.libraryId(),
          stallKind(stall.kind()),
          stall.since(),
          stall.lasting(now).toSeconds(),
          stall.waiting(),
          Reason.all(stall.reasons()),
          stall.causes());
    }
  }

  /** The {@code recovered} event: the stall of {@code kind} ended, {@code how}: {@code backed-up} or {@code nothing-waits}. */
  record Recovered(String library, String kind, Instant since, Instant at, String how) {
    static Recovered of(EngineEvent.Recovered recovered) {
      return new Recovered(
          recovered.ended().libraryId(),
          stallKind(recovered.ended().kind()),
          recovered.ended().since(),
          recovered.at(),
          recovered.how().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
  }

  static String stallKind(Stall.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * A library whose backup is down: why, since when, how often it failed in a row, and whether it
   * is restarted ({@code restarting}) or stays down.
   */
  record Down(String reason, Instant since, int failures, boolean restarting) {
    static Down of(LibraryStatus.Down down) {
      return new Down(down.reason(), down.since(), down.failures(), down.restarting());
    }
  }

  /** A file that exists but was left out in this run, and why. */
  record NotBackedUp(String assetId, String path, String reason) {}

  /** A file the library's rules hold back: why, and while it is too recent, when it goes. */
  record Held(String assetId, String path, List<Reason> reasons, Optional<Instant> until) {
    static Held of(LibraryStatus.Held held) {
      return new Held(held.assetId(), held.path(), Reason.all(held.reasons()), held.until());
    }
  }

  record InFlight(String assetId, String path, long offset, long size, int percent, List<Reason> pausedFor) {
    static InFlight of(LibraryStatus.InFlight upload) {
      return new InFlight(
          upload.assetId(),
          upload.path(),
          upload.offset(),
          upload.size(),
          ApiJson.percent(upload.offset(), upload.size()),
          Reason.all(upload.pausedFor()));
    }
  }

  /** A failed attempt waiting out its backoff: it goes again {@code at}. */
  record Retry(String assetId, String path, String error, int attempts, Instant at) {
    static Retry of(LibraryStatus.Retry retry) {
      return new Retry(retry.assetId(), retry.path(), describe(retry.error()), retry.attempts(), retry.at());
    }
  }

  record Failure(String assetId, String path, String error, int attempts) {
    static Failure of(LibraryStatus.Failure failure) {
      return new Failure(failure.assetId(), failure.path(), describe(failure.error()), failure.attempts());
    }
  }

  /** {@code GET /api/freed}: originals moved or deleted after their backup was proven, newest first. */
  record FreedOriginals(List<FreedOriginal> items) {
    static FreedOriginals of(List<FreedLog.Entry> entries) {
      return new FreedOriginals(entries.stream().map(FreedOriginal::of).toList());
    }
  }

  /**
   * One original: {@code action} {@code deleted} or {@code moved} (to {@code movedTo}); {@code state}
   * {@code done}, {@code abandoned} (then {@code detail} says why) or {@code intended} (a kill cut
   * it short: whether the file is still there tells what happened).
   */
  record FreedOriginal(
      String library,
      String path,
      String action,
      Optional<String> movedTo,
      String sha256,
      String proof,
      Optional<String> remotePath,
      Optional<Instant> backedUpAt,
      Instant at,
      String state,
      Optional<String> detail) {
    static FreedOriginal of(FreedLog.Entry entry) {
      return new FreedOriginal(
          entry.libraryId(),
          entry.path(),
          entry.action().name().toLowerCase(Locale.ROOT),
          entry.movedTo().map(Object::toString),
          entry.sha256(),
          entry.proof().toLowerCase(Locale.ROOT),
          entry.remotePath(),
          entry.backedUpAt(),
          entry.decidedAt(),
          entry.state().name().toLowerCase(Locale.ROOT),
          entry.detail());
    }
  }

  /** {@code GET /api/activity}: {@code next} is the cursor for the following page, or null. */
  record Activity(List<ActivityEntry> items, Optional<String> next) {
    static Activity of(ActivityPage page) {
      return new Activity(page.items().stream().map(ActivityEntry::of).toList(), page.next());
    }
  }

  record ActivityEntry(
      String assetId,
      String library,
      String path,
      Optional<String> remotePath,
      Instant createdAt,
      Optional<Instant> uploadedAt,
      long bytes,
      String state,
      Optional<String> livePhotoVideo,
      Optional<String> note,
      String thumbnailUrl) {
    static ActivityEntry of(ActivityItem item) {
      return new ActivityEntry(
          item.assetId(),
          item.libraryId(),
          item.path(),
          item.remotePath(),
          item.createdAt(),
          item.uploadedAt(),
          item.bytes(),
          ApiJson.state(item.state()),
          item.livePhotoVideo(),
          item.note(),
          thumbnailPath(item));
    }
  }

  /**
   * {@code /api/thumbnails/{library}/{assetId}}: the item's JPEG thumbnail, at most 320 px on its
   * long side, with the same credentials as the rest of {@code /api}.
   */
  static String thumbnailPath(ActivityItem item) {
    return "/api/thumbnails/" + pathSegment(item.libraryId()) + "/" + pathSegment(item.assetId());
  }

  private static String pathSegment(String text) {
    // URLEncoder writes a form: a space as '+', which a path keeps as a plus.
    return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * {@code GET /api/activity/hours}: the last hours, oldest first, the current one last (and still
   * going): files backed up in each, and the backlog (files waiting or uploading) last seen in it
   * since the endpoint started, null where none was seen.
   */
  record Hours(List<Hour> hours) {}

  record Hour(Instant start, long backedUp, Optional<Long> backlog) {}

  /** {@code GET /api/uploads}. */
  record Uploads(List<Upload> items) {
    static Uploads of(List<ActivityItem> items) {
      return new Uploads(items.stream().map(Upload::of).toList());
    }
  }

  record Upload(
      String assetId,
      String library,
      String path,
      Optional<String> remotePath,
      Instant createdAt,
      Optional<Instant> uploadedAt,
      long bytes,
      String state,
      long offset,
      int percent,
      int attempts,
      Optional<String> lastError,
      List<Reason> reasons,
      Optional<String> note) {
    static Upload of(ActivityItem item) {
      return new Upload(
          item.assetId(),
          item.libraryId(),
          item.path(),
          item.remotePath(),
          item.createdAt(),
          item.uploadedAt(),
          item.bytes(),
          ApiJson.state(item.state()),
          item.offset(),
          item.percent(),
          item.attempts(),
          item.lastError(),
          Reason.all(item.reasons()),
          item.note());
    }
  }

  /** {@code GET /api/session}: how the caller is authenticated; the CSRF token for a page login. */
  record SessionInfo(String auth, Optional<String> csrfToken) {}

  // ---- Server-Sent Events ----

  /** {@code event: progress}: bytes of a file in flight reached the target. */
  record Progress(String library, String assetId, String path, long offset, long size, int percent) {
    static Progress of(EngineEvent.AssetProgress progress) {
      return new Progress(
          progress.libraryId(),
          progress.assetId(),
          progress.path(),
          progress.offset(),
          progress.size(),
          ApiJson.percent(progress.offset(), progress.size()));
    }
  }

  /**
   * {@code event: state}: a file (or a library's scan) changed state. {@code kind} is one of
   * {@code uploaded}, {@code already-on-target}, {@code resumed}, {@code retrying}, {@code
   * failed}, {@code skipped}, {@code scan-failed}; fields that do not apply to a kind are left out.
   */
  @JsonInclude(JsonInclude.Include.NON_ABSENT)
  record StateChange(
      String kind,
      String library,
      Optional<String> assetId,
      String path,
      Optional<String> remotePath,
      Optional<Long> bytes,
      Optional<Instant> uploadedAt,
      Optional<Long> offset,
      Optional<Long> size,
      Optional<String> error,
      Optional<Integer> attempts) {

    /** Empty for events that are not state changes (progress, verdicts). */
    static Optional<StateChange> of(EngineEvent event) {
      if (event instanceof EngineEvent.AssetUploaded uploaded) {
        return Optional.of(
            new StateChange(
                uploaded.alreadyOnTarget() ? "already-on-target" : "uploaded",
                uploaded.libraryId(),
                Optional.of(uploaded.assetId()),
                uploaded.path(),
                uploaded.remotePath(),
                Optional.of(uploaded.bytes()),
                Optional.of(uploaded.uploadedAt()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
      }
      if (event instanceof EngineEvent.AssetResumed resumed) {
        return Optional.of(
            new StateChange(
                "resumed",
                resumed.libraryId(),
                Optional.of(resumed.assetId()),
                resumed.path(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(resumed.offset()),
                Optional.of(resumed.size()),
                Optional.empty(),
                Optional.empty()));
      }
      if (event instanceof EngineEvent.AssetFailed failed) {
        return Optional.of(
            new StateChange(
                failed.willRetry() ? "retrying" : "failed",
                failed.libraryId(),
                Optional.of(failed.assetId()),
                failed.path(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(describe(failed.error())),
                Optional.of(failed.attempts())));
      }
      if (event instanceof EngineEvent.AssetSkipped skipped) {
        return Optional.of(
            new StateChange(
                "skipped",
                skipped.libraryId(),
                Optional.of(skipped.assetId()),
                skipped.path(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(skipped.reason()),
                Optional.empty()));
      }
      if (event instanceof EngineEvent.ScanFailed scanFailed) {
        return Optional.of(
            new StateChange(
                "scan-failed",
                scanFailed.libraryId(),
                Optional.empty(),
                scanFailed.path(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.of(scanFailed.message()),
                Optional.empty()));
      }
      return Optional.empty();
    }
  }

  /**
   * {@code GET} and {@code PUT /api/libraries/{id}/conditions}: the conditions one library
   * follows and what they decide for it.
   *
   * @param follows {@code reported} (its own) or {@code device} (the process's)
   * @param conditions as last reported; null before the first report
   */
  record LibraryConditionsView(
      String libraryId, String follows, boolean allowed, int concurrency, List<Reason> reasons, DeviceConditions conditions) {
    static LibraryConditionsView of(LibraryConditions library) {
      return new LibraryConditionsView(
          library.libraryId(),
          follows(library.own()),
          library.verdict().allowed(),
          library.verdict().concurrency(),
          Reason.all(library.verdict().reasons()),
          library.conditions().orElse(null));
    }

    /** {@return how the API names whose conditions a library follows: its own or the device's} */
    static String follows(boolean ownConditions) {
      return ownConditions ? "reported" : "device";
    }
  }

  /**
   * {@code event: verdict}: the device's conditions let uploads run, or stop them, and why; with
   * {@code library}, the conditions of that library alone (null for the device's).
   */
  record VerdictChange(boolean allowed, int concurrency, List<Reason> reasons, String library) {
    static VerdictChange of(EngineEvent.VerdictChanged changed) {
      Verdict verdict = changed.verdict();
      return new VerdictChange(
          verdict.allowed(), verdict.concurrency(), Reason.all(verdict.reasons()), changed.libraryId().orElse(null));
    }
  }

  // ---- verify ----

  /**
   * A verification: {@code POST /api/verify} (202), {@code GET /api/verify[/{id}]} and {@code
   * event: verify-done}. {@code state} is {@code running}, {@code done} or {@code failed} (then
   * {@code error} says why); {@code complete} tells, once done, whether every file is on the target
   * with the same content; {@code files}, every file's verdict in the order the sources listed
   * them, comes with {@code GET} once the verification has ended, and is null before and in events.
   */
  record Verification(
      String id,
      String state,
      String mode,
      List<String> libraries,
      Instant startedAt,
      Optional<Instant> finishedAt,
      long checked,
      long total,
      long bytesRead,
      VerifyCounts counts,
      Optional<Boolean> complete,
      Optional<String> error,
      Optional<List<VerifiedFile>> files) {}

  /** How many files were checked, and how many got each verdict. */
  record VerifyCounts(long files, long same, long differ, long missing, long unchecked) {
    static VerifyCounts of(long files, Map<Mark, Long> counts) {
      return new VerifyCounts(
          files,
          counts.getOrDefault(Mark.SAME, 0L),
          counts.getOrDefault(Mark.DIFFERS, 0L),
          counts.getOrDefault(Mark.MISSING, 0L),
          counts.getOrDefault(Mark.UNCHECKED, 0L));
    }
  }

  /**
   * One file's verdict: {@code mark} is {@code =}, {@code *}, {@code -} or {@code !} as {@code rclone
   * check --combined} prints them, {@code verdict} the same in a word ({@code same}, {@code differs},
   * {@code missing}, {@code unchecked}); {@code remotePath} is where it was judged, null when the
   * file could not be read here.
   */
  record VerifiedFile(String library, String mark, String verdict, String path, Optional<String> remotePath, String reason) {
    static VerifiedFile of(String library, FileVerdict file) {
      return new VerifiedFile(
          library,
          String.valueOf(file.mark().symbol()),
          file.mark().name().toLowerCase(Locale.ROOT),
          file.path(),
          file.remotePath(),
          file.reason());
    }
  }

  /** {@code event: verify-file}: a file of verification {@code id} was checked. */
  record VerifyFileEvent(String id, @JsonUnwrapped VerifiedFile file) {}

  /** {@code event: verify-progress}: a library's files were counted, or one more was checked. */
  record VerifyProgressEvent(String id, String library, long checked, long total, long bytesRead) {}

  /** {@code hashes} or {@code download}. */
  static String mode(VerifyMode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }

  // ---- shared ----

  /** {@code uploading}, {@code paused}, {@code completed}, {@code failed}, {@code skipped}. */
  static String state(UploadState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /** Every state with its count, zeros included, summed over {@code perLibrary}. */
  static Map<String, Long> total(Collection<Map<UploadState, Long>> perLibrary) {
    Map<String, Long> total = new LinkedHashMap<>();
    for (UploadState state : UploadState.values()) {
      total.put(state(state), perLibrary.stream().mapToLong(counts -> counts.getOrDefault(state, 0L)).sum());
    }
    return total;
  }

  static int percent(long offset, long size) {
    return size <= 0 ? 0 : (int) Math.min(100, offset * 100 / size);
  }

  private static String describe(dev.autoupload.engine.upload.UploadError error) {
    return error.getClass().getSimpleName() + ": " + error.message();
  }
}
