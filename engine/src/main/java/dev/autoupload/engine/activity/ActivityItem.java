package dev.autoupload.engine.activity;

import dev.autoupload.engine.conditions.BlockerReason;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One asset as the Activity view shows it.
 *
 * @param libraryId the library the asset belongs to
 * @param assetId the asset's id in its library
 * @param path the asset's path inside its library
 * @param remotePath where it goes on the target; empty until an upload has decided it
 * @param createdAt when the photo or video was taken
 * @param uploadedAt when the upload completed; empty until then
 * @param bytes the file's size
 * @param state where the upload stands
 * @param offset bytes known to be on the target (the last checkpoint, or live while uploading)
 * @param attempts upload attempts so far
 * @param lastError why the last attempt failed, or why the asset was skipped
 * @param reasons why the upload is paused; empty otherwise
 * @param livePhotoVideo for the still of a live photo, the remote path of its video, which the
 *     Activity view shows as part of this one item
 * @param note what the upload decided about a different file under its remote path: kept both
 *     (and why) or replaced it (and what it was); empty when there was none
 * @param sha256 lowercase hex sha256 of the content backed up; empty until it is completed
 */
public record ActivityItem(
    String libraryId,
    String assetId,
    String path,
    Optional<String> remotePath,
    Instant createdAt,
    Optional<Instant> uploadedAt,
    long bytes,
    UploadState state,
    long offset,
    int attempts,
    Optional<String> lastError,
    Set<BlockerReason> reasons,
    Optional<String> livePhotoVideo,
    Optional<String> note,
    Optional<String> sha256) {

  /**
   * Copies {@code reasons}, so the item stays immutable.
   *
   * @param libraryId the library the asset belongs to
   * @param assetId the asset's id in its library
   * @param path the asset's path inside its library
   * @param remotePath where it goes on the target; empty until an upload has decided it
   * @param createdAt when the photo or video was taken
   * @param uploadedAt when the upload completed; empty until then
   * @param bytes the file's size
   * @param state where the upload stands
   * @param offset bytes known to be on the target (the last checkpoint, or live while uploading)
   * @param attempts upload attempts so far
   * @param lastError why the last attempt failed, or why the asset was skipped
   * @param reasons why the upload is paused; empty otherwise
   * @param livePhotoVideo for the still of a live photo, the remote path of its video, which the
   *     Activity view shows as part of this one item
   * @param note what the upload decided about a different file under its remote path: kept both
   *     (and why) or replaced it (and what it was); empty when there was none
   * @param sha256 lowercase hex sha256 of the content backed up; empty until it is completed
   */
  public ActivityItem {
    reasons = Set.copyOf(reasons);
  }

  /** {@return how much of the file is on the target, 0–100}; a zero-byte file is 100 once completed. */
  public int percent() {
    if (state == UploadState.COMPLETED) {
      return 100;
    }
    return bytes == 0 ? 0 : (int) Math.min(100, offset * 100 / bytes);
  }

  /**
   * The same item with a live byte count from a running upload; for the engine's own use.
   *
   * @param liveOffset bytes on the target now
   * @return a copy with {@code offset} replaced
   */
  public ActivityItem withOffset(long liveOffset) {
    return new ActivityItem(
        libraryId, assetId, path, remotePath, createdAt, uploadedAt, bytes, state, liveOffset, attempts, lastError, reasons,
        livePhotoVideo, note, sha256);
  }
}
