package dev.autoupload.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.WrappedMessage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PipedTest {

  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  /**
   * What reaches dead letters when an actor stopped before its piped work ended: with a stage of
   * Void as it is, a message whose value is null, on which Pekko's dead-letter listener fails with
   * a NullPointerException (an ERROR in the log); through {@link Piped#done}, Done.
   */
  @Test
  void workPipedToAnActorThatStoppedReachesDeadLettersWithAValueNotNull() {
    assertThat(deadLetterAfterStop(work -> work)).as("a Void stage piped as it is").isNull();
    assertThat(deadLetterAfterStop(Piped::done)).isEqualTo(Done.getInstance());
  }

  @Test
  void aFailureStaysAFailure() {
    CompletableFuture<Void> work = new CompletableFuture<>();
    CompletionStage<Done> piped = Piped.done(work);
    work.completeExceptionally(new IllegalStateException("disk gone"));

    assertThat(piped.toCompletableFuture()).isCompletedExceptionally();
    assertThat(piped.toCompletableFuture().handle((done, failure) -> failure.getCause().getMessage()).join())
        .isEqualTo("disk gone");
  }

  /** The value, unwrapped, of the dead letter that piping {@code work} leaves once its actor stopped. */
  private static Object deadLetterAfterStop(Function<CompletableFuture<Void>, CompletionStage<?>> piped) {
    TestProbe<DeadLetter> deadLetters = kit.createTestProbe();
    // The classic event stream subscribes before it returns; the typed one's Subscribe is a
    // message, which a loaded machine (CI run 28) handled after the dead letter was published.
    org.apache.pekko.actor.ActorRef subscriber = Adapter.toClassic(deadLetters.ref());
    kit.system().classicSystem().eventStream().subscribe(subscriber, DeadLetter.class);
    CompletableFuture<Void> work = new CompletableFuture<>();
    ActorRef<String> actor =
        kit.spawn(
            Behaviors.setup(
                context -> {
                  context.pipeToSelf(piped.apply(work), (value, failure) -> "work ended");
                  return Behaviors.receiveMessage(stop -> Behaviors.stopped());
                }));
    TestProbe<Object> watcher = kit.createTestProbe();
    actor.tell("stop");
    watcher.expectTerminated(actor);

    work.complete(null);

    Object value = WrappedMessage.unwrap(deadLetters.receiveMessage(Duration.ofSeconds(30)).message());
    kit.system().classicSystem().eventStream().unsubscribe(subscriber);
    return value;
  }
}
