package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;

/**
 * The contract every session's {@code append} checks before it writes a byte. Public for the
 * sessions in the target packages and in {@code autoupload-targets-s3}; not for host apps.
 */
public final class Appends {

  private Appends() {}

  /**
   * Requires the append to start where the session stands and to stay within the size announced
   * at {@code open}; anything else is a bug in the caller, so it fails as permanent.
   *
   * @param remotePath the session's remote path, for the message
   * @param sessionOffset how many bytes the session holds
   * @param offset where the caller asks to write
   * @param length how many bytes it asks to write
   * @param announcedSize the file's size as given to {@code open}
   * @throws UploadException with a {@link UploadError.Permanent} error when {@code offset} is not
   *     {@code sessionOffset} or the bytes would end past {@code announcedSize}
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
