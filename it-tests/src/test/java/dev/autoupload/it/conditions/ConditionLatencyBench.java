package dev.autoupload.it.conditions;

import static dev.autoupload.engine.conditions.BlockerReason.LOW_POWER_MODE;
import static dev.autoupload.it.conditions.DeviceSimulator.phone;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.it.MediaFiles;
import dev.autoupload.it.conditions.DeviceSimulator.Step;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * How long bytes keep reaching the target after Low Power Mode comes on, while four uploads send
 * at full speed. Not a test: {@code bench/condition-latency.sh} runs it.
 *
 * <p>A {@link RecordingTarget} around a local folder notes when every append completes. Each of
 * the {@code changes} rounds waits until all four uploads are sending, turns Low Power Mode on at
 * t0, waits until the status shows every upload paused, lets the last straggler land, and takes
 * the last append completion after t0 as the latency; then it turns Low Power Mode off. When the
 * files are done before enough changes were measured, it starts over with an empty target and a
 * fresh data dir. The goal: p99 at most 200 ms.
 *
 * <p>Arguments: {@code [changes=100] [file-MiB=256] [bandwidth-limit=0]}.
 */
public final class ConditionLatencyBench {

  private static final Duration GOAL = Duration.ofMillis(200);
  private static final int UPLOADS = 4;
  /** An upload counts as sending when it appended this recently. */
  private static final Duration RECENT = Duration.ofMillis(50);
  /** No append for this long after the pause: the last straggler has landed. */
  private static final Duration SETTLED = Duration.ofMillis(300);
  private static final Duration POLL = Duration.ofMillis(1);
  /** In the foreground on a charger: no start gate, nothing in the way but Low Power Mode. */
  private static final Step PLUGGED_IN = phone().foreground().charging(true).wifi("home");

  /**
   * One Low Power Mode change.
   *
   * @param latencyNanos t0 until the last append completed (0 when none completed after t0)
   * @param statusNanos t0 until the status showed every upload paused
   * @param afterStatusNanos how long appends still completed after the status showed paused
   * @param appendsStarted appends that began after t0
   * @param appendsStartedAfterStatus appends that began after the status showed paused
   */
  private record Sample(
      long latencyNanos, long statusNanos, long afterStatusNanos, int appendsStarted, int appendsStartedAfterStatus) {}

  private final Path work;
  private final Path source;
  private final String bandwidthLimit;

