package dev.autoupload.engine.upload;

import java.util.Optional;

/** What the target holds under a remote path, as far as it can tell. */
public sealed interface RemoteState {

  /** Nothing there, not even a partial upload. */
  record Absent() implements RemoteState {}

  /** An interrupted upload that can be continued from {@code offset}. */
  record Partial(long offset) implements RemoteState {}

  /**
   * A finished file. {@code sha256} is present when the target knows the content hash, so the
   * engine can tell "already backed up" from "a different file with the same name".
   */
  record Complete(long size, Optional<String> sha256) implements RemoteState {}
}
