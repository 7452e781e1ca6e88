package dev.autoupload.app;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.library.LibraryStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When a run is over, from one status; {@link RunWatch} asks after every poll, {@link Summary}
 * says why it did not finish.
 *
 * <ul>
 *   <li>With {@code --once}, when every library is done or cannot go on in this run: its target
 *       stopped it (full, refusing the credentials, untrusted, or unreachable {@code max-attempts}
 *       times in a row) and no upload is sending any more, or its backup is down for good. Waiting
 *       for the retry after {@code max-backoff} would only hold the run; the next run tries again.
 *       A target that is away for a moment is waited for, with the backoff.
 *   <li>Without, when no library can go on at all: each is down for good. A stopped target is
 *       waited for and retried, as a background backup should.
 * </ul>
 */
final class RunEnd {

  /** What a library's own target stops it for, in the run's words. */
  private static final Map<BlockerReason, String> TARGET_STOPS =
      Map.of(
          BlockerReason.TARGET_FULL, "target full",
          BlockerReason.NOT_AUTHORIZED, "the target refused the credentials",
          BlockerReason.TARGET_UNTRUSTED, "the target's identity could not be verified",
          BlockerReason.TARGET_UNREACHABLE, "the target cannot be reached");

  private RunEnd() {}

  static boolean reached(EngineStatus status, boolean once) {
    List<LibraryStatus> libraries = status.libraries();
    if (once) {
      return libraries.stream().allMatch(library -> library.idle() || cannotGoOn(library).isPresent());
    }
    return !libraries.isEmpty() && libraries.stream().allMatch(library -> downForGood(library).isPresent());
  }

  /** Why {@code library} cannot go on in this run, in one line; empty while it can. */
  static Optional<String> cannotGoOn(LibraryStatus library) {
    return downForGood(library).or(() -> stoppedByItsTarget(library));
  }

  private static Optional<String> downForGood(LibraryStatus library) {
    return library
        .down()
        .filter(down -> !down.restarting())
        .map(down -> "the backup of " + OneLine.of(library.source()) + " stopped: " + OneLine.of(down.reason()));
  }

  /** Stopped by its target, the scan over and every upload in flight paused. */
  private static Optional<String> stoppedByItsTarget(LibraryStatus library) {
    Optional<BlockerReason> stop =
        library.reasons().stream()
            .filter(TARGET_STOPS::containsKey)
            .filter(reason -> reason != BlockerReason.TARGET_UNREACHABLE || library.unreachableTooLong())
            .sorted()
            .findFirst();
    boolean settled = !library.scanning() && library.inFlight().stream().noneMatch(upload -> upload.pausedFor().isEmpty());
    if (stop.isEmpty() || !settled) {
      return Optional.empty();
    }
    return Optional.of(
        TARGET_STOPS.get(stop.get()) + ": " + OneLine.of(library.target())
            + library.targetError().map(error -> ": " + OneLine.of(error)).orElse(""));
  }
}
