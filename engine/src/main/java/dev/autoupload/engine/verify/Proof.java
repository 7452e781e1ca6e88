package dev.autoupload.engine.verify;

import java.util.Objects;

/**
 * What proved a file's backup the same as the file: the evidence, and the sha256 of the content
 * it proved (the file's, as verify knew it).
 */
public record Proof(Evidence evidence, String sha256) {

  /** The evidence that a backup holds a file's content, strongest first. */
  public enum Evidence {
    /** The backup's bytes were read back from the target and hashed to the file's sha256. */
    SHA256_READ_BACK,
    /** The target reported the file's sha256 for the backup. */
    SHA256_REPORTED,
    /** The target reported only an MD5 for the backup, equal to the file's. */
    MD5_REPORTED;

    /**
     * Whether this evidence is at least as strong as {@code weakest}.
     *
     * @param weakest the weakest evidence accepted
     * @return true when this is as strong or stronger
     */
    public boolean atLeast(Evidence weakest) {
      return strength() >= weakest.strength();
    }

    // Read back and reported sha256 are the same strength: either names the same hash of the same bytes.
    private int strength() {
      return switch (this) {
        case SHA256_READ_BACK, SHA256_REPORTED -> 2;
        case MD5_REPORTED -> 1;
      };
    }
  }

  /**
   * Checks the components.
   *
   * @param evidence what proved it
   * @param sha256 lowercase hex sha256 of the content it proved
   * @throws NullPointerException when a component is null
   */
  public Proof {
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(sha256, "sha256");
  }
}
