package dev.autoupload.engine.activity;

/** Where an asset's upload stands in the Activity view. */
public enum UploadState {
  /** An attempt began and is not paused: bytes are being sent, or about to be. */
  UPLOADING,
  /**
   * Held back by conditions (network, battery, pause, ...); the item's {@code reasons} say which.
   */
  PAUSED,
  /** On the target and recorded; {@code sha256} and {@code uploadedAt} are set. */
  COMPLETED,
  /** The last attempt failed; {@code lastError} says why and {@code attempts} counts them. */
  FAILED,
  /**
   * Left out, not backed up: it vanished or changed during the upload, or {@code on-conflict =
   * skip} declined it; {@code lastError} says why.
   */
  SKIPPED
}
