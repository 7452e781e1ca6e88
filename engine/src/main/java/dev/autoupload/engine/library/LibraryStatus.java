package dev.autoupload.engine.library;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.upload.UploadError;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where one library's backup stands in the current run (since the engine started).
 *
 * @param scanning the source is still being enumerated
 * @param scanError why the last scan failed, if it did
 * @param discovered assets found by scans so far
 * @param alreadyBackedUp of those, assets already safe without sending a byte: completed by an
 *     earlier run, or found on the target with the same content
 * @param queued waiting for a free upload slot
 * @param running uploads in progress (including paused ones)
 * @param retrying failed attempts waiting for their backoff to pass
 * @param completed uploaded in this run
 * @param skipped given up on for a reason that is not an error: the file vanished, or it was left
 *     out (see {@code notBackedUp})
 * @param failed failed for good in this run; see {@code failures}
 * @param bytesToUpload total size of the assets this run has to upload
 * @param bytesDone bytes of those assets that are safely on the target
 * @param bytesSent bytes actually sent over the wire in this run, resends included
 * @param reasons why uploads are waiting, empty while they run
 * @param notBackedUp files that exist but were left out in this run, each with its reason: a
 *     different file under its name with {@code on-conflict = skip}, or a file that kept changing
 * @param retries the failed attempts waiting out their backoff: which file, why, when it goes again
 * @param targetError while the library's own target stops it ({@code TARGET_FULL}, {@code
 *     NOT_AUTHORIZED}, {@code TARGET_UNTRUSTED}, {@code TARGET_UNREACHABLE} among the reasons), the
 *     target's words for it
 * @param targetRetryAt while the target stops it, when the library tries the target again
 * @param unreachableTooLong the target could not be reached {@code max-attempts} times in a row
 *     with no upload done in between: a library backed up once ({@code --once}) gives up on it for
 *     this run, a watched one keeps trying
 * @param targetNotes what the target changed about how it works, once, and why (an S3 server that
 *     refuses a header, say)
 * @param down why the library's backup is down, when it failed (see {@link Down}); its counts are
 *     then those of the last status asked before it failed, and a restarted backup counts the run
 *     again from its scan
 * @param held the first of the assets the library's rules ({@link LibraryRules}) hold back, each
 *     with its reasons; they count as {@code queued}, and their reasons are among {@code reasons}
 * @param leftOutByOnlySince assets found that were taken before {@code only-since}: never offered,
 *     not counted in {@code discovered}
 * @param notOffered what the source's last whole scan found and did not offer for a rule of its
 *     own, such as a folder's files that are no photo or video by extension ({@link
 *     AssetSource#notOffered()}); never offered, not counted in {@code discovered}
 */
public record LibraryStatus(
    String libraryId,
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
    Set<BlockerReason> reasons,
    List<InFlight> inFlight,
    List<Failure> failures,
    List<Skip> notBackedUp,
    List<Retry> retries,
    Optional<String> targetError,
    Optional<Instant> targetRetryAt,
    boolean unreachableTooLong,
    List<String> targetNotes,
    Optional<Down> down,
    List<Held> held,
    long leftOutByOnlySince,
    NotOffered notOffered) {

  /**
   * {@return what the source's last whole scan passed over}; none in a status from a node that did
   * not count it.
   */
  @Override
  public NotOffered notOffered() {
    return notOffered == null ? NotOffered.NONE : notOffered;
  }

  /**
   * The status of a library whose backup went down before it told any: nothing counted.
   *
   * @param libraryId the library
   * @param source its source, described
   * @param target its target, described
   * @param down why and since when it is down
   * @return that status
   */
  public static LibraryStatus down(String libraryId, String source, String target, Down down) {
    return new LibraryStatus(
        libraryId, source, target, false, Optional.empty(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        Set.of(BlockerReason.LIBRARY_DOWN), List.of(), List.of(), List.of(), List.of(), Optional.empty(),
        Optional.empty(), false, List.of(), Optional.of(down), List.of(), 0, NotOffered.NONE);
  }

  /**
   * This status as it stands once the library's backup went down: the counts it had, what was
   * still to do queued, nothing running or scanning, {@code LIBRARY_DOWN} the reason.
   *
   * @param down why and since when it is down
   * @return the changed status
   */
  public LibraryStatus asDown(Down down) {
    return new LibraryStatus(
        libraryId, source, target, false, scanError, discovered, alreadyBackedUp, queued + running + retrying, 0, 0,
        completed, skipped, failed, bytesToUpload, bytesDone, bytesSent, Set.of(BlockerReason.LIBRARY_DOWN), List.of(),
        failures, notBackedUp, List.of(), Optional.empty(), Optional.empty(), false, targetNotes, Optional.of(down),
        List.of(), leftOutByOnlySince, notOffered);
  }

  /**
   * {@return true once the scan is over and nothing is queued, running or waiting to retry}; never while down.
   */
  public boolean idle() {
    return down.isEmpty() && !scanning && queued == 0 && running == 0 && retrying == 0;
  }

  /**
   * The library's backup failed (a bug, a source or target that threw, a journal that cannot be
   * written) and does not run.
   *
   * @param reason why, in the user's words
   * @param since when it went down
   * @param failures failures in a row
   * @param restarting whether it is restarted after a backoff; false once the engine gave up on it
   *     (a journal that cannot be written, or a library backed up once that failed too often)
   */
  public record Down(String reason, Instant since, int failures, boolean restarting) {}

  /** An upload in progress. */
  public record InFlight(
      String assetId, String path, long offset, long size, Set<BlockerReason> pausedFor) {}

  /**
   * A failed attempt waiting out its backoff: the file, the error, how many attempts it made, and
   * when it goes again.
   */
  public record Retry(String assetId, String path, UploadError error, int attempts, Instant at) {}

  /** An asset that failed for good in this run, with the last error. */
  public record Failure(String assetId, String path, UploadError error, int attempts) {}

  /**
   * An asset the library's rules hold back: why, and while {@code min-age} holds it, when it goes.
   */
  public record Held(String assetId, String path, Set<BlockerReason> reasons, Optional<Instant> until) {}

  /** An asset that exists but was left out in this run, with the reason. */
  public record Skip(String assetId, String path, String reason) {}
}
