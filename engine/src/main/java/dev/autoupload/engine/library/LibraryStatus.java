package dev.autoupload.engine.library;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.upload.UploadError;
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
    List<Skip> notBackedUp) {

  /** True once the scan is over and nothing is queued, running or waiting to retry. */
  public boolean idle() {
    return !scanning && queued == 0 && running == 0 && retrying == 0;
  }

  /** An upload in progress. */
  public record InFlight(
      String assetId, String path, long offset, long size, Set<BlockerReason> pausedFor) {}

  /** An asset that failed for good in this run, with the last error. */
  public record Failure(String assetId, String path, UploadError error, int attempts) {}

  /** An asset that exists but was left out in this run, with the reason. */
  public record Skip(String assetId, String path, String reason) {}
}
