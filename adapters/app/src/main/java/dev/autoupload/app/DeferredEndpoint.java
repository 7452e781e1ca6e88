package dev.autoupload.app;

import com.typesafe.config.Config;
import dev.autoupload.http.HttpControlServer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The control endpoint of a {@code run --once}, started only when the run is still going after
 * {@value #SETTING}: a run over a library already backed up ends within a second or two, before
 * anyone could ask its endpoint anything, and starting Pekko HTTP took about 0.3 s of its 2.2 s
 * (README "Benchmarks"). Its address is checked at the start ({@link HttpControlServer#checkFree}),
 * so a taken one still stops the run before any upload, and its metrics are made then ({@link
 * HttpControlServer.Metrics}); should another program take the address in the meantime, the run
 * warns and goes on without an endpoint.
 */
final class DeferredEndpoint implements AutoCloseable {

  /** How long a run with {@code --once} goes on before its endpoint starts; 0 starts it first. */
  static final String SETTING = "autoupload.http.once-start-after";

  private final Supplier<HttpControlServer> start;
  private final Consumer<String> announce;
  private final Consumer<String> warn;
  private final ScheduledExecutorService timer;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}, as is {@link #closed}. */
  private HttpControlServer server;
  private boolean closed;

  private DeferredEndpoint(
      Supplier<HttpControlServer> start, Consumer<String> announce, Consumer<String> warn) {
    this.start = start;
    this.announce = announce;
    this.warn = warn;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "autoupload-endpoint-start");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * {@value #SETTING}, checked.
   *
   * @throws IllegalArgumentException when it is negative
   */
  static Duration delay(Config config) {
    Duration delay = config.getDuration(SETTING);
    if (delay.isNegative()) {
      throw new IllegalArgumentException(SETTING + " must not be negative");
    }
    return delay;
  }

  /**
   * Starts the endpoint with {@code start} after {@code delay}, unless closed before.
   *
   * @param announce takes the line that says where it listens ({@link RunCommand#endpointLine})
   * @param warn takes the line that says why it did not start
   */
  static DeferredEndpoint after(
      Duration delay, Supplier<HttpControlServer> start, Consumer<String> announce, Consumer<String> warn) {
    DeferredEndpoint endpoint = new DeferredEndpoint(start, announce, warn);
    endpoint.timer.schedule(endpoint::startNow, delay.toNanos(), TimeUnit.NANOSECONDS);
    return endpoint;
  }

  /** The timer's task; does nothing once closed. */
  void startNow() {
    // Under the lock: a close that comes meanwhile waits for the start and then closes it.
    synchronized (lock) {
      if (closed) {
        return;
      }
      try {
        server = start.get();
      } catch (RuntimeException e) {
        warn.accept(
            "autoupload: warning: the control endpoint did not start: " + OneLine.of(String.valueOf(e.getMessage()))
                + "; the backup goes on without it");
        return;
      }
      announce.accept(RunCommand.endpointLine(server));
    }
  }

  /** Stops the endpoint if it started, and keeps it from starting if not yet. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (server != null) {
        server.close();
      }
    }
    timer.shutdownNow();
  }
}
