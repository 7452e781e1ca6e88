package dev.autoupload.engine.upload;

/** Carries a classified {@link UploadError} out of a target or source operation. */
public final class UploadException extends Exception {

  private final UploadError error;

  public UploadException(UploadError error) {
    super(error.message());
    this.error = error;
  }

  public UploadException(UploadError error, Throwable cause) {
    super(error.message(), cause);
    this.error = error;
  }

  public UploadError error() {
    return error;
  }
}
