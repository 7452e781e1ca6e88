package dev.autoupload.engine.upload;

/** Why an asset is uploaded: the Activity view and the log say it. */
public enum UploadReason {
  /** No version of it was backed up before. */
  NEW("new"),
  /** An earlier version of it was backed up: it was edited, or its name was reused. */
  CHANGED("changed since its last backup");

  private final String description;

  UploadReason(String description) {
    this.description = description;
  }

  /** {@return the reason in plain words}, for people. */
  public String description() {
    return description;
  }
}
