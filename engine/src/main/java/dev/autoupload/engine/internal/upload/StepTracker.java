package dev.autoupload.engine.internal.upload;

import java.time.Duration;

/**
 * Counts the blocking steps (reads, sends) running on behalf of an engine, so that closing the
 * engine can wait until none still touches a source or a target.
 */
public final class StepTracker {

  private int running;

  /** Counts one more step as running; each must be matched by {@link #exit()}. */
  public synchronized void enter() {
    running++;
  }

  /** Counts a step as done, and wakes {@link #awaitNone} when it was the last. */
  public synchronized void exit() {
    running--;
    if (running == 0) {
      notifyAll();
    }
  }

  /**
   * Waits until no step runs, or {@code timeout} passed.
   *
   * @param timeout the longest wait
   * @return whether no step runs
   * @throws InterruptedException when the thread is interrupted while it waits
   */
  public synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
