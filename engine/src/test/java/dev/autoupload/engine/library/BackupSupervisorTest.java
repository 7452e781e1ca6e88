package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.testing.GeneratedSource;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackupSupervisorTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger libraries = new AtomicInteger();

  private String libraryId;
  private InMemorySource source;
  private InMemoryTarget target;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    libraryId = "library-" + libraries.incrementAndGet();
    source = new InMemorySource(libraryId);
    target = new InMemoryTarget();
  }

  private ActorRef<BackupSupervisor.Command> supervise(UploadSettings settings) {
    return testKit.spawn(
        BackupSupervisor.create(new Library(libraryId, source, target), settings, 10, Clock.systemUTC()));
  }

  private static UploadSettings settings(int parallelism, int maxAttempts, Duration minBackoff) {
    return new UploadSettings(parallelism, 64 * 1024, 256 * 1024, maxAttempts, minBackoff, Duration.ofSeconds(5), 0.2);
  }

  private LibraryStatus awaitIdle(ActorRef<BackupSupervisor.Command> supervisor) {
    TestProbe<LibraryStatus> probe = testKit.createTestProbe(LibraryStatus.class);
    return probe.awaitAssert(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> {
          supervisor.tell(new BackupSupervisor.GetStatus(probe.getRef()));
          LibraryStatus status = probe.receiveMessage();
          assertThat(status.idle()).as("idle: %s", status).isTrue();
          return status;
        });
  }

  private LibraryStatus status(ActorRef<BackupSupervisor.Command> supervisor) {
    TestProbe<LibraryStatus> probe = testKit.createTestProbe(LibraryStatus.class);
    supervisor.tell(new BackupSupervisor.GetStatus(probe.getRef()));
    return probe.receiveMessage();
  }

  @Test
  void neverRunsMoreUploadsThanTheParallelismLimit() throws Exception {
    for (int i = 0; i < 30; i++) {
      source.add("photos/IMG_%04d.JPG".formatted(i), 200_000);
    }
    target.holdAppendsAfter(100_000);

    ActorRef<BackupSupervisor.Command> supervisor = supervise(settings(3, 3, Duration.ofMillis(10)));
    for (int i = 0; i < 3; i++) {
      target.awaitHeld();
    }
    LibraryStatus busy = status(supervisor);
    assertThat(busy.running()).isEqualTo(3);
    assertThat(busy.queued()).isEqualTo(27);
    assertThat(target.maxOpenSessions()).isEqualTo(3);

    target.releaseHeld(false);
    LibraryStatus done = awaitIdle(supervisor);

    assertThat(done.completed()).isEqualTo(30);
    assertThat(target.maxOpenSessions()).as("sessions open at once, observed by the target").isEqualTo(3);
    assertThat(target.files()).hasSize(30);
    for (var file : target.files().entrySet()) {
      assertThat(file.getValue()).isEqualTo(source.open(source.asset(file.getKey())).readAllBytes());
    }
  }

  @Test
  void retriesATransientFailureWithGrowingBackoffThenFailsWithTheLastError() {
    source.add("good.jpg", 10_000);
    source.add("bad.jpg", 10_000);
    target.failAppends(
        path -> path.equals("bad.jpg") ? Optional.of(new UploadError.Transient("503 Service Unavailable")) : Optional.empty());
    TestProbe<EngineEvent.AssetFailed> failures = testKit.createTestProbe(EngineEvent.AssetFailed.class);
    testKit.system().eventStream().tell(new EventStream.Subscribe<>(EngineEvent.AssetFailed.class, failures.getRef()));

    LibraryStatus done = awaitIdle(supervise(settings(2, 4, Duration.ofMillis(100))));

    assertThat(done.completed()).isEqualTo(1);
    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.failures())
        .singleElement()
        .satisfies(
            failure -> {
              assertThat(failure.path()).isEqualTo("bad.jpg");
              assertThat(failure.error()).isEqualTo(new UploadError.Transient("503 Service Unavailable"));
              assertThat(failure.attempts()).isEqualTo(4);
            });
    List<Boolean> willRetry =
        failures
            .fishForMessage(
                Duration.ofSeconds(5),
                event ->
                    event.libraryId().equals(libraryId) && !event.willRetry()
                        ? FishingOutcomes.complete()
                        : event.libraryId().equals(libraryId) ? FishingOutcomes.continueAndCollect() : FishingOutcomes.continueAndIgnore())
            .stream()
            .map(EngineEvent.AssetFailed::willRetry)
            .toList();
    assertThat(willRetry).containsExactly(true, true, true, false);

    List<Instant> attempts = target.sessionOpenings("bad.jpg");
    assertThat(attempts).hasSize(4);
    for (int retry = 1; retry < attempts.size(); retry++) {
      long expectedAtLeast = 100L << (retry - 1);
      assertThat(Duration.between(attempts.get(retry - 1), attempts.get(retry)).toMillis())
          .as("backoff before retry %d", retry)
          .isGreaterThanOrEqualTo(expectedAtLeast);
    }
  }

  @Test
  void doesNotRetryAnErrorThatWillNotGoAway() {
    source.add("unreadable.jpg", 1000);
    source.makeUnreadable("unreadable.jpg");

    LibraryStatus done = awaitIdle(supervise(settings(2, 5, Duration.ofMillis(10))));

    assertThat(done.failed()).isEqualTo(1);
    assertThat(done.failures().get(0).attempts()).isEqualTo(1);
    assertThat(done.failures().get(0).error().message()).isEqualTo("cannot read unreadable.jpg: permission denied");
  }

  @Test
  void aVanishedAssetIsSkippedAndTheOthersStillUpload() {
    source.add("a.jpg", 1000);
    source.add("gone.jpg", 1000);
    source.makeVanish("gone.jpg");

    LibraryStatus done = awaitIdle(supervise(settings(2, 5, Duration.ofMillis(10))));

    assertThat(done.completed()).isEqualTo(1);
    assertThat(done.skipped()).isEqualTo(1);
    assertThat(done.failed()).isZero();
  }

  @Test
  void queuesAMillionAssetsAsEntriesWhileOnlyTheRunningOnesAreActors() {
    GeneratedSource million = new GeneratedSource(libraryId, 1_000_000);
    ActorRef<BackupSupervisor.Command> supervisor =
        testKit.spawn(
            BackupSupervisor.create(
                new Library(libraryId, million, target), settings(4, 3, Duration.ofMillis(10)), 10, Clock.systemUTC()));
    TestProbe<Done> acks = testKit.createTestProbe(Done.class);
    supervisor.tell(new BackupSupervisor.SetBlockers(Set.of(BlockerReason.USER_PAUSED), acks.getRef()));
    acks.receiveMessage();
    target.holdAppendsAfter(0);

    TestProbe<LibraryStatus> probe = testKit.createTestProbe(LibraryStatus.class);
    LibraryStatus scanned =
        probe.awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofMillis(100),
            () -> {
              LibraryStatus status = status(supervisor);
              assertThat(status.scanning()).isFalse();
              return status;
            });
    assertThat(scanned.discovered()).isEqualTo(1_000_000);
    assertThat(scanned.running()).isZero();

    supervisor.tell(new BackupSupervisor.SetBlockers(Set.of(), acks.getRef()));
    acks.receiveMessage();
    LibraryStatus running = status(supervisor);
    assertThat(running.running()).isEqualTo(4);
    assertThat(running.queued() + running.running()).isEqualTo(1_000_000);
    assertThat(running.inFlight()).hasSize(4);
    testKit.stop(supervisor);
    target.releaseHeld(true);
  }

  @Test
  void aRestartQueuesNothingThatIsAlreadyBackedUp() {
    for (int i = 0; i < 25; i++) {
      source.add("f%02d.jpg".formatted(i), 5000);
    }
    ActorRef<BackupSupervisor.Command> first = supervise(settings(4, 3, Duration.ofMillis(10)));
    assertThat(awaitIdle(first).completed()).isEqualTo(25);
    testKit.stop(first);
    long sent = target.bytesReceived();

    // 25 ledger events with a snapshot every 10: recovery uses snapshot + replay.
    LibraryStatus again = awaitIdle(supervise(settings(4, 3, Duration.ofMillis(10))));

    assertThat(again.discovered()).isEqualTo(25);
    assertThat(again.alreadyBackedUp()).isEqualTo(25);
    assertThat(again.completed()).isZero();
    assertThat(target.bytesReceived()).isEqualTo(sent);
  }
}
