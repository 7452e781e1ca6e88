package dev.autoupload.app;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.library.LibraryStatus;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a run ended, as the final {@code summary:} line that scripts and tests parse.
 *
 * @param files assets the scans discovered
 * @param backedUp assets on the target: uploaded now or by an earlier run
 * @param uploaded assets completed in this run
 * @param already assets an earlier run had already completed
 * @param leftOutByOnlySince assets taken before {@code only-since}, not offered; shown when any
 */
record Summary(
    long files,
    long backedUp,
    long uploaded,
    long already,
    long skipped,
    long failed,
    long leftOutByOnlySince,
    long bytesSent,
    Duration elapsed) {

  static Summary of(EngineStatus status, Duration elapsed) {
    List<LibraryStatus> libraries = status.libraries();
    return new Summary(
        status.discovered(),
        status.backedUp(),
        libraries.stream().mapToLong(LibraryStatus::completed).sum(),
        libraries.stream().mapToLong(LibraryStatus::alreadyBackedUp).sum(),
        status.skipped(),
        status.failed(),
        status.leftOutByOnlySince(),
        status.bytesSent(),
        elapsed);
  }

  String line() {
    return String.format(
        Locale.ROOT,
        "summary: files=%d backed-up=%d uploaded=%d already=%d skipped=%d failed=%d%s bytes-sent=%d elapsed=%.1fs",
        files,
        backedUp,
        uploaded,
        already,
        skipped,
        failed,
        leftOutByOnlySince > 0 ? " left-out-by-only-since=" + leftOutByOnlySince : "",
        bytesSent,
        elapsed.toMillis() / 1000.0);
  }

  /**
   * Why the run did not back everything up, in one line: a library that cannot go on (its backup
   * down for good, its target full or refusing; see {@link RunEnd}) first, then a failed scan (it
   * hides files), else the first failed file and how many failed, else the first file left out (a
   * conflict with {@code on-conflict = skip}, a file that kept changing) and how many; empty when
   * all is well.
   */
  static Optional<String> problem(EngineStatus status) {
    for (LibraryStatus library : status.libraries()) {
      Optional<String> stopped = RunEnd.cannotGoOn(library);
      if (stopped.isPresent()) {
        return stopped;
      }
    }
    for (LibraryStatus library : status.libraries()) {
      if (library.scanError().isPresent()) {
        return Optional.of(
            "scan of " + OneLine.of(library.source()) + " failed: " + OneLine.of(library.scanError().get()));
      }
    }
    long failed = status.failed();
    List<LibraryStatus.Skip> left = status.libraries().stream().flatMap(l -> l.notBackedUp().stream()).toList();
    if (failed > 0) {
      String count = failed == 1 ? "1 file failed" : failed + " files failed";
      Optional<LibraryStatus.Failure> first =
          status.libraries().stream().flatMap(l -> l.failures().stream()).findFirst();
      if (first.isEmpty()) {
        return Optional.of(count);
      }
      String more = failed > 1 ? " (and " + (failed - 1) + " more)" : "";
      String alsoLeft = left.isEmpty() ? "" : "; " + notBackedUp(left.size());
      return Optional.of(
          count + ": " + OneLine.of(first.get().path()) + ": " + OneLine.of(first.get().error().message()) + more
              + alsoLeft);
    }
    if (!left.isEmpty()) {
      LibraryStatus.Skip first = left.get(0);
      String more = left.size() > 1 ? " (and " + (left.size() - 1) + " more)" : "";
      return Optional.of(
          notBackedUp(left.size()) + ": " + OneLine.of(first.path()) + ": " + OneLine.of(first.reason()) + more);
    }
    return Optional.empty();
  }

  private static String notBackedUp(long count) {
    return count == 1 ? "1 file not backed up" : count + " files not backed up";
  }
}
