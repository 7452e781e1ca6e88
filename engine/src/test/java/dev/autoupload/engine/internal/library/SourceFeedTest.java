package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A scan hands over at most {@link SourceFeed#BATCHES_IN_FLIGHT} batches the supervisor has not
 * taken yet, and a stopped supervisor ends its scan instead of leaving the thread waiting.
 */
class SourceFeedTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ExecutorService blockingIo = Executors.newCachedThreadPool();
  private static final Duration QUIET = Duration.ofMillis(300);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    blockingIo.shutdownNow();
  }

  @Test
  void aScanWaitsForTheSupervisorToTakeItsBatchesAndHandsOverEveryOneInOrder() throws Exception {
    ListingSource source = new ListingSource(10, false);
    TestProbe<Object> heard = testKit.createTestProbe();
    ActorRef<BackupSupervisor.Command> supervisor = testKit.spawn(supervisorThatTakesWhenTold(source, heard.getRef()));

    List<String> found = new ArrayList<>();
    for (int i = 0; i < SourceFeed.BATCHES_IN_FLIGHT; i++) {
      found.add(firstPath(heard.expectMessageClass(BackupSupervisor.AssetsFound.class)));
    }
    heard.expectNoMessage(QUIET);
    assertThat(source.handedOver.get()).isEqualTo(SourceFeed.BATCHES_IN_FLIGHT);

    supervisor.tell(new BackupSupervisor.SourceChanged()); // "take one"
    found.add(firstPath(heard.expectMessageClass(BackupSupervisor.AssetsFound.class)));
    heard.expectNoMessage(QUIET);

    for (int i = 0; i < 5; i++) {
      supervisor.tell(new BackupSupervisor.SourceChanged());
      found.add(firstPath(heard.expectMessageClass(BackupSupervisor.AssetsFound.class)));
    }
    assertThat(heard.expectMessageClass(BackupSupervisor.ScanEnded.class).error()).isEmpty();
    assertThat(found).containsExactlyElementsOf(ListingSource.paths(10));
    assertThat(source.ended.get(10, TimeUnit.SECONDS)).isEqualTo("returned");
  }

  @Test
  void aStoppedSupervisorEndsTheScanThatWaitsForIt() throws Exception {
    ListingSource source = new ListingSource(10, false);

    testKit.stop(supervisorWithItsScanWaiting(source));

    assertThat(source.ended.get(10, TimeUnit.SECONDS)).isEqualTo("ended: the library stopped");
    assertThat(source.handedOver.get()).isEqualTo(SourceFeed.BATCHES_IN_FLIGHT);
  }

  @Test
  void aSourceThatGoesOnAfterBeingToldToStopDoesNotWaitForEver() throws Exception {
    ListingSource source = new ListingSource(10, true);

    testKit.stop(supervisorWithItsScanWaiting(source));

    // It swallowed each refusal and listed the rest, none of which was handed over.
    assertThat(source.ended.get(10, TimeUnit.SECONDS)).isEqualTo("returned");
    assertThat(source.handedOver.get()).isEqualTo(SourceFeed.BATCHES_IN_FLIGHT);
    assertThat(source.refused.get()).isEqualTo(10 - SourceFeed.BATCHES_IN_FLIGHT);
  }

  /** A stand-in supervisor that took none of the batches its scan handed over, which now waits. */
  private static ActorRef<BackupSupervisor.Command> supervisorWithItsScanWaiting(ListingSource source) {
    TestProbe<Object> heard = testKit.createTestProbe();
    ActorRef<BackupSupervisor.Command> supervisor = testKit.spawn(supervisorThatTakesWhenTold(source, heard.getRef()));
    for (int i = 0; i < SourceFeed.BATCHES_IN_FLIGHT; i++) {
      heard.expectMessageClass(BackupSupervisor.AssetsFound.class);
    }
    return supervisor;
  }

  private static String firstPath(BackupSupervisor.AssetsFound found) {
    return found.assets().get(0).relativePath();
  }

  /**
   * A stand-in for the supervisor: scans at once, passes on what it hears, and takes a batch only
   * when told {@code SourceChanged}, so the test decides how fast batches are taken.
   */
  private static Behavior<BackupSupervisor.Command> supervisorThatTakesWhenTold(AssetSource source, ActorRef<Object> heard) {
    return Behaviors.setup(
        context -> {
          SourceFeed feed = new SourceFeed(context, source, blockingIo);
          feed.scan();
          return Behaviors.receive(BackupSupervisor.Command.class)
              .onMessage(
                  BackupSupervisor.SourceChanged.class,
                  msg -> {
                    feed.taken();
                    return Behaviors.same();
                  })
              .onMessage(
                  BackupSupervisor.ScanEnded.class,
                  msg -> {
                    feed.scanEnded();
                    heard.tell(msg);
                    return Behaviors.same();
                  })
              .onMessage(
                  BackupSupervisor.AssetsFound.class,
                  msg -> {
                    heard.tell(msg);
                    return Behaviors.same();
                  })
              .onSignal(
                  PostStop.class,
                  signal -> {
                    feed.stop();
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Lists {@code batches} batches of one asset each; says how its scan ended. */
  private static final class ListingSource implements AssetSource {
    final int batches;
    /** Whether it catches what the consumer throws and goes on, as a careless source might. */
    final boolean swallowsRefusals;
    final AtomicInteger handedOver = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final CompletableFuture<String> ended = new CompletableFuture<>();

    ListingSource(int batches, boolean swallowsRefusals) {
      this.batches = batches;
      this.swallowsRefusals = swallowsRefusals;
    }

    static List<String> paths(int count) {
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        paths.add("DCIM/IMG_" + i + ".JPG");
      }
      return paths;
    }

    @Override
    public String describe() {
      return "a listing of " + batches + " batches";
    }

    @Override
    public void scan(Consumer<List<Asset>> consumer) {
      try {
        for (String path : paths(batches)) {
          Instant taken = Instant.parse("2023-05-01T10:00:00Z");
          List<Asset> batch =
              List.of(new Asset("id-" + path, "lib", path, 1, taken, CreationDateSource.EXIF, taken, Optional.empty()));
          try {
            consumer.accept(batch);
            handedOver.incrementAndGet();
          } catch (CancellationException e) {
            if (!swallowsRefusals) {
              throw e;
            }
            refused.incrementAndGet();
          }
        }
        ended.complete("returned");
      } catch (RuntimeException e) {
        ended.complete("ended: " + e.getMessage());
        throw e;
      }
    }

    @Override
    public InputStream open(Asset asset) throws IOException {
      throw new IOException("not read in this test");
    }
  }
}
