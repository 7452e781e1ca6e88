package dev.autoupload.engine.internal.upload;

import dev.autoupload.engine.upload.RemoteState;

/**
 * What the library knows it put on the target: {@code on-conflict = overwrite} replaces a file
 * only when it is not the backup of another asset, so one photo's backup never pushes out
 * another's; and an upload that learnt its content only by sending it does not publish a content
 * the target holds already.
 */
public interface KnownBackups {

  /** None known: every file on the target came from elsewhere. */
  KnownBackups NONE =
      new KnownBackups() {
        @Override
        public boolean mayHoldBackup(String remotePath, RemoteState.Complete found) {
          return false;
        }

        @Override
        public boolean holdsContent(String sha256) {
          return false;
        }
      };

  /**
   * Whether {@code found}, the file under {@code remotePath}, may be the backup of an asset of the
   * library: its path or its content is one the library recorded. When unsure, true.
   *
   * @param remotePath the path the upload would write
   * @param found what the target holds there
   * @return false only when the file is surely not one of the library's backups, so it may be
   *     overwritten
   */
  boolean mayHoldBackup(String remotePath, RemoteState.Complete found);

  /**
   * Whether the library backed up {@code sha256} already, under whatever name.
   *
   * @param sha256 lowercase hex sha256 of a content
   * @return true when that content is on the target as the backup of an asset
   */
  boolean holdsContent(String sha256);
}
