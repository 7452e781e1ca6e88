package dev.autoupload.engine.internal.activity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A read-model query whose cost grows with the library, answered again from its latest result
 * while that is young compared with what it cost: a result that took {@code t} of at least {@code
 * costly} serves every caller for {@code reuseFactor × t} after it came. So the query takes at most
 * about {@code 1 / (reuseFactor + 1)} of a core however often it is asked; a cheap one is never
 * reused. Callers that ask while it runs share its answer; a failure is not reused.
 *
 * <p>For the Activity's counts over all runs: a scan of every row, 1.4 s at a million assets once
 * any row changed, which the Activity page asked for at each burst of upload events.
 */
public final class CostlyQuery<T> {

  private final Supplier<CompletionStage<T>> query;
  private final long costlyNanos;
  private final long reuseFactor;
  private final LongSupplier nanoTime;

  private CompletableFuture<T> latest;
  /** When {@link #latest} came, and how long it took; meaningless while it runs. */
  private long cameAt;
  private long took;

  /**
   * @param query the query, run anew when no young enough result is there
   * @param costly the least time a result took for it to be reused
   * @param reuseFactor how many times its own cost a result is reused for
   * @param nanoTime the clock, {@link System#nanoTime} but in tests
   */
  public CostlyQuery(Supplier<CompletionStage<T>> query, Duration costly, long reuseFactor, LongSupplier nanoTime) {
    this.query = query;
    this.costlyNanos = costly.toNanos();
    this.reuseFactor = reuseFactor;
    this.nanoTime = nanoTime;
  }

  /** {@return the latest result while it is young enough or still coming, else a new one} */
  public synchronized CompletionStage<T> get() {
    long now = nanoTime.getAsLong();
    if (latest != null && (!latest.isDone() || young(now))) {
      return latest.copy();
    }
    CompletableFuture<T> asked = query.get().toCompletableFuture();
    latest = asked;
    asked.whenComplete((result, failure) -> came(asked, now));
    return asked.copy();
  }

  private boolean young(long now) {
    return !latest.isCompletedExceptionally() && took >= costlyNanos && now - cameAt < reuseFactor * took;
  }

  private synchronized void came(CompletableFuture<T> asked, long startedAt) {
    if (asked == latest) {
      cameAt = nanoTime.getAsLong();
      took = cameAt - startedAt;
    }
  }
}
