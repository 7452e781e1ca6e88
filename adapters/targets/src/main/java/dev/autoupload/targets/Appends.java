package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;

/** The contract every session's {@code append} checks before it writes a byte. */
public final class Appends {

  private Appends() {}

  /**
   * Requires the append to start where the session stands and to stay within the size announced
   * at {@code open}; anything else is a bug in the caller, so it fails as permanent.
   */
  public static void require(String remotePath, long sessionOffset, long offset, int length, long announcedSize)
      throws UploadException {
    if (offset != sessionOffset) {
      throw new UploadException(
          new UploadError.Permanent(
              "offset mismatch for " + remotePath + ": asked to write at " + offset
                  + " but the upload is at " + sessionOffset));
    }
    if (offset + length > announcedSize) {
      throw new UploadException(
          new UploadError.Permanent(
              "cannot write " + length + " bytes at " + offset + " to " + remotePath
                  + ": the file was announced with " + announcedSize + " bytes"));
    }
  }
}
