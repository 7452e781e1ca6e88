package dev.autoupload.targets.nextcloud;

import java.util.OptionalLong;

/**
 * What to do while a chunked upload's assembly is out of sight: after the assembling MOVE answered
 * 423 (the server is still merging; rclone's backend/webdav/chunking.go waits on it too) or 504 (a
 * proxy gave up while PHP goes on), or 404 (an earlier MOVE may have finished it). A pure function
 * of what two PROPFINDs found; every answer names its reason.
 *
 * <p>Nextcloud removes the upload folder only once the part is in place, so no folder and a part
 * means done, no folder and no part (or one of another size) means the assembly failed or expired,
 * and only then does the upload start over. While the folder is there the server is still at it,
 * whatever part may be beside it (one an earlier upload left): wait. Never decided by time alone:
 * past the deadline the upload is tried again later, and the chunks stay for that try. A part found
 * this way may still be an earlier upload's of the same size, so it is read back before it is
 * published.
 */
final class AssemblyWait {

  private AssemblyWait() {}

  enum Step {
    /** The part is there: verify it, then publish it. */
    ASSEMBLED,
    /** Still assembling: look again after a pause. */
    WAIT,
    /** Nothing was or will be assembled: discard the upload and send it again. */
    FAILED,
    /** Still assembling past the deadline: try again later, keeping the chunks. */
    TIMED_OUT
  }

  record Decision(Step step, String reason) {}

  /**
   * @param partSize the size the server reports for the part; empty when there is no part
   * @param uploadFolderPresent whether the upload folder with the chunks is still there, looked at
   *     before the part
   * @param expectedSize the size of the whole file
   * @param pastDeadline whether the time allowed for the assembly has run out
   */
  static Decision next(OptionalLong partSize, boolean uploadFolderPresent, long expectedSize, boolean pastDeadline) {
    if (!uploadFolderPresent) {
      // A part recorded with 0 bytes may be a size the server failed to record
      // (nextcloud/server#64029): the verification reads it back.
      if (partSize.isPresent() && (partSize.getAsLong() == expectedSize || partSize.getAsLong() == 0)) {
        return new Decision(Step.ASSEMBLED, "the server assembled the part");
      }
      return new Decision(
          Step.FAILED,
          partSize.isPresent()
              ? "the upload folder is gone and the part has " + partSize.getAsLong() + " bytes, expected " + expectedSize
              : "the upload folder is gone and nothing was assembled");
    }
    if (pastDeadline) {
      return new Decision(Step.TIMED_OUT, "the server is still assembling the chunks");
    }
    return new Decision(Step.WAIT, "the server is still assembling the chunks");
  }
}
