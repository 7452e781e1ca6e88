package dev.autoupload.engine.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@code verify} found for one file of a library.
 *
 * @param path the file's path in the library
 * @param mark the verdict
 * @param remotePath where on the target the verdict was reached; empty when no place was looked at
 *     (the file could not be read here)
 * @param reason why, in words fit for the user: the sizes and hashes compared, the error met
 * @param proof for a {@link Mark#SAME} verdict, and only for one, what proved it
 */
public record FileVerdict(String path, Mark mark, Optional<String> remotePath, String reason, Optional<Proof> proof) {

  /**
   * A verdict that is not {@link Mark#SAME}, so has no proof.
   *
   * @param path the file's path in the library
   * @param mark the verdict; not {@link Mark#SAME}
   * @param remotePath where on the target the verdict was reached; empty when no place was looked at
   * @param reason why, in words fit for the user
   */
  public FileVerdict(String path, Mark mark, Optional<String> remotePath, String reason) {
    this(path, mark, remotePath, reason, Optional.empty());
  }

  /** The verdicts, with the symbols {@code rclone check --combined} uses for them. */
  public enum Mark {
    /** The target holds the same content. */
    SAME('='),
    /** Where the file's backup should be, the target holds other content. */
    DIFFERS('*'),
    /** The target holds nothing where the file's backup should be. */
    MISSING('-'),
    /** It could not be told: the file here is unreadable, the target failed, or it cannot tell. */
    UNCHECKED('!');

    private final char symbol;

    Mark(char symbol) {
      this.symbol = symbol;
    }

    /** {@return the symbol}, as in {@code rclone check --combined}'s output */
    public char symbol() {
      return symbol;
    }
  }

  /**
   * Checks the components.
   *
   * @param path the file's path in the library
   * @param mark the verdict
   * @param remotePath where on the target the verdict was reached; empty when no place was looked at
   *     (the file could not be read here)
   * @param reason why, in words fit for the user: the sizes and hashes compared, the error met
   * @param proof for a {@link Mark#SAME} verdict, and only for one, what proved it
   * @throws NullPointerException when a component is null
   * @throws IllegalArgumentException when {@code proof} is present for a verdict other than {@link Mark#SAME}, or missing for one
   */
  public FileVerdict {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(mark, "mark");
    Objects.requireNonNull(remotePath, "remotePath");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(proof, "proof");
    if ((mark == Mark.SAME) != proof.isPresent()) {
      throw new IllegalArgumentException("a verdict has a proof exactly when it is SAME: " + mark + ", " + proof);
    }
  }
}
