package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.upload.UploadError;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void summaryLineHasTheShapeScriptsParse() {
    EngineStatus status =
        new EngineStatus(
            Verdict.run(4),
            DeviceConditions.desktop(),
            List.of(
                library(10, 4, 5, 1, 0, 123_456, Optional.empty(), List.of()),
                library(2, 2, 0, 0, 0, 0, Optional.empty(), List.of())));

    String line = Summary.of(status, Duration.ofMillis(12_345)).line();

    assertThat(line)
        .isEqualTo(
            "summary: files=12 backed-up=11 uploaded=5 already=6 skipped=1 failed=0 "
                + "bytes-sent=123456 elapsed=12.3s");
  }

  @Test
  void saysHowManyFilesOnlySinceLeftOutWhenItLeftAnyOut() {
    LibraryStatus l = library(3, 0, 3, 0, 0, 10, Optional.empty(), List.of());
    LibraryStatus leftOut =
        new LibraryStatus(
            l.libraryId(), l.source(), l.target(), l.scanning(), l.scanError(), l.discovered(), l.alreadyBackedUp(),
            l.queued(), l.running(), l.retrying(), l.completed(), l.skipped(), l.failed(), l.bytesToUpload(),
            l.bytesDone(), l.bytesSent(), l.reasons(), l.inFlight(), l.failures(), l.notBackedUp(), l.retries(),
            l.targetError(), l.targetRetryAt(), l.unreachableTooLong(), l.targetNotes(), l.down(), List.of(), 7, l.notOffered());

    assertThat(Summary.of(new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of(leftOut)), Duration.ZERO).line())
        .isEqualTo(
            "summary: files=3 backed-up=3 uploaded=3 already=0 skipped=0 failed=0 left-out-by-only-since=7 "
                + "bytes-sent=10 elapsed=0.0s");
  }

  @Test
  void elapsedAlwaysUsesADecimalPoint() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      EngineStatus status = new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of());

      assertThat(Summary.of(status, Duration.ofMillis(1_500)).line()).endsWith("elapsed=1.5s");
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void allBackedUpIsNoProblem() {
    EngineStatus status =
        new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of(library(3, 0, 3, 0, 0, 10, Optional.empty(), List.of())));

    assertThat(Summary.problem(status)).isEmpty();
  }

  @Test
  void oneFailedFileIsNamedWithItsError() {
    LibraryStatus.Failure failure =
        new LibraryStatus.Failure(
            "a1", "a/b.jpg", new UploadError.Permanent("cannot read a/b.jpg: permission denied"), 1);
    EngineStatus status =
        new EngineStatus(
            Verdict.run(4),
            DeviceConditions.desktop(), List.of(library(3, 0, 2, 0, 1, 10, Optional.empty(), List.of(failure))));

    assertThat(Summary.problem(status))
        .contains("1 file failed: a/b.jpg: cannot read a/b.jpg: permission denied");
  }

  @Test
  void manyFailedFilesNameTheFirstAndCountTheRest() {
    LibraryStatus.Failure first =
        new LibraryStatus.Failure("a1", "a.jpg", new UploadError.Transient("connection reset"), 5);
    LibraryStatus.Failure second =
        new LibraryStatus.Failure("b1", "b.jpg", new UploadError.QuotaExceeded("target full"), 1);
    EngineStatus status =
        new EngineStatus(
            Verdict.run(4),
            DeviceConditions.desktop(), List.of(library(5, 0, 2, 0, 3, 10, Optional.empty(), List.of(first, second))));

    assertThat(Summary.problem(status))
        .contains("3 files failed: a.jpg: connection reset (and 2 more)");
  }

  @Test
  void aFileLeftOutIsNamedWithItsReasonSoTheRunDoesNotEndWellSilently() {
    LibraryStatus.Skip first =
        new LibraryStatus.Skip("a1", "DSC_0001.JPG", "a different file already exists at DSC_0001.JPG; skipped (on-conflict = skip)");
    LibraryStatus.Skip second = new LibraryStatus.Skip("b1", "b.jpg", "b.jpg changed while it was uploaded");
    EngineStatus status =
        new EngineStatus(
            Verdict.run(4),
            DeviceConditions.desktop(),
            List.of(library(3, 1, 0, 2, 0, 10, Optional.empty(), List.of(), List.of(first, second))));

    assertThat(Summary.problem(status))
        .contains(
            "2 files not backed up: DSC_0001.JPG: a different file already exists at DSC_0001.JPG; skipped"
                + " (on-conflict = skip) (and 1 more)");
  }

  @Test
  void failedScanComesFirst() {
    EngineStatus status =
        new EngineStatus(
            Verdict.run(4),
            DeviceConditions.desktop(),
            List.of(library(0, 0, 0, 0, 0, 0, Optional.of("permission denied"), List.of())));

    assertThat(Summary.problem(status)).contains("scan of /photos failed: permission denied");
  }

  /** A finished library's status with the given counts. */
  static LibraryStatus library(
      long discovered,
      long alreadyBackedUp,
      long completed,
      long skipped,
      long failed,
      long bytesSent,
      Optional<String> scanError,
      List<LibraryStatus.Failure> failures) {
    return library(discovered, alreadyBackedUp, completed, skipped, failed, bytesSent, scanError, failures, List.of());
  }

  static LibraryStatus library(
      long discovered,
      long alreadyBackedUp,
      long completed,
      long skipped,
      long failed,
      long bytesSent,
      Optional<String> scanError,
      List<LibraryStatus.Failure> failures,
      List<LibraryStatus.Skip> notBackedUp) {
    return new LibraryStatus(
        "lib", "/photos", "file:///backup", false, scanError, discovered, alreadyBackedUp,
        0, 0, 0, completed, skipped, failed, bytesSent, bytesSent, bytesSent, Set.of(), List.of(),
        failures, notBackedUp, List.of(), Optional.empty(), Optional.empty(), false, List.of(), Optional.empty(), List.of(), 0, NotOffered.NONE);
  }
}
