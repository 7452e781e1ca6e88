package dev.autoupload.engine.freespace;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/** What to do with one local original after its verification, and why. */
public sealed interface Decision {

  /** Why an original is kept. */
  enum Reason {
    /** {@code autoupload.after-backup} is {@code keep}. */
    SETTING_IS_KEEP("autoupload.after-backup is keep"),
    /** This run did not find its backup the same: other content, missing, or not checked. */
    NOT_PROVEN("this verification did not prove its backup"),
    /** Its backup was proven by weaker evidence than {@code autoupload.after-backup-proof} allows. */
    PROOF_TOO_WEAK("its backup was proven by a weaker hash than autoupload.after-backup-proof allows"),
    /** It is no longer there, or no longer a file of its own. */
    GONE("it is no longer there"),
    /** Its size, modification time or file identity changed since it was verified. */
    CHANGED("it changed since it was verified"),
    /** The source tells no file identity (inode), so an edit keeping size and time could go unseen. */
    IDENTITY_UNKNOWN("the file system tells no identity of it, so a change could go unseen"),
    /** When its backup was made is not known, so its age cannot be. */
    BACKUP_TIME_UNKNOWN("when its backup was made is not known"),
    /** Its backup is younger than {@code delete-after} days. */
    BACKUP_TOO_RECENT("its backup is younger than delete-after allows"),
    /** Its path would lead out of the folder it is to be moved to. */
    UNSAFE_PATH("its path would lead out of the move-to folder");

    private final String words;

    Reason(String words) {
      this.words = words;
    }

    /** {@return the reason in words fit for the user}, to follow "kept because". */
    public String words() {
      return words;
    }
  }

  /** Leave it where it is, for every one of {@code reasons}. */
  record Keep(Set<Reason> reasons) implements Decision {
    /**
     * Copies {@code reasons}.
     *
     * @param reasons every reason it is kept
     * @throws IllegalArgumentException when {@code reasons} is empty
     */
    public Keep {
      reasons = Set.copyOf(reasons);
      if (reasons.isEmpty()) {
        throw new IllegalArgumentException("an original is kept for a reason");
      }
    }
  }

  /** Delete it: its backup holds content {@code sha256}, which it must still hash to. */
  record Delete(String sha256) implements Decision {
    /**
     * Checks {@code sha256}.
     *
     * @param sha256 lowercase hex sha256 the backup was proven to hold
     * @throws NullPointerException when it is null
     */
    public Delete {
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /** Move it to {@code to}; its backup holds content {@code sha256}. */
  record Move(Path to, String sha256) implements Decision {
    /**
     * Checks the components.
     *
     * @param to where the original goes
     * @param sha256 lowercase hex sha256 the backup was proven to hold
     * @throws NullPointerException when a component is null
     */
    public Move {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(sha256, "sha256");
    }
  }
}
