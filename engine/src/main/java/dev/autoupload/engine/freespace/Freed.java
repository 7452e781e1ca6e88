package dev.autoupload.engine.freespace;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An original that was moved or deleted after its backup was proven.
 *
 * @param path its path in the library
 * @param action what was done
 * @param movedTo where it went, for a move
 * @param sha256 the content its backup was proven to hold
 * @param remotePath where its backup is on the target
 * @param backedUpAt when the backup was made, where the journal tells
 * @param at when it was done
 */
public record Freed(
    String path,
    Action action,
    Optional<Path> movedTo,
    String sha256,
    Optional<String> remotePath,
    Optional<Instant> backedUpAt,
    Instant at) {

  /** What was done to an original. */
  public enum Action {
    /** Deleted from the device. */
    DELETED,
    /** Moved into the {@code move-to} folder; {@code movedTo} says where. */
    MOVED
  }

  /**
   * Checks the components.
   *
   * @param path its path in the library
   * @param action what was done
   * @param movedTo where it went; present exactly for {@link Action#MOVED}
   * @param sha256 the content its backup was proven to hold
   * @param remotePath where its backup is on the target
   * @param backedUpAt when the backup was made, where the journal tells
   * @param at when it was done
   * @throws NullPointerException when a component is null
   * @throws IllegalArgumentException when {@code movedTo} does not match {@code action}
   */
  public Freed {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(movedTo, "movedTo");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(remotePath, "remotePath");
    Objects.requireNonNull(backedUpAt, "backedUpAt");
    Objects.requireNonNull(at, "at");
    if ((action == Action.MOVED) != movedTo.isPresent()) {
      throw new IllegalArgumentException("a moved original, and only one, has a place it moved to");
    }
  }
}
