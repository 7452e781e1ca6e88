package dev.autoupload.conditions;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread a condition source reports from: daemon, so a source never keeps the JVM
 * alive, and stopped with a short wait so {@code close()} returns promptly. Public for the source
 * packages; not for host apps.
 */
public final class SourceThread {

  private SourceThread() {}

  /**
   * Starts the thread.
   *
   * @param name the thread's name, as thread dumps show it
   * @return a scheduler on that one daemon thread
   */
  public static ScheduledExecutorService start(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        task -> {
          Thread thread = new Thread(task, name);
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Cancels what is still scheduled and waits at most a second for the thread to end.
   *
   * @param scheduler what {@link #start} returned; null (never started) does nothing
   */
  public static void stop(ScheduledExecutorService scheduler) {
    if (scheduler == null) {
      return;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
