package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunEndTest {

  private static final String FULL = "cannot write 2024/05/b.jpg: No space left on device";

  private static LibraryStatus library(
      boolean scanning, long queued, Set<BlockerReason> reasons, List<LibraryStatus.InFlight> inFlight) {
    return library(scanning, queued, reasons, inFlight, false);
  }

  private static LibraryStatus library(
      boolean scanning,
      long queued,
      Set<BlockerReason> reasons,
      List<LibraryStatus.InFlight> inFlight,
      boolean unreachableTooLong) {
    return new LibraryStatus(
        "lib", "/photos", "file:///backup", scanning, Optional.empty(), 3, 0, queued, inFlight.size(), 0, 1, 0, 0,
        300, 100, 100, reasons, inFlight, List.of(), List.of(), List.of(),
        reasons.isEmpty() ? Optional.empty() : Optional.of(FULL),
        reasons.isEmpty() ? Optional.empty() : Optional.of(Instant.parse("2026-11-25T10:00:30Z")),
        unreachableTooLong, List.of(), Optional.empty(), List.of(), 0, NotOffered.NONE);
  }

  private static LibraryStatus.InFlight upload(Set<BlockerReason> pausedFor) {
    return new LibraryStatus.InFlight("c", "c.jpg", 10, 100, pausedFor);
  }

  private static EngineStatus status(LibraryStatus... libraries) {
    return new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of(libraries));
  }

  private static LibraryStatus down(boolean restarting) {
    return LibraryStatus.down(
        "lib", "/photos", "file:///backup",
        new LibraryStatus.Down("no space left on /data: the journal cannot be written", Instant.EPOCH, 1, restarting));
  }

  @Test
  void aRunOnceEndsWhenEverythingIsDone() {
    assertThat(RunEnd.reached(status(library(false, 0, Set.of(), List.of())), true)).isTrue();
    assertThat(RunEnd.reached(status(library(true, 0, Set.of(), List.of())), true)).isFalse();
    assertThat(RunEnd.reached(status(library(false, 0, Set.of(), List.of())), false)).isFalse();
  }

  @Test
  void aFullTargetEndsARunOnceAsSoonAsNoUploadSendsAndSaysSo() {
    LibraryStatus full = library(false, 2, Set.of(BlockerReason.TARGET_FULL), List.of(upload(Set.of(BlockerReason.TARGET_FULL))));

    assertThat(RunEnd.reached(status(full), true)).isTrue();
    assertThat(Summary.problem(status(full))).contains("target full: file:///backup: " + FULL);
  }

  @Test
  void aFullTargetWaitsForTheUploadStillSendingAndForTheScan() {
    Set<BlockerReason> full = Set.of(BlockerReason.TARGET_FULL);
    assertThat(RunEnd.reached(status(library(false, 2, full, List.of(upload(Set.of())))), true)).isFalse();
    assertThat(RunEnd.reached(status(library(true, 2, full, List.of())), true)).isFalse();
  }

  @Test
  void refusedCredentialsAndAnUntrustedTargetEndARunOnceToo() {
    assertThat(Summary.problem(status(library(false, 1, Set.of(BlockerReason.NOT_AUTHORIZED), List.of()))))
        .contains("the target refused the credentials: file:///backup: " + FULL);
    assertThat(RunEnd.reached(status(library(false, 1, Set.of(BlockerReason.TARGET_UNTRUSTED), List.of())), true))
        .isTrue();
  }

  @Test
  void aRunOnceWaitsForAnUnreachableTargetUntilItWasAwayMaxAttemptsTimesInARow() {
    Set<BlockerReason> away = Set.of(BlockerReason.TARGET_UNREACHABLE);
    assertThat(RunEnd.reached(status(library(false, 2, away, List.of(), false)), true)).isFalse();
    assertThat(Summary.problem(status(library(false, 2, away, List.of(), false)))).isEmpty();

    assertThat(RunEnd.reached(status(library(false, 2, away, List.of(), true)), true)).isTrue();
    assertThat(Summary.problem(status(library(false, 2, away, List.of(), true))))
        .contains("the target cannot be reached: file:///backup: " + FULL);
    assertThat(RunEnd.reached(status(library(false, 2, away, List.of(), true)), false)).isFalse();
  }

  @Test
  void watchingKeepsWaitingForAStoppedTarget() {
    assertThat(RunEnd.reached(status(library(false, 2, Set.of(BlockerReason.TARGET_FULL), List.of())), false)).isFalse();
  }

  @Test
  void aLibraryDownForGoodEndsEitherRunWithItsReasonButARestartingOneIsWaitedFor() {
    assertThat(RunEnd.reached(status(down(false)), true)).isTrue();
    assertThat(RunEnd.reached(status(down(false)), false)).isTrue();
    assertThat(Summary.problem(status(down(false))))
        .contains("the backup of /photos stopped: no space left on /data: the journal cannot be written");

    assertThat(RunEnd.reached(status(down(true)), true)).isFalse();
    assertThat(RunEnd.reached(status(down(true)), false)).isFalse();
    assertThat(RunEnd.reached(status(down(false), library(false, 2, Set.of(), List.of())), false)).isFalse();
  }
}
