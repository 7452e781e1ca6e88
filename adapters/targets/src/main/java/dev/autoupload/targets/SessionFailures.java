package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;

/** The failures every single-request session reports alike ({@link SpooledSession}, {@link StreamedSession}). */
final class SessionFailures {

  private SessionFailures() {}

  /** What was sent is not what the engine hashed: transient, the next attempt starts from zero. */
  static UploadException mismatch(String display, String why) {
    return new UploadException(new UploadError.Transient("verification failed: " + display + ": " + why));
  }

  /** A call on a session that was closed: a bug in the caller, not worth retrying. */
  static UploadException closed(String remotePath) {
    return new UploadException(new UploadError.Permanent("the upload session for " + remotePath + " is closed"));
  }
}
