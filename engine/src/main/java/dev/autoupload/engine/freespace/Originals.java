package dev.autoupload.engine.freespace;

import dev.autoupload.engine.freespace.AfterBackup.Action;
import dev.autoupload.engine.freespace.Decision.Reason;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a local original may be moved or deleted after a verification: a pure function that
 * names every reason to keep it. An original is touched only when this run proved its backup the
 * same, by evidence at least as strong as the setting allows, and it is still the very file that
 * was verified (same size, modification time and file identity); a delete also waits until the
 * backup is old enough, and never when its age is unknown.
 */
public final class Originals {

  private Originals() {}

  /**
   * What a file looked like: its size, modification time and the source's change stamp (device,
   * inode and status-change time where the file system tells them).
   */
  public record Facts(long size, Instant modifiedAt, Optional<String> changeStamp) {
    /**
     * Checks the components.
     *
     * @param size bytes
     * @param modifiedAt the file's modification time
     * @param changeStamp device, inode and status-change time; empty where the file system tells none
     * @throws NullPointerException when an object component is null
     */
    public Facts {
      Objects.requireNonNull(modifiedAt, "modifiedAt");
      Objects.requireNonNull(changeStamp, "changeStamp");
    }
  }

  /**
   * @param setting what to do with a proven original
   * @param verdict this run's verdict on the file, {@link FileVerdict#path()} its path in the library
   * @param verified the file as it was when verified
   * @param now the file as it is now; empty when it is gone
   * @param backedUpAt when its backup was made, where known
   * @param clock the time now
   * @return keep (with every reason), move or delete
   */
  public static Decision decide(
      AfterBackup setting,
      FileVerdict verdict,
      Facts verified,
      Optional<Facts> now,
      Optional<Instant> backedUpAt,
      Instant clock) {
    if (setting.action() instanceof Action.Keep) {
      return new Decision.Keep(Set.of(Reason.SETTING_IS_KEEP));
    }
    Set<Reason> reasons = EnumSet.noneOf(Reason.class);
    if (verdict.mark() != Mark.SAME || verdict.proof().isEmpty()) {
      reasons.add(Reason.NOT_PROVEN);
    } else if (!verdict.proof().get().evidence().atLeast(setting.weakestProof())) {
      reasons.add(Reason.PROOF_TOO_WEAK);
    }
    if (now.isEmpty()) {
      reasons.add(Reason.GONE);
    } else if (!now.get().equals(verified)) {
      reasons.add(Reason.CHANGED);
    } else if (verified.changeStamp().isEmpty()) {
      reasons.add(Reason.IDENTITY_UNKNOWN);
    }
    Optional<Path> destination = Optional.empty();
    if (setting.action() instanceof Action.DeleteAfter delete) {
      if (backedUpAt.isEmpty()) {
        reasons.add(Reason.BACKUP_TIME_UNKNOWN);
      } else if (backedUpAt.get().plus(Duration.ofDays(delete.days())).isAfter(clock)) {
        reasons.add(Reason.BACKUP_TOO_RECENT);
      }
    } else if (setting.action() instanceof Action.MoveTo move) {
      destination = inside(move.folder(), verdict.path());
      if (destination.isEmpty()) {
        reasons.add(Reason.UNSAFE_PATH);
      }
    }
    if (!reasons.isEmpty()) {
      return new Decision.Keep(reasons);
    }
    String sha256 = verdict.proof().get().sha256();
    return destination.<Decision>map(to -> new Decision.Move(to, sha256)).orElseGet(() -> new Decision.Delete(sha256));
  }

  /** Where {@code relativePath} lands under {@code folder}; empty when it would leave it or name the folder itself. */
  static Optional<Path> inside(Path folder, String relativePath) {
    if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    for (String segment : relativePath.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return Optional.empty();
      }
    }
    try {
      Path to = folder.resolve(relativePath).normalize();
      return to.startsWith(folder) && !to.equals(folder) ? Optional.of(to) : Optional.empty();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }
}
