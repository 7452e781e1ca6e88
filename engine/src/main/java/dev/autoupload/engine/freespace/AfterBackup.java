package dev.autoupload.engine.freespace;

import dev.autoupload.engine.verify.Proof;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to do with a local original once {@code verify} has proven its backup: {@code
 * autoupload.after-backup} and {@code autoupload.after-backup-proof}.
 *
 * @param action keep it (the default), move it into a folder, or delete it once its backup is old
 *     enough
 * @param weakestProof the weakest evidence that may prove a backup before its original is touched
 */
public record AfterBackup(Action action, Proof.Evidence weakestProof) {

  /**
   * The setting's key for the action: {@code keep}, {@code move-to:<folder>} or {@code delete-after:<days>}.
   */
  public static final String KEY = "autoupload.after-backup";
  /** The setting's key for the weakest proof: {@code sha256} (the default) or {@code md5}. */
  public static final String PROOF_KEY = "autoupload.after-backup-proof";

  /** Nothing is ever moved or deleted. */
  public static final AfterBackup KEEP = new AfterBackup(new Action.Keep(), Proof.Evidence.SHA256_REPORTED);

  /** What happens to an original whose backup is proven. */
  public sealed interface Action {

    /** It stays where it is. */
    record Keep() implements Action {}

    /** It moves into {@code folder}, under its path in the library. */
    record MoveTo(Path folder) implements Action {
      /**
       * Normalizes {@code folder}.
       *
       * @param folder where originals go; absolute
       * @throws IllegalArgumentException when {@code folder} is relative
       */
      public MoveTo {
        if (!folder.isAbsolute()) {
          throw new IllegalArgumentException("the folder to move originals to must be absolute: " + folder);
        }
        folder = folder.normalize();
      }
    }

    /** It is deleted once its backup is at least {@code days} days old. */
    record DeleteAfter(int days) implements Action {
      /**
       * Checks {@code days}.
       *
       * @param days the least age of the backup, in days; 0 deletes as soon as it is proven
       * @throws IllegalArgumentException when {@code days} is negative
       */
      public DeleteAfter {
        if (days < 0) {
          throw new IllegalArgumentException("days must not be negative: " + days);
        }
      }
    }
  }

  /**
   * Checks the components.
   *
   * @param action keep, move or delete
   * @param weakestProof the weakest evidence that may prove a backup
   * @throws NullPointerException when a component is null
   */
  public AfterBackup {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(weakestProof, "weakestProof");
  }

  /** {@return whether originals are ever touched}: false for {@link Action.Keep}. */
  public boolean frees() {
    return !(action instanceof Action.Keep);
  }

  /**
   * Parses the values of both settings; a relative {@code move-to} folder is taken from the working
   * directory.
   *
   * @param action the value of {@link #KEY}
   * @param proof the value of {@link #PROOF_KEY}
   * @return the setting
   * @throws IllegalArgumentException naming the key, when a value is not one of the forms documented
   */
  public static AfterBackup parse(String action, String proof) {
    return new AfterBackup(action(action.trim()), proof(proof.trim()));
  }

  private static Action action(String value) {
    if (value.equals("keep")) {
      return new Action.Keep();
    }
    if (value.startsWith("move-to:")) {
      String folder = value.substring("move-to:".length()).trim();
      if (folder.isEmpty()) {
        throw invalid(value, "move-to needs a folder, as in move-to:/media/archive");
      }
      try {
        return new Action.MoveTo(Path.of(folder).toAbsolutePath());
      } catch (InvalidPathException e) {
        throw invalid(value, "\"" + folder + "\" is not a folder path: " + e.getReason());
      }
    }
    if (value.startsWith("delete-after:")) {
      String days = value.substring("delete-after:".length()).trim();
      if (!days.matches("[0-9]{1,5}")) {
        throw invalid(value, "delete-after needs a whole number of days from 0 to 99999, as in delete-after:30");
      }
      return new Action.DeleteAfter(Integer.parseInt(days));
    }
    throw invalid(value, "it must be keep, move-to:<folder> or delete-after:<days>");
  }

  private static Proof.Evidence proof(String value) {
    return switch (value) {
      case "sha256" -> Proof.Evidence.SHA256_REPORTED;
      case "md5" -> Proof.Evidence.MD5_REPORTED;
      default -> throw new IllegalArgumentException(
          PROOF_KEY + ": \"" + value + "\" is not a proof; it must be sha256 (the default) or md5");
    };
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException(KEY + ": \"" + value + "\" is not valid: " + why);
  }
}
