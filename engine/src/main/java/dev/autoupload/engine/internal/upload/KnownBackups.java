package dev.autoupload.engine.internal.upload;

import dev.autoupload.engine.upload.RemoteState;

/**
 * What the library knows it put on the target: {@code on-conflict = overwrite} replaces a file
 * only when it is not the backup of another asset, so one photo's backup never pushes out
 * another's.
 */
@FunctionalInterface
public interface KnownBackups {

  /** None known: every file on the target came from elsewhere. */
  KnownBackups NONE = (remotePath, found) -> false;

  /**
   * Whether {@code found}, the file under {@code remotePath}, may be the backup of an asset of the
   * library: its path or its content is one the library recorded. When unsure, true.
   */
  boolean mayHoldBackup(String remotePath, RemoteState.Complete found);
}
