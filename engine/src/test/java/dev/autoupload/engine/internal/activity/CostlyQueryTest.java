package dev.autoupload.engine.internal.activity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** When {@link CostlyQuery} asks the database again, on a clock the test moves. */
class CostlyQueryTest {

  private final AtomicLong clock = new AtomicLong();
  private final AtomicInteger asked = new AtomicInteger();

  /** A query that takes {@code took} on the clock and answers how many times it was asked. */
  private Supplier<CompletionStage<Integer>> taking(Duration took) {
    return () -> {
      clock.addAndGet(took.toNanos());
      return CompletableFuture.completedFuture(asked.incrementAndGet());
    };
  }

  private CostlyQuery<Integer> query(Supplier<CompletionStage<Integer>> query) {
    return new CostlyQuery<>(query, Duration.ofMillis(100), 10, clock::get);
  }

  private static int answer(CompletionStage<Integer> stage) throws Exception {
    return stage.toCompletableFuture().get();
  }

  @Test
  void aCheapQueryIsAskedEveryTime() throws Exception {
    CostlyQuery<Integer> counts = query(taking(Duration.ofMillis(99)));

    assertThat(answer(counts.get())).isEqualTo(1);
    assertThat(answer(counts.get())).isEqualTo(2);
    assertThat(answer(counts.get())).isEqualTo(3);
  }

  @Test
  void aCostlyResultServesForTenTimesWhatItTookThenTheQueryIsAskedAgain() throws Exception {
    CostlyQuery<Integer> counts = query(taking(Duration.ofMillis(1400)));

    assertThat(answer(counts.get())).isEqualTo(1);
    clock.addAndGet(Duration.ofMillis(13_999).toNanos());
    assertThat(answer(counts.get())).as("14 s less a millisecond after it came").isEqualTo(1);
    clock.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(answer(counts.get())).as("14 s after it came").isEqualTo(2);
    assertThat(asked).hasValue(2);
  }

  @Test
  void callersWhileTheQueryRunsShareItsAnswer() throws Exception {
    CompletableFuture<Integer> running = new CompletableFuture<>();
    CostlyQuery<Integer> counts =
        query(
            () -> {
              asked.incrementAndGet();
              return running;
            });

    CompletionStage<Integer> first = counts.get();
    CompletionStage<Integer> second = counts.get();
    running.complete(7);

    assertThat(answer(first)).isEqualTo(7);
    assertThat(answer(second)).isEqualTo(7);
    assertThat(asked).hasValue(1);
  }

  @Test
  void aFailureIsNotReused() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CostlyQuery<Integer> counts =
        query(
            () -> {
              clock.addAndGet(Duration.ofSeconds(2).toNanos());
              return calls.incrementAndGet() == 1
                  ? CompletableFuture.failedFuture(new IllegalStateException("the journal is busy"))
                  : CompletableFuture.completedFuture(42);
            });

    assertThatThrownBy(() -> answer(counts.get())).isInstanceOf(ExecutionException.class).hasMessageContaining("busy");
    assertThat(answer(counts.get())).isEqualTo(42);
  }

  @Test
  void aCallerThatCancelsItsAnswerDoesNotCancelTheOthers() throws Exception {
    CompletableFuture<Integer> running = new CompletableFuture<>();
    CostlyQuery<Integer> counts = query(() -> running);

    counts.get().toCompletableFuture().cancel(true);
    CompletionStage<Integer> other = counts.get();
    running.complete(3);

    assertThat(answer(other)).isEqualTo(3);
  }
}
