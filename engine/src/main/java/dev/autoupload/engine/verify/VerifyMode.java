package dev.autoupload.engine.verify;

/** How {@code verify} compares a file with its backup. */
public enum VerifyMode {
  /**
   * By size and the strongest hash the target tells (sha256, else MD5); the backup is read back
   * only where the target tells no hash.
   */
  HASHES,
  /** By size and the sha256 of every backup read back from the target, as {@code rclone check --download}. */
  DOWNLOAD
}
