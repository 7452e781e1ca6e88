package dev.autoupload.engine.internal.watchdog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The watchdog actor: a library's watch starts from its latest backup the journal knows, looked up
 * once, when the watchdog first sees the library.
 */
class WatchdogTest {

  private static final ActorTestKit probes = ActorTestKit.create();
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final WatchdogSettings SETTINGS =
      new WatchdogSettings(
          new LibraryWatch.Limits(Duration.ofHours(1), Duration.ofDays(7)),
          Duration.ofMillis(20),
          Optional.empty(),
          Duration.ofSeconds(1),
          1,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1));

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  @Test
  void aLibraryLastBackedUpInAnEarlierRunTooLongAgoStallsAtTheFirstCheckAndIsLookedUpOnce() {
    AtomicInteger checks = new AtomicInteger();
    List<Set<String>> lookups = new CopyOnWriteArrayList<>();
    Instant tenDaysAgo = NOW.minus(Duration.ofDays(10));
    ActorRef<Watchdog.Command> watchdog =
        start(
            checks,
            ids -> {
              lookups.add(ids);
              return CompletableFuture.completedFuture(Map.of("lib-old", tenDaysAgo));
            });
    TestProbe<Map<String, Stall>> stalls = probes.createTestProbe();

    stalls.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertThat(checks.get()).as("checks so far").isGreaterThanOrEqualTo(4);
          watchdog.tell(new Watchdog.GetStalls(stalls.getRef()));
          Map<String, Stall> now = stalls.receiveMessage(Duration.ofSeconds(3));
          assertThat(now).containsOnlyKeys("lib-old");
          assertThat(now.get("lib-old").kind()).isEqualTo(Stall.Kind.TOO_OLD);
          assertThat(now.get("lib-old").since()).isEqualTo(tenDaysAgo);
          return null;
        });
    assertThat(lookups).as("one lookup, of the libraries first seen").containsExactly(Set.of("lib-old", "lib-new"));
  }

  @Test
  void withoutTheJournalsAnswerALibraryCountsFromNowLaterNotNever() {
    AtomicInteger checks = new AtomicInteger();
    ActorRef<Watchdog.Command> watchdog =
        start(checks, ids -> CompletableFuture.failedFuture(new IllegalStateException("the journal is gone")));
    TestProbe<Map<String, Stall>> stalls = probes.createTestProbe();

    stalls.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          assertThat(checks.get()).as("checks so far").isGreaterThanOrEqualTo(4);
          return null;
        });
    watchdog.tell(new Watchdog.GetStalls(stalls.getRef()));
    assertThat(stalls.receiveMessage(Duration.ofSeconds(3))).isEmpty();
  }

  private static ActorRef<Watchdog.Command> start(
      AtomicInteger checks, Function<Set<String>, CompletionStage<Map<String, Instant>>> lastBackups) {
    return probes.spawn(
        Watchdog.create(
            SETTINGS,
            () -> {
              checks.incrementAndGet();
              return CompletableFuture.completedFuture(List.of(waiting("lib-old"), waiting("lib-new")));
            },
            lastBackups,
            Clock.fixed(NOW, ZoneOffset.UTC),
            alert -> {}));
  }

  /** A library with two files queued and nothing else to say. */
  private static LibraryStatus waiting(String libraryId) {
    return new LibraryStatus(
        libraryId, "/photos", "file:///backup", false, Optional.empty(), 2, 0, 2, 0, 0, 0, 0, 0,
        200, 0, 0, Set.of(), List.of(), List.of(), List.of(), List.of(), Optional.empty(), Optional.empty(),
        false, List.of(), Optional.empty(), List.of(), 0, NotOffered.NONE);
  }
}
