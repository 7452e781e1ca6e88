package dev.autoupload.engine.internal.persistence;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A call that blocks on the journal's database, such as one of {@link JournalStore}'s; run on an
 * executor meant for blocking ({@link #runOn}), never on an actor's dispatcher. For the engine's own
 * use: the journal plugin, the Activity's and verify's readers of the journal, the engine's queries.
 *
 * @param <T> what it returns
 */
@FunctionalInterface
public interface DatabaseCall<T> {

  /**
   * Makes the call.
   *
   * @return its result
   * @throws Exception as the database fails
   */
  T run() throws Exception;

  /**
   * Runs {@code call} on {@code executor}.
   *
   * @param <T> what it returns
   * @param executor where it blocks, as the journal's dispatcher ({@link JournalSetup#DISPATCHER})
   * @param call the call
   * @return its result, or its failure
   */
  static <T> CompletableFuture<T> runOn(Executor executor, DatabaseCall<T> call) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return call.run();
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        executor);
  }
}
