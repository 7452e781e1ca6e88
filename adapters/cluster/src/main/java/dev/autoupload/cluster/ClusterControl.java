package dev.autoupload.cluster;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Any node answering for every library of the cluster: each request goes to every library's
 * {@link LibraryOwner} through sharding, wherever it runs, all at once, each with its own timeout
 * ({@code autoupload.cluster.library-ask-timeout}). A library whose owner does not answer in time
 * is reported so, never left out.
 */
public final class ClusterControl {

  private final ClusterSharding sharding;
  private final ClusterPause pause;
  private final Supplier<List<String>> libraryIds;
  private final Duration timeout;

  /**
   * @param sharding the node's sharding, with {@link LibraryOwner#TYPE} initialized
   * @param pause the cluster's pause flag, as this node follows it
   * @param libraryIds every library of the cluster as it is now (libraries come and go)
   * @param timeout how long each library's owner has to answer
   */
  ClusterControl(ClusterSharding sharding, ClusterPause pause, Supplier<List<String>> libraryIds, Duration timeout) {
    this.sharding = sharding;
    this.pause = pause;
    this.libraryIds = libraryIds;
    this.timeout = timeout;
  }

  /** {@return every library of the cluster now: the config file's, then those the API added} */
  public List<String> libraryIds() {
    return List.copyOf(libraryIds.get());
  }

  /**
   * Starts a library the cluster did not run yet, on the node sharding picks; it runs from then on
   * wherever its shard goes. The library must be known to every node first (its definition
   * shared): the owner opens it by id wherever it starts.
   *
   * @param libraryId the library
   */
  public void start(String libraryId) {
    sharding.entityRefFor(LibraryOwner.TYPE, libraryId).tell(new LibraryOwner.Start(libraryId));
  }

