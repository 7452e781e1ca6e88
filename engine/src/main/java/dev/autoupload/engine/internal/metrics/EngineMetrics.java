package dev.autoupload.engine.internal.metrics;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.library.LibraryStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The engine's meters, named {@code autoupload.*} ({@code autoupload_…} in Prometheus): files and
 * bytes by outcome, retries, queue depth, uploads in flight, upload duration, time blocked by
 * reason, stalled libraries and journal commit time. Counters follow the engine's events; gauges
 * follow the latest status the engine was asked for (the control endpoint asks before each scrape).
 * Thread-safe: events arrive on engine threads, scrapes on others.
 */
public final class EngineMetrics {

  private final MeterRegistry registry;
  private final LongSupplier nanoTime;
  private final Timer journalCommit;
  private final Map<String, LibraryGauges> libraries = new ConcurrentHashMap<>();
  /** When each upload in flight started, by library and asset, in nanos. */
  private final Map<String, Long> started = new ConcurrentHashMap<>();
  /** Time blocked so far per reason, in nanos, not counting the current stretch. */
  private final Map<BlockerReason, Long> blockedNanos = new EnumMap<>(BlockerReason.class);
  private Set<BlockerReason> deviceReasons = Set.of();
  private Set<BlockerReason> libraryReasons = Set.of();
  private Set<BlockerReason> blockedNow = Set.of();
  private long blockedSince;

  /**
   * Metrics registered in {@code registry} at once, timed on the system's clock.
   *
   * @param registry the engine's registry, which host apps and the HTTP endpoint read
   */
  public EngineMetrics(MeterRegistry registry) {
    this(registry, System::nanoTime);
  }

  EngineMetrics(MeterRegistry registry, LongSupplier nanoTime) {
    this.registry = registry;
    this.nanoTime = nanoTime;
    this.blockedSince = nanoTime.getAsLong();
    this.journalCommit =
        Timer.builder("autoupload.journal.commit")
            .description("time from asking the journal to record a backup to its commit")
            .publishPercentileHistogram()
            .register(registry);
    for (BlockerReason reason : BlockerReason.values()) {
      FunctionCounter.builder("autoupload.blocked", this, metrics -> metrics.blockedSeconds(reason))
          .description("seconds uploads were held back, by reason")
          .baseUnit("seconds")
          .tag("reason", reason.name())
          .register(registry);
    }
  }

  /**
   * Shows the size of the embedded journal's file, which a long run must keep bounded (see
   * {@code EmbeddedJournalCompaction}); 0 while it cannot be read.
   *
   * @param file the journal's {@code .mv.db} file
   */
  public void journalFile(Path file) {
    Gauge.builder("autoupload.journal.file", file, EngineMetrics::sizeOrZero)
        .description("size of the embedded H2 journal's file")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
  }

  private static double sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Follows an engine event; called on an engine thread.
   *
   * @param event any event; those that count nothing are ignored
   */
  public void onEvent(EngineEvent event) {
    if (event instanceof EngineEvent.AssetStarted start) {
      started.put(key(start.libraryId(), start.assetId()), nanoTime.getAsLong());
    } else if (event instanceof EngineEvent.AssetUploaded uploaded) {
      String outcome = uploaded.alreadyOnTarget() ? "already" : "uploaded";
      files(uploaded.libraryId(), outcome).increment();
      if (!uploaded.alreadyOnTarget()) {
        bytes(uploaded.libraryId()).increment(uploaded.bytes());
      }
      Long since = started.remove(key(uploaded.libraryId(), uploaded.assetId()));
      if (since != null) {
        Timer.builder("autoupload.upload.duration")
            .description("time from an upload's start to its file being backed up")
            .tag("library", uploaded.libraryId())
            .publishPercentileHistogram()
            .register(registry)
            .record(nanoTime.getAsLong() - since, TimeUnit.NANOSECONDS);
      }
    } else if (event instanceof EngineEvent.AssetFailed failed) {
      started.remove(key(failed.libraryId(), failed.assetId()));
      if (failed.willRetry()) {
        Counter.builder("autoupload.retries")
            .description("failed attempts that are tried again")
            .tag("library", failed.libraryId())
            .register(registry)
            .increment();
      } else {
        files(failed.libraryId(), "failed").increment();
      }
    } else if (event instanceof EngineEvent.AssetSkipped skipped) {
      started.remove(key(skipped.libraryId(), skipped.assetId()));
      files(skipped.libraryId(), "skipped").increment();
    } else if (event instanceof EngineEvent.VerdictChanged changed && changed.libraryId().isEmpty()) {
      // A library's own verdict reaches the meters with its status, among its reasons.
      synchronized (this) {
        deviceReasons = changed.verdict().reasons();
        blockedChanged();
      }
    }
  }