  private ConditionLatencyBench(Path work, String bandwidthLimit) {
    this.work = work;
    this.source = work.resolve("videos");
    this.bandwidthLimit = bandwidthLimit;
  }

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    long fileMiB = args.length > 1 ? Long.parseLong(args[1]) : 256;
    String bandwidthLimit = args.length > 2 ? args[2] : "0";
    Path work = Files.createTempDirectory("autoupload-latency");
    try {
      new ConditionLatencyBench(work, bandwidthLimit).run(changes, fileMiB * MIB);
    } finally {
      deleteTree(work);
    }
    // Pekko and H2 are closed; this only spares waiting for idle pool threads to time out.
    System.exit(0);
  }

  private void run(int changes, long fileBytes) throws Exception {
    System.err.printf("writing %d x %d MiB in %s ...%n", UPLOADS, fileBytes / MIB, source);
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 1; i <= UPLOADS; i++) {
      MediaFiles.write(source.resolve("VID_000" + i + ".MOV"), fileBytes, random);
    }

    List<Sample> samples = new ArrayList<>();
    int rounds = 0;
    Round round = new Round(++rounds);
    try {
      long resumedAt = System.nanoTime();
      while (samples.size() < changes) {
        if (!awaitAllSending(round, resumedAt)) {
          round.close();
          round = new Round(++rounds);
          resumedAt = System.nanoTime();
          continue;
        }
        samples.add(measure(round));
        round.device.apply(PLUGGED_IN);
        resumedAt = System.nanoTime();
      }
      print(samples, fileBytes, rounds);
    } finally {
      round.close();
    }
  }

  /**
   * Waits until each of the four uploads has appended since {@code resumedAt} and within {@link
   * #RECENT}; false when one of them finished first, so the round cannot give four senders.
   */
  private static boolean awaitAllSending(Round round, long resumedAt) {
    await("all four uploads sending")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(POLL)
        .until(() -> round.finished.get() > 0 || allSending(round.target, resumedAt));
    return round.finished.get() == 0;
  }

  private static boolean allSending(RecordingTarget target, long since) {
    long now = System.nanoTime();
    Map<String, Long> ends = target.lastAppendEndByPath();
    return ends.size() == UPLOADS
        && ends.values().stream().allMatch(end -> end > since && now - end < RECENT.toNanos());
  }

  private static Sample measure(Round round) {
    long t0 = System.nanoTime();
    round.target.fence(t0);
    round.device.apply(PLUGGED_IN.lowPowerMode(true));
    await("every upload paused for Low Power Mode")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(POLL)
        .until(round.device::status, ConditionLatencyBench::allPausedForLowPower);
    long statusAt = System.nanoTime();
    await("the last append before the pause landed")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(POLL)
        .until(() -> System.nanoTime() - round.target.lastAppendEnd() > SETTLED.toNanos());
    long lastAppend = round.target.lastAppendEnd();
    return new Sample(
        Math.max(0, lastAppend - t0),
        statusAt - t0,
        Math.max(0, lastAppend - statusAt),
        round.target.appendsStartedAfter(t0),
        round.target.appendsStartedAfter(statusAt));
  }

  private static boolean allPausedForLowPower(EngineStatus status) {
    List<LibraryStatus.InFlight> inFlight = DeviceSimulator.inFlight(status);
    return !inFlight.isEmpty() && inFlight.stream().allMatch(upload -> upload.pausedFor().contains(LOW_POWER_MODE));
  }

  private void print(List<Sample> samples, long fileBytes, int rounds) {
    System.out.printf(
        "Low Power Mode on -> last byte on the target: %d changes, %d uploads of %d MiB at once, "
            + "bandwidth limit %s, %d round(s)%n",
        samples.size(), UPLOADS, fileBytes / MIB, bandwidthLimit.equals("0") ? "none" : bandwidthLimit, rounds);
    printLine("latency (t0 -> last append completed)", samples, Sample::latencyNanos);
    printLine("status shows all paused after", samples, Sample::statusNanos);
    printLine("appends completing after that status", samples, Sample::afterStatusNanos);
    printCount("appends started after t0", samples, Sample::appendsStarted);
    printCount("appends started after the status showed paused", samples, Sample::appendsStartedAfterStatus);
    long p99 = percentile(samples, Sample::latencyNanos, 99);
    System.out.printf(
        "goal p99 <= %d ms: %s (p99 %.1f ms)%n",
        GOAL.toMillis(), p99 <= GOAL.toNanos() ? "MET" : "MISSED", p99 / 1e6);
  }

  private static void printLine(String what, List<Sample> samples, ToLongFunction<Sample> value) {
    System.out.printf(
        "  %-40s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n",
        what,
        percentile(samples, value, 50) / 1e6,
        percentile(samples, value, 90) / 1e6,
        percentile(samples, value, 99) / 1e6,
        samples.stream().mapToLong(value).max().orElse(0) / 1e6);
  }

  private static void printCount(String what, List<Sample> samples, ToIntFunction<Sample> count) {
    System.out.printf(
        "  %-40s %d, in %d of %d changes%n",
        what,
        samples.stream().mapToInt(count).sum(),
        samples.stream().filter(sample -> count.applyAsInt(sample) > 0).count(),
        samples.size());
  }

  /** Nearest-rank percentile. */
  private static long percentile(List<Sample> samples, ToLongFunction<Sample> value, int percent) {
    long[] sorted = samples.stream().mapToLong(value).sorted().toArray();
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** An engine backing the videos up into an empty target with a fresh data dir. */
  private final class Round implements AutoCloseable {
    final Path dir;
    final UploadEngine engine;
    final RecordingTarget target;
    final DeviceSimulator device;
    final AtomicInteger finished = new AtomicInteger();

    Round(int number) throws Exception {
      dir = work.resolve("round-" + number);
      engine = EngineInternals.start(config(dir.resolve("data")));
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded || event instanceof EngineEvent.AssetFailed) {
              finished.incrementAndGet();
            }
          });
      Path backup = dir.resolve("backup");
      target = new RecordingTarget(new LocalFolderTarget(backup));
      device = new DeviceSimulator(engine, backup);
      device.apply(PLUGGED_IN);
      engine.addLibrary(new Library("bench", new FolderSource("bench", source), target))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }

    private Config config(Path dataDir) {
      return ConfigFactory.parseMap(
              Map.of(
                  "autoupload.data-dir", dataDir.toString(),
                  "autoupload.upload.parallelism", UPLOADS,
                  "autoupload.policy.bandwidth-limit", bandwidthLimit,
                  // Resuming at once keeps the rounds short; pausing never waits for it anyway.
                  "autoupload.conditions.debounce", "0s"))
          .withFallback(ConfigFactory.load());
    }

    @Override
    public void close() {
      device.close();
      engine.close();
      Map<String, Long> atClose = files(dir.resolve("backup"));
      try {
        deleteTree(dir);
      } catch (UncheckedIOException e) {
        // Nothing may write to the target once close() has returned; say so when something did.
        System.err.printf(
            "WARNING: the target changed after the engine had closed (%s); at close: %s; now: %s%n",
            e.getCause(), atClose, files(dir.resolve("backup")));
        deleteTree(dir);
      }
    }
  }

  /** Every regular file below {@code root} with its size. */
  private static Map<String, Long> files(Path root) {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.exists(root)) {
      return files;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path).toString(), Files.size(path));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