  /**
   * Stops a library for good, wherever it runs: its owner takes it out of its node's engine and
   * sharding forgets it. Every node must already count it as removed, or it would start again
   * (its owner opens nothing for a removed id).
   *
   * @param libraryId the library
   * @return completes once its backup has stopped; fails with {@link TimeoutException} when no
   *     node confirmed that within the timeout
   */
  public CompletionStage<Void> retire(String libraryId) {
    return sharding
        .entityRefFor(LibraryOwner.TYPE, libraryId)
        .<LibraryOwner.Answer>ask(LibraryOwner.Retire::new, timeout)
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                throw new CompletionException(
                    new TimeoutException(
                        "no node confirmed within " + timeout.toMillis() + " ms that library " + libraryId + " stopped"));
              }
              return null;
            });
  }

  /**
   * Every library's status, from the node that runs it.
   *
   * @return a report per library, in {@link #libraryIds()}' order; one whose owner did not answer
   *     within the timeout has no status, an empty node and says so in {@link
   *     LibraryOwner.Report#unknown()}
   */
  public CompletionStage<List<LibraryOwner.Report>> status() {
    return status(libraryIds.get());
  }

  /**
   * As {@link #status()}, for the libraries the caller has listed already (the list may cost a
   * database read).
   *
   * @param ids the libraries to report, in the order to report them
   * @return a report per library, in that order
   */
  public CompletionStage<List<LibraryOwner.Report>> status(List<String> ids) {
    return askAll(
        ids,
        LibraryOwner.GetStatus::new,
        id ->
            new LibraryOwner.Report(
                id,
                "",
                Optional.empty(),
                Optional.of("unreachable: no node answered for it within " + timeout.toMillis() + " ms")));
  }

  /**
   * The user's pause or its end for the whole cluster: first the cluster's flag, which every node
   * follows (also one that joins later, or to which a library moves: {@link ClusterPause}), then
   * every library's owner, so that the answer comes once the engine of each library took it
   * ({@link LibraryOwner.SetPaused}).
   *
   * @param paused true to pause, false to resume
   * @return completes once every library's node took it; fails with {@link TimeoutException} when
   *     a majority of nodes did not take the flag in time or naming the libraries whose node did
   *     not answer in time (those follow the flag once they run again), or with {@link
   *     IllegalStateException} when a node's engine refused it
   */
  public CompletionStage<Void> setPaused(boolean paused) {
    return pause
        .set(paused)
        .thenCompose(flagSet -> askAll(libraryIds.get(), replyTo -> new LibraryOwner.SetPaused(paused, replyTo), ClusterControl::noAnswer))
        .thenCompose(
            answers -> {
              Optional<CompletableFuture<Void>> failed = failure(answers);
              return failed.isPresent() ? failed.get() : CompletableFuture.<Void>completedFuture(null);
            });
  }

  /**
   * Tries a failed upload again, on the node whose library has it ({@link LibraryOwner.Retry}).
   *
   * @param assetId the asset whose upload failed
   * @return completes when a library had it; fails with {@link NoSuchElementException} when every
   *     library answered and none had it, with {@link TimeoutException} when none had it and some
   *     did not answer in time
   */
  public CompletionStage<Void> retry(String assetId) {
    return askAll(libraryIds.get(), replyTo -> new LibraryOwner.Retry(assetId, replyTo), ClusterControl::noAnswer)
        .thenCompose(
            answers -> {
              if (answers.stream().anyMatch(LibraryOwner.Answer::done)) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              return failure(answers)
                  .orElseGet(() -> CompletableFuture.failedFuture(new NoSuchElementException("no failed upload " + assetId)));
            });
  }

  /**
   * The conditions one library follows and its verdict, from the node that runs it, which takes
   * {@code report} first when there is one ({@link LibraryOwner.Conditions}).
   *
   * @param libraryId the library, one of {@link #libraryIds()}
   * @param report its conditions now; empty to read them
   * @return fails with {@link NotOwnConditionsException} for a report to a library that follows
   *     the device's conditions, with {@link TimeoutException} when its node did not answer in
   *     time, with {@link IllegalStateException} saying why when its node could not take it
   *     (starting, moving)
   */
  public CompletionStage<LibraryConditions> conditions(String libraryId, Optional<DeviceConditions> report) {
    return sharding
        .entityRefFor(LibraryOwner.TYPE, libraryId)
        .<LibraryOwner.ConditionsAnswer>ask(replyTo -> new LibraryOwner.Conditions(report, replyTo), timeout)
        .handle(
            (answer, failure) -> {
              if (failure != null) {
                throw new CompletionException(
                    new TimeoutException("no node answered for library " + libraryId + " within " + timeout.toMillis() + " ms"));
              }
              if (answer.notOwn()) {
                throw new CompletionException(new NotOwnConditionsException(libraryId));
              }
              return answer
                  .conditions()
                  .orElseThrow(
                      () ->
                          new CompletionException(
                              new IllegalStateException(
                                  "library " + libraryId + ": " + answer.failure().orElse("no answer"))));
            });
  }

  /** A failed stage for the answers that failed: a timeout first, then a node's refusal. */
  private Optional<CompletableFuture<Void>> failure(List<LibraryOwner.Answer> answers) {
    List<String> silent = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (LibraryOwner.Answer answer : answers) {
      answer
          .failure()
          .ifPresent(
              failure -> {
                if (failure.equals(NO_ANSWER)) {
                  silent.add(answer.libraryId());
                } else {
                  refused.add(answer.libraryId() + " (" + failure + ")");
                }
              });
    }
    if (!silent.isEmpty()) {
      return Optional.of(
          CompletableFuture.failedFuture(
              new TimeoutException(
                  "no node answered within " + timeout.toMillis() + " ms for " + String.join(", ", silent))));
    }
    if (!refused.isEmpty()) {
      return Optional.of(
          CompletableFuture.failedFuture(new IllegalStateException("refused for " + String.join(", ", refused))));
    }
    return Optional.empty();
  }

  /** The failure of an {@link LibraryOwner.Answer} that never came. */
  private static final String NO_ANSWER = "no answer";

  private static LibraryOwner.Answer noAnswer(String id) {
    return new LibraryOwner.Answer(id, false, Optional.of(NO_ANSWER));
  }

  /** Asks the owners of {@code ids} at once; one that does not answer in time gets {@code silent}'s reply. */
  private <R> CompletionStage<List<R>> askAll(
      List<String> ids, Function<ActorRef<R>, LibraryOwner.Command> message, Function<String, R> silent) {
    List<CompletableFuture<R>> asks = new ArrayList<>();
    for (String id : ids) {
      asks.add(
          sharding
              .entityRefFor(LibraryOwner.TYPE, id)
              .<R>ask(message::apply, timeout)
              .toCompletableFuture()
              .exceptionally(failure -> silent.apply(id)));
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(all -> asks.stream().map(CompletableFuture::join).toList());
  }
}
