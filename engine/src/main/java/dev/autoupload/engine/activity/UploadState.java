package dev.autoupload.engine.activity;

/** Where an asset's upload stands in the Activity view. */
public enum UploadState {
  /** Bytes are being sent, or the upload is waiting for its turn. */
  UPLOADING,
  /**
   * Held back by conditions (network, battery, pause, ...); the item's {@code reasons} say which.
   */
  PAUSED,
  /** On the target and recorded; {@code sha256} and {@code uploadedAt} are set. */
  COMPLETED,
  /** The last attempt failed; {@code lastError} says why and {@code attempts} counts them. */
  FAILED,
  /** Not uploaded on purpose (for example by the library's rules); {@code lastError} says why. */
  SKIPPED
}
