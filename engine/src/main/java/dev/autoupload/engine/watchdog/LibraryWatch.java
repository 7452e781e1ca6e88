package dev.autoupload.engine.watchdog;

import dev.autoupload.engine.conditions.BlockerReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the watchdog knows about one library between two checks, and the rule that tells from it
 * whether the library is stalled: pure, no clock and no I/O, each check a value.
 *
 * <ul>
 *   <li>Files <em>wait</em> when some are queued, running, retrying, failed in this run, or the
 *       library is down.
 *   <li>{@link Stall.Kind#NO_PROGRESS}: files wait and nothing was backed up for {@code stallAfter},
 *       counted from the last backup or from when the files began to wait, whichever is later.
 *   <li>{@link Stall.Kind#TOO_OLD}: files wait and the last backup, in this run or an earlier one,
 *       is older than {@code maxAge} (counted from the watch's start when there never was one).
 *       It wins over {@code NO_PROGRESS}: the longer silence is the graver. It catches a library
 *       whose runs are each too short to stall, as an OS that runs the app for a minute a day.
 *   <li>A library with nothing waiting is never stalled, however old its last backup: nothing of
 *       it is at risk.
 *   <li>One alert when a stall begins or changes kind, one when it ends (a backup went up, or
 *       nothing waits any more); none while it lasts.
 * </ul>
 *
 * @param lastBackupAt the latest backup known: from the journal at the start, then each check that
 *     saw the count of backed-up files grow
 * @param watchedSince when the watch began
 * @param uploaded files uploaded in the library's run, as last seen; fewer means its run started
 *     over (a restart), which is no backup; files found already backed up are no progress either
 * @param waitingSince since when files have waited without a break, as checks saw it
 * @param stall the stall in force, as of the last check
 */
public record LibraryWatch(
    String libraryId,
    Optional<Instant> lastBackupAt,
    Instant watchedSince,
    long uploaded,
    Optional<Instant> waitingSince,
    Optional<Stall> stall) {

  /** The limits the rule applies. */
  public record Limits(Duration stallAfter, Duration maxAge) {}

  /** What one check of the library saw. */
  public record Seen(long waiting, long uploaded, Set<BlockerReason> reasons, List<String> causes) {}

  /** What a check tells: the next state, and the alert to raise, if any. */
  public record Check(LibraryWatch next, Optional<Alert> alert) {}

  /** A stall begins, changes kind, or ends. */
  public sealed interface Alert {
    /** {@return the library the alert is about} */
    String libraryId();
  }

  /**
   * A stall began or changed kind.
   *
   * @param stall the stall as it stands
   */
  public record Stalled(Stall stall) implements Alert {
    @Override
    public String libraryId() {
      return stall.libraryId();
    }
  }

  /** {@code ended}: the stall as last seen; {@code how}: a backup went up, or nothing waits. */
  public record Recovered(Stall ended, Instant at, Recovery how) implements Alert {
    @Override
    public String libraryId() {
      return ended.libraryId();
    }
  }

  /** How a stall ended. */
  public enum Recovery {
    /** A backup went up. */
    BACKED_UP,
    /** Nothing waits any more. */
    NOTHING_WAITS
  }

  /**
   * A library the watch begins with; {@code lastBackupAt} from the journal, if it knows one.
   *
   * @param libraryId the library
   * @param now when the watch begins; a library with no backup counts from here
   * @param lastBackupAt the last backup the journal knows; empty when none
   * @return the state before any check
   */
  public static LibraryWatch start(String libraryId, Instant now, Optional<Instant> lastBackupAt) {
    return new LibraryWatch(libraryId, lastBackupAt, now, 0, Optional.empty(), Optional.empty());
  }

  /**
   * Applies what a check at {@code now} saw.
   *
   * @param now the time of the check
   * @param seen what the check saw
   * @param limits the limits to apply
   * @return the next state, and the alert to raise; no alert while nothing changes
   */
  public Check check(Instant now, Seen seen, Limits limits) {
    boolean progressed = seen.uploaded() > uploaded;
    Optional<Instant> lastBackup = progressed ? Optional.of(now) : lastBackupAt;
    boolean waits = seen.waiting() > 0;
    Optional<Instant> waitingFrom = waits ? waitingSince.or(() -> Optional.of(now)) : Optional.empty();

    Optional<Stall> current = Optional.empty();
    if (waits) {
      Instant lastOrStart = lastBackup.orElse(watchedSince);
      Instant quietSince = later(lastOrStart, waitingFrom.orElseThrow());
      if (!Duration.between(lastOrStart, now).minus(limits.maxAge()).isNegative()) {
        current = Optional.of(stall(Stall.Kind.TOO_OLD, lastOrStart, seen));
      } else if (!Duration.between(quietSince, now).minus(limits.stallAfter()).isNegative()) {
        current = Optional.of(stall(Stall.Kind.NO_PROGRESS, quietSince, seen));
      }
    }

    Optional<Alert> alert = Optional.empty();
    if (current.isPresent() && (stall.isEmpty() || stall.get().kind() != current.get().kind())) {
      alert = Optional.of(new Stalled(current.get()));
    } else if (current.isEmpty() && stall.isPresent()) {
      alert = Optional.of(new Recovered(stall.get(), now, progressed ? Recovery.BACKED_UP : Recovery.NOTHING_WAITS));
    }
    LibraryWatch next = new LibraryWatch(libraryId, lastBackup, watchedSince, seen.uploaded(), waitingFrom, current);
    return new Check(next, alert);
  }

  private Stall stall(Stall.Kind kind, Instant since, Seen seen) {
    return new Stall(libraryId, kind, since, seen.waiting(), seen.reasons(), seen.causes());
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
