package dev.autoupload.it.conditions;

import static org.awaitility.Awaitility.await;

import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.library.LibraryStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Plays a device's life against a running engine — the app goes to the background, Wi-Fi comes
 * and goes, Low Power Mode turns on — and watches what the engine makes of it: its verdict and
 * reasons through {@link UploadEngine#status()}, and the bytes that reach a local target folder.
 *
 * <p>Steps are immutable values built from {@link #phone()}; {@link #apply} reports one and
 * returns at once, and the {@code await…} methods wait (with Awaitility, never by sleeping) for
 * the engine to react.
 */
final class DeviceSimulator implements AutoCloseable {

  private static final String PART_SUFFIX = ".autoupload-part";
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration REACTION = Duration.ofSeconds(10);

  private final UploadEngine engine;
  private final Path target;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "device-simulator");
            thread.setDaemon(true);
            return thread;
          });

  /** Drives {@code engine}, whose library uploads into the local folder {@code target}. */
  DeviceSimulator(UploadEngine engine, Path target) {
    this.engine = engine;
    this.target = target;
  }

  /** A phone in the foreground, battery full, not charging, offline, every permission granted. */
  static Step phone() {
    return new Step(
        100, false, false, Network.NONE, false, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND);
  }

  /** What the device reports at one moment; every method returns a changed copy. */
  record Step(
      int battery,
      boolean charging,
      boolean lowPowerMode,
      Network network,
      boolean metered,
      Optional<String> ssid,
      boolean backgroundRefresh,
      PhotoAccess photoAccess,
      OsState osState) {

    Step battery(int percent) {
      return new Step(percent, charging, lowPowerMode, network, metered, ssid, backgroundRefresh, photoAccess, osState);
    }

    Step charging(boolean on) {
      return new Step(battery, on, lowPowerMode, network, metered, ssid, backgroundRefresh, photoAccess, osState);
    }

    Step lowPowerMode(boolean on) {
      return new Step(battery, charging, on, network, metered, ssid, backgroundRefresh, photoAccess, osState);
    }

    Step wifi(String name) {
      return network(Network.WIFI, false, Optional.of(name));
    }

    Step cellular() {
      return network(Network.CELLULAR, true, Optional.empty());
    }

    Step offline() {
      return network(Network.NONE, false, Optional.empty());
    }

    Step foreground() {
      return os(OsState.FOREGROUND);
    }

    Step background() {
      return os(OsState.BACKGROUND);
    }

    Step suspended() {
      return os(OsState.SUSPENDED);
    }

    DeviceConditions conditions() {
      return new DeviceConditions(
          battery, charging, lowPowerMode, network, metered, ssid, backgroundRefresh, photoAccess, osState);
    }

    private Step network(Network type, boolean billed, Optional<String> name) {
      return new Step(battery, charging, lowPowerMode, type, billed, name, backgroundRefresh, photoAccess, osState);
    }

    private Step os(OsState state) {
      return new Step(battery, charging, lowPowerMode, network, metered, ssid, backgroundRefresh, photoAccess, state);
    }
  }

  // ---- driving ----

  /** Reports {@code step} to the engine and returns at once; the engine reacts asynchronously. */
  Step apply(Step step) {
    engine.reportConditions(step.conditions());
    return step;
  }

  /**
   * Reports {@code first}, {@code second}, {@code first}, … {@code reports} times, one every {@code
   * every}, from a timer thread. The stage completes after the last report.
   */
  CompletableFuture<Void> alternate(Step first, Step second, int reports, Duration every) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    for (int n = 0; n < reports; n++) {
      Step step = n % 2 == 0 ? first : second;
      boolean last = n == reports - 1;
      // One timer thread runs the reports in the order they were scheduled.
      scheduler.schedule(
          () -> {
            apply(step);
            if (last) {
              done.complete(null);
            }
          },
          every.toNanos() * n,
          TimeUnit.NANOSECONDS);
    }
    return done;
  }

  // ---- watching the engine ----

  EngineStatus status() {
    try {
      return engine.status().toCompletableFuture().get(STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking for the engine's status", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the engine did not report its status", e);
    }
  }

  /** Waits until the engine's status satisfies {@code condition}, and returns that status. */
  EngineStatus awaitStatus(String what, Predicate<EngineStatus> condition) {
    return await(what).atMost(REACTION).pollInterval(POLL).until(this::status, condition);
  }

  /** Waits until uploads are blocked for (at least) every one of {@code reasons}. */
  EngineStatus awaitBlockedBy(BlockerReason... reasons) {
    Set<BlockerReason> expected = Set.of(reasons);
    return awaitStatus(
        "uploads blocked by " + expected,
        status ->
            !status.verdict().allowed()
                && status.reasons().containsAll(expected)
                && status.libraries().stream().allMatch(library -> library.reasons().containsAll(expected)));
  }

  /** Waits until uploads are blocked for exactly {@code reasons}. */
  EngineStatus awaitBlockedByExactly(BlockerReason... reasons) {
    Set<BlockerReason> expected = Set.of(reasons);
    return awaitStatus(
        "uploads blocked by exactly " + expected,
        status -> !status.verdict().allowed() && status.reasons().equals(expected));
  }

  /** Waits until uploads may run with nothing holding them back. */
  EngineStatus awaitAllowed() {
    return awaitStatus("uploads allowed", status -> status.verdict().allowed() && status.reasons().isEmpty());
  }

  /** Waits until some uploads are in flight and every one of them is paused for {@code reason}. */
  EngineStatus awaitAllInFlightPausedFor(BlockerReason reason) {
    return awaitStatus(
        "every upload in flight paused for " + reason,
        status -> {
          List<LibraryStatus.InFlight> inFlight = inFlight(status);
          return !inFlight.isEmpty() && inFlight.stream().allMatch(upload -> upload.pausedFor().contains(reason));
        });
  }

  static List<LibraryStatus.InFlight> inFlight(EngineStatus status) {
    return status.libraries().stream().flatMap(library -> library.inFlight().stream()).toList();
  }

  // ---- watching the target ----

  /** Every byte in the target folder: published files and the parts of uploads in progress. */
  long bytesOnTarget() {
    long[] total = new long[1];
    visitFiles((file, size) -> total[0] += size);
    return total[0];
  }

  /** The length of every part file, keyed by the remote path of the file it becomes. */
  Map<String, Long> partLengths() {
    Map<String, Long> parts = new TreeMap<>();
    visitFiles(
        (file, size) -> {
          String name = file.getFileName().toString();
          if (name.startsWith(".") && name.endsWith(PART_SUFFIX)) {
            Path finalName = file.resolveSibling(name.substring(1, name.length() - PART_SUFFIX.length()));
            parts.put(target.relativize(finalName).toString().replace('\\', '/'), size);
          }
        });
    return parts;
  }

  /**
   * Asserts that not one byte reaches the target during {@code quiet}: the bytes there now must
   * stay exactly as many for the whole time.
   */
  void assertNoByteMovesFor(Duration quiet) {
    long start = System.nanoTime();
    long snapshot = bytesOnTarget();
    List<String> moves = new ArrayList<>();
    try {
      await("no byte reaches the target for " + quiet.toMillis() + " ms")
          .during(quiet)
          .atMost(quiet.plusSeconds(2))
          .pollInterval(POLL)
          .until(
              () -> {
                long bytes = bytesOnTarget();
                if (bytes != snapshot && (moves.isEmpty() || !moves.get(moves.size() - 1).endsWith(" " + bytes))) {
                  moves.add("+" + (System.nanoTime() - start) / 1_000_000 + " ms: " + bytes);
                }
                return bytes == snapshot;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "bytes reached the target while uploads had to stand still; " + snapshot
              + " bytes at the start, then " + moves + "; part files now " + partLengths(),
          e);
    }
  }

  private interface FileVisitor {
    void visit(Path file, long size);
  }

  /** Visits the target's regular files; ones that vanish while we look are passed over. */
  private void visitFiles(FileVisitor visitor) {
    if (!Files.isDirectory(target)) {
      return;
    }
    try {
      Files.walkFileTree(
          target,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              if (attributes.isRegularFile()) {
                visitor.visit(file, attributes.size());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
