package dev.autoupload.engine.watchdog;

import dev.autoupload.engine.conditions.BlockerReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A library whose files wait and do not go up: the one failure users of camera uploads say they
 * notice weeks too late.
 *
 * @param libraryId the library that stalls
 * @param kind which promise is broken
 * @param since since when nothing was backed up: the last backup, or when files began to wait if
 *     that was later
 * @param waiting files waiting to be backed up when it was last checked
 * @param reasons every reason in force that stops them (conditions, the target's, {@code
 *     LIBRARY_DOWN})
 * @param causes the same in words: the target's error, why the library is down, the last errors of
 *     files being retried
 */
public record Stall(String libraryId, Kind kind, Instant since, long waiting, Set<BlockerReason> reasons, List<String> causes) {

  /** Which promise a stall breaks. */
  public enum Kind {
    /** Nothing was backed up for {@code autoupload.watchdog.stall-after} while files wait. */
    NO_PROGRESS,
    /** The last backup is older than {@code autoupload.watchdog.max-age} while files wait. */
    TOO_OLD
  }

  /**
   * Copies the lists.
   *
   * @param libraryId the library that stalls
   * @param kind which promise is broken
   * @param since since when nothing was backed up: the last backup, or when files began to wait if
   *     that was later
   * @param waiting files waiting to be backed up when it was last checked
   * @param reasons every reason in force that stops them (conditions, the target's, {@code
   *     LIBRARY_DOWN})
   * @param causes the same in words: the target's error, why the library is down, the last errors of
   *     files being retried
   */
  public Stall {
    reasons = Set.copyOf(reasons);
    causes = List.copyOf(causes);
  }

  /**
   * How long it has lasted at {@code now}.
   *
   * @param now the time now
   * @return how long, zero when {@code since} is after {@code now}
   */
  public Duration lasting(Instant now) {
    Duration lasting = Duration.between(since, now);
    return lasting.isNegative() ? Duration.ZERO : lasting;
  }
}
