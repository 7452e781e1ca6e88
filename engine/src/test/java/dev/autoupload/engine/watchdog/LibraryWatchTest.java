package dev.autoupload.engine.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.BlockerReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The stall rule, checked against a reference model that decides each check afresh from the whole
 * history (the incremental rule keeps only a summary of it), on seeded random histories; and on
 * the cases a user meets.
 */
class LibraryWatchTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final LibraryWatch.Limits LIMITS = new LibraryWatch.Limits(Duration.ofHours(6), Duration.ofDays(7));

  /** One check as a history has it: when, files waiting, files uploaded in the run so far. */
  private record Observation(Instant at, long waiting, long uploaded) {}

  @Test
  void agreesWithTheReferenceModelOnRandomHistories() {
    for (long seed = 0; seed < 5000; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      Optional<Instant> lastBackupBefore =
          random.nextInt(3) == 0 ? Optional.empty() : Optional.of(T0.minus(Duration.ofHours(random.nextInt(0, 24 * 10))));
      List<Observation> history = randomHistory(random);
      LibraryWatch watch = LibraryWatch.start("lib", history.get(0).at(), lastBackupBefore);
      Optional<Stall.Kind> previous = Optional.empty();
      for (int k = 0; k < history.size(); k++) {
        Observation seen = history.get(k);
        LibraryWatch.Check check =
            watch.check(seen.at(), new LibraryWatch.Seen(seen.waiting(), seen.uploaded(), Set.of(), List.of()), LIMITS);
        Optional<Stall.Kind> expected = expectedKind(history, k, lastBackupBefore);
        String where = "seed " + seed + ", check " + k + " of " + history;
        assertThat(check.next().stall().map(Stall::kind)).as(where).isEqualTo(expected);
        assertThat(check.alert()).as(where).isEqualTo(expectedAlert(history, k, previous, expected, check.next(), lastBackupBefore));
        if (expected.isPresent()) {
          assertThat(check.next().stall().orElseThrow().since()).as(where).isEqualTo(expectedSince(history, k, lastBackupBefore, expected.get()));
        }
        previous = expected;
        watch = check.next();
      }
    }
  }

  @Test
  void aTargetDownForSevenHoursStallsTheLibraryAndOneUploadEndsIt() {
    LibraryWatch watch = LibraryWatch.start("lib", T0, Optional.empty());
    Set<BlockerReason> unreachable = Set.of(BlockerReason.LIBRARY_DOWN);
    LibraryWatch.Check first = watch.check(T0, seen(3, 0, unreachable), LIMITS);
    assertThat(first.alert()).isEmpty();
    LibraryWatch.Check later = first.next().check(T0.plus(Duration.ofHours(6)), seen(3, 0, unreachable), LIMITS);
    assertThat(later.alert()).get().isInstanceOf(LibraryWatch.Stalled.class);
    Stall stall = ((LibraryWatch.Stalled) later.alert().orElseThrow()).stall();
    assertThat(stall.kind()).isEqualTo(Stall.Kind.NO_PROGRESS);
    assertThat(stall.waiting()).isEqualTo(3);
    assertThat(stall.reasons()).isEqualTo(unreachable);
    assertThat(stall.since()).isEqualTo(T0);
    LibraryWatch.Check still = later.next().check(T0.plus(Duration.ofHours(7)), seen(3, 0, unreachable), LIMITS);
    assertThat(still.alert()).as("one alert while it lasts").isEmpty();
    LibraryWatch.Check recovered = still.next().check(T0.plus(Duration.ofHours(8)), seen(2, 1, Set.of()), LIMITS);
    assertThat(recovered.alert()).get().isInstanceOfSatisfying(
        LibraryWatch.Recovered.class, r -> assertThat(r.how()).isEqualTo(LibraryWatch.Recovery.BACKED_UP));
    assertThat(recovered.next().stall()).isEmpty();
  }

  @Test
  void runsTooShortToStallStillAlertOnceTheLastBackupIsTooOld() {
    // An OS that runs the app for a minute a day: each run starts a new watch, so files never
    // wait six hours in one run, but the journal knows the last backup was eight days ago.
    Optional<Instant> eightDaysAgo = Optional.of(T0.minus(Duration.ofDays(8)));
    LibraryWatch.Check check = LibraryWatch.start("lib", T0, eightDaysAgo).check(T0, seen(40, 0, Set.of()), LIMITS);
    assertThat(check.alert()).get().isInstanceOfSatisfying(
        LibraryWatch.Stalled.class, s -> assertThat(s.stall().kind()).isEqualTo(Stall.Kind.TOO_OLD));
    assertThat(check.next().stall().orElseThrow().since()).isEqualTo(eightDaysAgo.get());
  }

  @Test
  void aLibraryWithNothingWaitingIsNeverStalledHoweverOldItsLastBackup() {
    LibraryWatch.Check check =
        LibraryWatch.start("lib", T0, Optional.of(T0.minus(Duration.ofDays(400)))).check(T0, seen(0, 0, Set.of()), LIMITS);
    assertThat(check.alert()).isEmpty();
    assertThat(check.next().stall()).isEmpty();
  }

  @Test
  void aRunThatStartsOverIsNoBackup() {
    LibraryWatch watch = LibraryWatch.start("lib", T0, Optional.empty());
    watch = watch.check(T0, seen(5, 10, Set.of()), LIMITS).next();
    // The library's backup restarted: its run counts from zero again, which is no upload.
    LibraryWatch.Check check = watch.check(T0.plus(Duration.ofHours(6)), seen(5, 0, Set.of()), LIMITS);
    assertThat(check.next().stall().map(Stall::kind)).contains(Stall.Kind.NO_PROGRESS);
  }

  private static LibraryWatch.Seen seen(long waiting, long uploaded, Set<BlockerReason> reasons) {
    return new LibraryWatch.Seen(waiting, uploaded, reasons, List.of());
  }

  /** Checks minutes to days apart; waiting files come and go; uploads grow, and sometimes restart. */
  private static List<Observation> randomHistory(SplittableRandom random) {
    List<Observation> history = new ArrayList<>();
    Instant at = T0;
    long uploaded = 0;
    int length = random.nextInt(1, 40);
    for (int i = 0; i < length; i++) {
      if (i > 0) {
        at = at.plus(Duration.ofMinutes(random.nextInt(1, random.nextBoolean() ? 120 : 3 * 24 * 60)));
      }
      int roll = random.nextInt(10);
      if (roll < 2) {
        uploaded += random.nextInt(1, 5);
      } else if (roll == 2) {
        uploaded = 0;
      }
      long waiting = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 50);
      history.add(new Observation(at, waiting, uploaded));
    }
    return history;
  }

  // ---- the reference model: every check decided from the whole history ----

  private static boolean progressAt(List<Observation> history, int j) {
    long before = j == 0 ? 0 : history.get(j - 1).uploaded();
    return history.get(j).uploaded() > before;
  }

  private static Optional<Instant> lastBackup(List<Observation> history, int k, Optional<Instant> before) {
    for (int j = k; j >= 0; j--) {
      if (progressAt(history, j)) {
        return Optional.of(history.get(j).at());
      }
    }
    return before;
  }

  private static Instant waitingSince(List<Observation> history, int k) {
    int j = k;
    while (j > 0 && history.get(j - 1).waiting() > 0) {
      j--;
    }
    return history.get(j).at();
  }

  private static Optional<Stall.Kind> expectedKind(List<Observation> history, int k, Optional<Instant> before) {
    Observation now = history.get(k);
    if (now.waiting() == 0) {
      return Optional.empty();
    }
    Instant last = lastBackup(history, k, before).orElse(history.get(0).at());
    if (Duration.between(last, now.at()).compareTo(LIMITS.maxAge()) >= 0) {
      return Optional.of(Stall.Kind.TOO_OLD);
    }
    Instant waiting = waitingSince(history, k);
    Instant quiet = last.isAfter(waiting) ? last : waiting;
    return Duration.between(quiet, now.at()).compareTo(LIMITS.stallAfter()) >= 0
        ? Optional.of(Stall.Kind.NO_PROGRESS)
        : Optional.empty();
  }

  private static Instant expectedSince(List<Observation> history, int k, Optional<Instant> before, Stall.Kind kind) {
    Instant last = lastBackup(history, k, before).orElse(history.get(0).at());
    if (kind == Stall.Kind.TOO_OLD) {
      return last;
    }
    Instant waiting = waitingSince(history, k);
    return last.isAfter(waiting) ? last : waiting;
  }

  private static Optional<LibraryWatch.Alert> expectedAlert(
      List<Observation> history,
      int k,
      Optional<Stall.Kind> previous,
      Optional<Stall.Kind> now,
      LibraryWatch next,
      Optional<Instant> before) {
    if (now.isPresent() && !now.equals(previous)) {
      return Optional.of(new LibraryWatch.Stalled(next.stall().orElseThrow()));
    }
    if (now.isEmpty() && previous.isPresent()) {
      LibraryWatch.Recovery how = progressAt(history, k) ? LibraryWatch.Recovery.BACKED_UP : LibraryWatch.Recovery.NOTHING_WAITS;
      return Optional.of(new LibraryWatch.Recovered(previousStall(history, k, before), history.get(k).at(), how));
    }
    return Optional.empty();
  }

  /** The stall as the check before {@code k} saw it, rebuilt by the model. */
  private static Stall previousStall(List<Observation> history, int k, Optional<Instant> before) {
    Stall.Kind kind = expectedKind(history, k - 1, before).orElseThrow();
    return new Stall(
        "lib", kind, expectedSince(history, k - 1, before, kind), history.get(k - 1).waiting(), Set.of(), List.of());
  }
}
