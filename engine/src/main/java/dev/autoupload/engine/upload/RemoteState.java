package dev.autoupload.engine.upload;

import java.util.Optional;

/** What the target holds under a remote path, as far as it can tell. */
public sealed interface RemoteState {

  /** Nothing there, not even a partial upload. */
  record Absent() implements RemoteState {}

  /** An interrupted upload that can be continued from {@code offset}. */
  record Partial(long offset) implements RemoteState {}

  /**
   * A finished file. The hashes the target knows (lowercase hex) let the engine tell "already
   * backed up" from "a different file with the same name": {@code sha256} where the target keeps
   * it, else {@code md5}, which many services report natively (Koofr, single-part S3 objects).
   */
  record Complete(long size, Optional<String> sha256, Optional<String> md5) implements RemoteState {

    /**
     * A finished file whose MD5 the target does not report.
     *
     * @param size its length in bytes
     * @param sha256 its sha256 in lowercase hex, where the target keeps it
     */
    public Complete(long size, Optional<String> sha256) {
      this(size, sha256, Optional.empty());
    }

    /** {@return whether the target knows any hash of the file} */
    public boolean hasHash() {
      return sha256.isPresent() || md5.isPresent();
    }

    /**
     * Whether {@code other} describes this same file as far as both tell: the same size, and the
     * same hash of each kind both know.
     *
     * @param other another finished file
     * @return true when nothing either tells differs
     */
    public boolean sameFileAs(Complete other) {
      return size == other.size
          && sameWhereBothKnow(sha256, other.sha256)
          && sameWhereBothKnow(md5, other.md5);
    }

    private static boolean sameWhereBothKnow(Optional<String> one, Optional<String> other) {
      return one.isEmpty() || other.isEmpty() || one.get().equalsIgnoreCase(other.get());
    }
  }
}