  /**
   * Follows a status of the whole engine: the gauges, and the libraries' own reasons.
   *
   * @param status the engine's status, each time someone asks for it
   */
  public void observe(EngineStatus status) {
    Set<BlockerReason> reasons = EnumSet.noneOf(BlockerReason.class);
    for (LibraryStatus library : status.libraries()) {
      LibraryGauges gauges = libraries.computeIfAbsent(library.libraryId(), this::gauges);
      gauges.queued = library.queued() + library.retrying();
      gauges.inFlight = library.running();
      gauges.stalled = status.stall(library.libraryId()).isPresent() ? 1 : 0;
      reasons.addAll(library.reasons());
    }
    synchronized (this) {
      libraryReasons = Set.copyOf(reasons);
      blockedChanged();
    }
  }

  /**
   * A batch of backups reached the journal {@code took} after it was asked to record them.
   *
   * @param took from the request to the commit
   */
  public void journalCommitted(Duration took) {
    journalCommit.record(took);
  }

  private Counter files(String library, String outcome) {
    return Counter.builder("autoupload.files")
        .description("files by outcome: uploaded, already (on the target), failed, skipped")
        .tag("library", library)
        .tag("outcome", outcome)
        .register(registry);
  }

  private Counter bytes(String library) {
    return Counter.builder("autoupload.uploaded")
        .description("bytes of the files uploaded")
        .baseUnit("bytes")
        .tag("library", library)
        .register(registry);
  }

  private LibraryGauges gauges(String library) {
    LibraryGauges gauges = new LibraryGauges();
    Gauge.builder("autoupload.queue.depth", gauges, g -> g.queued)
        .description("files waiting to be uploaded (queued or waiting to retry)")
        .tag("library", library)
        .register(registry);
    Gauge.builder("autoupload.uploads.in.flight", gauges, g -> g.inFlight)
        .description("uploads running, paused ones included")
        .tag("library", library)
        .register(registry);
    Gauge.builder("autoupload.stalled", gauges, g -> g.stalled)
        .description("1 while the library is stalled (see autoupload.watchdog)")
        .tag("library", library)
        .register(registry);
    return gauges;
  }

  /** Closes the stretch of time the previous reasons held, as the reasons change. */
  private void blockedChanged() {
    Set<BlockerReason> now = EnumSet.noneOf(BlockerReason.class);
    now.addAll(deviceReasons);
    now.addAll(libraryReasons);
    if (!now.equals(blockedNow)) {
      long at = nanoTime.getAsLong();
      for (BlockerReason reason : blockedNow) {
        blockedNanos.merge(reason, at - blockedSince, Long::sum);
      }
      blockedNow = Set.copyOf(now);
      blockedSince = at;
    }
  }

  private synchronized double blockedSeconds(BlockerReason reason) {
    long nanos = blockedNanos.getOrDefault(reason, 0L);
    if (blockedNow.contains(reason)) {
      nanos += nanoTime.getAsLong() - blockedSince;
    }
    return nanos / 1e9;
  }

  private static String key(String library, String asset) {
    return library + '\u0000' + asset;
  }

  private static final class LibraryGauges {
    volatile double queued;
    volatile double inFlight;
    volatile double stalled;
  }
}
