package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.Restarts;
import dev.autoupload.engine.library.LibraryStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LibraryHealthTest {

  private static final Restarts RESTARTS = new Restarts(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, 3);
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static LibraryHealth.Decision fail(LibraryHealth health, boolean watched, Instant at) {
    return health.failed("IllegalStateException: a bug", false, watched, at, 0, RESTARTS);
  }

  @Test
  void eachFailureInARowDoublesTheBackoffUpToItsCap() {
    LibraryHealth health = LibraryHealth.up();
    for (long expected : new long[] {1, 2, 4, 8, 16, 30, 30}) {
      LibraryHealth.Decision decision = fail(health, true, T0);
      assertThat(decision.restartAfter()).contains(Duration.ofSeconds(expected));
      health = decision.health();
    }
    assertThat(health.down().orElseThrow())
        .isEqualTo(new LibraryStatus.Down("IllegalStateException: a bug", T0, 7, true));
  }

  @Test
  void jitterAddsUpToTheRandomFactor() {
    assertThat(RESTARTS.backoff(1, 0.999)).isBetween(Duration.ofMillis(1199), Duration.ofMillis(1200));
    assertThat(RESTARTS.backoff(40, 0)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aLibraryBackedUpOnceGivesUpAfterItsRestartsSoItsRunCanEnd() {
    LibraryHealth health = LibraryHealth.up();
    for (int failure = 1; failure <= 3; failure++) {
      LibraryHealth.Decision decision = fail(health, false, T0);
      assertThat(decision.restartAfter()).as("failure %d", failure).isPresent();
      health = decision.health();
    }
    LibraryHealth.Decision fourth = fail(health, false, T0);

    assertThat(fourth.restartAfter()).isEmpty();
    assertThat(fourth.health().down().orElseThrow().restarting()).isFalse();
  }

  @Test
  void aFailureRestartingCannotCureStopsTheLibraryAtOnceEvenWhenWatched() {
    LibraryHealth.Decision decision =
        LibraryHealth.up().failed("no space left on /data", true, true, T0, 0, RESTARTS);

    assertThat(decision.restartAfter()).isEmpty();
    assertThat(decision.health().down()).contains(new LibraryStatus.Down("no space left on /data", T0, 1, false));
  }

  @Test
  void aLibraryThatRanLongerThanTheLongestBackoffCountsItsNextFailureAsTheFirst() {
    LibraryHealth health = fail(fail(LibraryHealth.up(), false, T0).health(), false, T0).health();
    health = health.recovered(T0.plusSeconds(5));
    assertThat(health.down()).isEmpty();

    LibraryHealth.Decision soon = fail(health, false, T0.plusSeconds(20));
    assertThat(soon.health().failuresInARow()).isEqualTo(3);
    LibraryHealth.Decision later = fail(health, false, T0.plusSeconds(40));
    assertThat(later.health().failuresInARow()).isEqualTo(1);
    assertThat(later.restartAfter()).contains(Duration.ofSeconds(1));
  }

  @Test
  void aLibraryStaysDownSinceItsFirstFailureWhileRestartsFail() {
    LibraryHealth health = fail(LibraryHealth.up(), true, T0).health();
    LibraryHealth.Decision again = fail(health, true, T0.plusSeconds(3));

    assertThat(again.health().down().map(LibraryStatus.Down::since)).isEqualTo(Optional.of(T0));
  }
}
