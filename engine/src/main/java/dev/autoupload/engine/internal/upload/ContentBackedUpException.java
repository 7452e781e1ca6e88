package dev.autoupload.engine.internal.upload;

/**
 * What an upload sent without knowing its content before is a content the library backed up
 * already, under another name: it is not published a second time (see {@link
 * FileUpload#copyLearntLate}).
 */
final class ContentBackedUpException extends Exception {

  private final String sha256;

  ContentBackedUpException(String sha256, String message) {
    super(message);
    this.sha256 = sha256;
  }

  /** {@return the sha256 of what was sent}, lowercase hex */
  String sha256() {
    return sha256;
  }
}
