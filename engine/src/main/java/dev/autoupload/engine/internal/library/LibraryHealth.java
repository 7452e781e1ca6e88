package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.internal.Restarts;
import dev.autoupload.engine.library.LibraryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a library's backup is up or down, and what to do when its {@link BackupSupervisor}
 * fails: restart it after a backoff that grows with each failure in a row, or give up. Immutable;
 * the engine's guardian keeps one per library and carries out what it decides.
 *
 * <p>The guardian restarts a library itself, watching it, rather than through Pekko's {@code
 * Behaviors.supervise}: an event-sourced behaviour stops on a journal failure through its own
 * supervisor, which leaves an outer supervisor neither an exception to restart on nor a cause to
 * show, and the cause is what the user must see ("no space left on …").
 *
 * @param failuresInARow failures since the library last ran for longer than the longest backoff
 * @param upSince when it last recovered after a restart; empty before its first failure
 * @param down why it is down; empty while it runs
 */
public record LibraryHealth(int failuresInARow, Optional<Instant> upSince, Optional<LibraryStatus.Down> down) {

  /**
   * A library that has not failed.
   *
   * @return the health of a library just started
   */
  public static LibraryHealth up() {
    return new LibraryHealth(0, Optional.empty(), Optional.empty());
  }

  /** What a failure leads to: the new health, and when to restart (empty: never, it stays down). */
  public record Decision(LibraryHealth health, Optional<Duration> restartAfter) {}

  /**
   * The library's supervisor failed for {@code reason}. A failure restarting cannot cure gives up
   * at once; a library backed up once gives up after {@link Restarts#onceMaxRestarts()} restarts in
   * a row, so its run ends with the reason; a watched one is restarted for as long as it runs.
   *
   * @param reason the cause, in the user's words, which the library's status shows
   * @param restartCannotHelp whether the failure will come back on a restart (a full disk under
   *     the journal), so the library stays down at once
   * @param watched whether the library keeps watching its source rather than backing it up once
   * @param now the time of the failure
   * @param random a draw in [0, 1) for the backoff's jitter
   * @param restarts the backoff and the limit of restarts in a row
   * @return the new health, down, and when to restart, if ever
   */
  public Decision failed(
      String reason, boolean restartCannotHelp, boolean watched, Instant now, double random, Restarts restarts) {
    boolean ranLong =
        upSince.filter(since -> Duration.between(since, now).compareTo(restarts.maxBackoff()) > 0).isPresent();
    int failures = (ranLong ? 0 : failuresInARow) + 1;
    boolean restart = !restartCannotHelp && (watched || failures <= restarts.onceMaxRestarts());
    Instant since = down.map(LibraryStatus.Down::since).orElse(now);
    LibraryHealth next =
        new LibraryHealth(failures, upSince, Optional.of(new LibraryStatus.Down(reason, since, failures, restart)));
    return new Decision(next, restart ? Optional.of(restarts.backoff(failures, random)) : Optional.empty());
  }

  /**
   * A restarted supervisor has recovered its ledger: the library is up again.
   *
   * @param now the time of the recovery, from which a long enough run clears the failures in a row
   * @return the health, up, still counting the failures in a row
   */
  public LibraryHealth recovered(Instant now) {
    return new LibraryHealth(failuresInARow, Optional.of(now), Optional.empty());
  }
}
