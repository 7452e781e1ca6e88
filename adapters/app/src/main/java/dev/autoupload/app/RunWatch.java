package dev.autoupload.app;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.Subscription;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.targets.http.HttpClients;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Watches a running engine: polls its status for the progress printer, and tells when the run is
 * over, either because {@link RunEnd} says so (with {@code --once}: everything is done or cannot go
 * on in this run) or because SIGINT/SIGTERM asked the JVM to exit. In the latter case the shutdown
 * hook holds the JVM until {@link #close} so the engine can stop cleanly and the summary gets
 * printed.
 */
final class RunWatch implements AutoCloseable {

  private static final Duration POLL_EVERY = Duration.ofMillis(200);
  /**
   * How often a run asks while nothing is queued, sending or waiting to retry: its end is near (a
   * scan of files already backed up is all a run on an unchanged library does), and waiting out
   * the 200 ms added a tenth of a second to such a run on average.
   */
  private static final Duration POLL_NEAR_THE_END = Duration.ofMillis(40);
  /**
   * How often a watching run that has nothing to do asks for its status: a daemon that sits idle
   * must cost next to nothing. Any engine event (a file found and uploading, new conditions) wakes
   * it at once.
   */
  private static final Duration IDLE_POLL_EVERY = Duration.ofSeconds(30);
  /** Status asks that may fail in a row before the run gives up on the engine. */
  private static final int STATUS_FAILURES_TOLERATED = 3;

  private final UploadEngine engine;
  private final ProgressPrinter printer;
  private final Duration askTimeout;
  private final boolean once;
  private final IdleHeapRelease idleHeapRelease;
  private final CompletableFuture<EngineStatus> over = new CompletableFuture<>();
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread shutdownHook;
  private final ScheduledExecutorService poller;
  private volatile EngineStatus latest;
  private int failuresInARow;
  /** The next poll; replaced by an earlier one when an event wakes an idle watch. */
  private ScheduledFuture<?> next;
  private Subscription wakeUps;

  private RunWatch(
      UploadEngine engine,
      ProgressPrinter printer,
      Duration askTimeout,
      boolean once,
      IdleHeapRelease idleHeapRelease) {
    this.engine = engine;
    this.printer = printer;
    this.askTimeout = askTimeout;
    this.once = once;
    this.idleHeapRelease = idleHeapRelease;
    this.shutdownHook =
        new Thread(
            () -> {
              end.complete(null);
              awaitQuietly(closed, askTimeout.plusSeconds(15));
              // A signal's exit does not go through Main's, which does the same.
              HttpClients.stopSelectorThreads();
            },
            "autoupload-shutdown");
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "autoupload-progress");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Watches the engine until the run ends ({@link #awaitEnd}), then runs {@code close} (the endpoint,
   * the engine), prints the summary on {@code out}, and on {@code err} what was not backed up.
   *
   * @return {@link Main#OK} when everything was backed up, else {@link Main#INCOMPLETE}
   */
  static int untilTheEnd(
      UploadEngine engine,
      ProgressPrinter printer,
      Duration askTimeout,
      boolean once,
      IdleHeapRelease idleHeapRelease,
      Runnable close,
      long startedNanos,
      PrintWriter out,
      PrintWriter err) {
    try (RunWatch watch = start(engine, printer, askTimeout, once, idleHeapRelease)) {
      EngineStatus last;
      try {
        last = watch.awaitEnd();
      } finally {
        close.run();
      }
      printer.finish(last);
      out.println(Summary.of(last, Duration.ofNanos(System.nanoTime() - startedNanos)).line());
      out.flush();
      Optional<String> problem = Summary.problem(last);
      if (problem.isEmpty()) {
        return Main.OK;
      }
      return Main.report(err, false, Main.INCOMPLETE, problem.get(), null);
    }
  }

  static RunWatch start(
      UploadEngine engine,
      ProgressPrinter printer,
      Duration askTimeout,
      boolean once,
      IdleHeapRelease idleHeapRelease) {
    RunWatch watch = new RunWatch(engine, printer, askTimeout, once, idleHeapRelease);
    Runtime.getRuntime().addShutdownHook(watch.shutdownHook);
    watch.over.whenComplete((status, error) -> watch.end.complete(null));
    watch.wakeUps = engine.addListener(event -> watch.wake());
    watch.pollIn(Duration.ZERO);
    return watch;
  }

  /**
   * Blocks until the run is over and returns the status to summarise. Polling has stopped when this
   * returns, so the printer is free for the caller.
   *
   * @throws RunFailure when the engine stopped answering status asks
   */
  EngineStatus awaitEnd() {
    end.join();
    stopPolling();
    try {
      poller.awaitTermination(askTimeout.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (over.isCompletedExceptionally()) {
      try {
        over.join();
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new RunFailure(
            Main.INCOMPLETE, "the engine stopped answering: " + cause.getMessage(), cause);
      }
    }
    if (over.isDone()) {
      return over.join();
    }
    // Stopped by a signal: uploads are still running, so ask once more for the freshest numbers.
    try {
      return await(engine.status(), askTimeout, "cannot read the final status");
    } catch (RunFailure e) {
      return Optional.ofNullable(latest).orElseThrow(() -> e);
    }
  }

  private void poll() {
    Duration again = POLL_EVERY;
    try {
      EngineStatus status = await(engine.status(), askTimeout, "cannot read the status");
      failuresInARow = 0;
      latest = status;
      printer.update(status, System.nanoTime());
      if (RunEnd.reached(status, once)) {
        over.complete(status);
        return;
      }
      // A run with --once ends when idle: it has no idle spell to give memory back in.
      if (!once) {
        idleHeapRelease.observe(status.idle(), System.nanoTime());
      }
      if (status.idle()) {
        again = IDLE_POLL_EVERY;
      } else if (once && nothingToSend(status)) {
        again = POLL_NEAR_THE_END;
      }
    } catch (RunFailure e) {
      if (++failuresInARow >= STATUS_FAILURES_TOLERATED) {
        over.completeExceptionally(e);
        return;
      }
    } catch (RuntimeException e) {
      // A bug here must end the run visibly, not silently stop the polling.
      over.completeExceptionally(e);
      return;
    }
    pollIn(again);
  }

  private static boolean nothingToSend(EngineStatus status) {
    return status.libraries().stream()
        .allMatch(library -> library.queued() == 0 && library.running() == 0 && library.retrying() == 0);
  }

  private synchronized void pollIn(Duration delay) {
    if (!poller.isShutdown()) {
      next = poller.schedule(this::poll, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Something happened in the engine: an idle watch looks at once instead of in a few seconds. */
  private synchronized void wake() {
    if (next != null && next.getDelay(TimeUnit.MILLISECONDS) > POLL_EVERY.toMillis() && next.cancel(false)) {
      pollIn(Duration.ZERO);
    }
  }

  private void stopPolling() {
    if (wakeUps != null) {
      wakeUps.close();
    }
    poller.shutdownNow();
  }

  /** Lets a pending shutdown hook go on, and removes it when the JVM is not exiting. */
  @Override
  public void close() {
    stopPolling();
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmExiting) {
      // The hook is running and has just been released by the latch.
    }
  }

  /**
   * Waits for an engine call. The engine's own asks time out after {@code askTimeout}; the extra
   * margin only guards against a reply that never comes.
   */
  static <T> T await(CompletionStage<T> stage, Duration askTimeout, String what) {
    Duration limit = askTimeout.plusSeconds(5);
    try {
      return stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new RunFailure(Main.CANNOT_START, what + ": " + rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new RunFailure(Main.CANNOT_START, what + ": no answer within " + limit.toSeconds() + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure(Main.INCOMPLETE, what + ": interrupted", e);
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return OneLine.of(root.getMessage() != null ? root.getMessage() : root.toString());
  }

  private static void awaitQuietly(CountDownLatch latch, Duration timeout) {
    try {
      latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
