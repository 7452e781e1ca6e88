package dev.autoupload.engine.upload;

/** Carries a classified {@link UploadError} out of a target or source operation. */
public final class UploadException extends Exception {

  /** What went wrong, classified; part of the exception's serial form. */
  private final UploadError error;

  /**
   * An exception whose message is the error's.
   *
   * @param error what went wrong, classified
   */
  public UploadException(UploadError error) {
    super(error.message());
    this.error = error;
  }

  /**
   * An exception whose message is the error's, keeping the underlying cause for the log.
   *
   * @param error what went wrong, classified
   * @param cause the exception that caused it
   */
  public UploadException(UploadError error, Throwable cause) {
    super(error.message(), cause);
    this.error = error;
  }

  /** {@return the classified error}, which tells the engine whether to retry, pause or give up. */
  public UploadError error() {
    return error;
  }
}
