package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.internal.Piped;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * What a {@link BackupSupervisor} hears from its library's source: scans, run on the blocking-I/O
 * dispatcher and told back in batches, one at a time however often a rescan is asked for, and the
 * source's watch. Used from the supervisor's own thread only, but for a scan's own thread, which
 * waits for room to hand a batch over.
 *
 * <p>A scan waits while {@value #BATCHES_IN_FLIGHT} of its batches are still to be taken: a source
 * lists faster than the supervisor plans, and without that wait a library of a million assets sat in
 * the supervisor's mailbox as a million {@code Asset}s (a restart's heap grew by 150 MiB, and copying
 * them to the old generation cost 0.5-0.9 s more of collector pauses before the first byte).
 */
final class SourceFeed {

  /** Enough for the supervisor to plan one batch while the scan lists the next. */
  static final int BATCHES_IN_FLIGHT = 4;

  private final ActorContext<BackupSupervisor.Command> context;
  private final AssetSource source;
  private final Executor blockingIo;
  /** True from creation, so a status asked right after the library was added never reads idle. */
  private boolean scanning = true;
  /** A change reported while a scan ran: scan again when it ends. */
  private boolean rescanRequested;
  /** The source's watch while the library is watched and it started; empty otherwise. */
  private Optional<AutoCloseable> watch = Optional.empty();
  /** Batches a scan may hand over before the supervisor took them (released by {@link #taken}). */
  private final Semaphore batchesInFlight = new Semaphore(BATCHES_IN_FLIGHT);
  /** Set once the supervisor stopped: a scan still running ends at its next batch. */
  private volatile boolean stopped;

  SourceFeed(
      ActorContext<BackupSupervisor.Command> context, AssetSource source, Executor blockingIo) {
    this.context = context;
    this.source = source;
    this.blockingIo = blockingIo;
  }

  boolean scanning() {
    return scanning;
  }

  /** Scans now, or once the scan in progress ended. */
  void rescan() {
    if (scanning) {
      rescanRequested = true;
    } else {
      scan();
    }
  }

  /** Starts a scan: batches come as {@code AssetsFound}, then one {@code ScanEnded}. */
  void scan() {
    scanning = true;
    ActorRef<BackupSupervisor.Command> self = context.getSelf();
    CompletableFuture<Void> scan =
        CompletableFuture.runAsync(
            () -> {
              try {
                source.scan(batch -> handOver(self, batch));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            blockingIo);
    context.pipeToSelf(
        Piped.done(scan), (ok, error) -> new BackupSupervisor.ScanEnded(Optional.ofNullable(error).map(SourceFeed::message)));
  }

  /** On the scan's thread: waits for room, then tells the batch. */
  private void handOver(ActorRef<BackupSupervisor.Command> self, List<Asset> batch) {
    // Checked before the wait as well: a source that went on after the first refusal must not
    // wait for permits that nobody releases any more.
    endIfStopped();
    try {
      batchesInFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("the scan was interrupted");
    }
    endIfStopped();
    self.tell(new BackupSupervisor.AssetsFound(batch));
  }

  private void endIfStopped() {
    if (stopped) {
      throw new CancellationException("the library stopped");
    }
  }

  /** The supervisor took a batch the scan handed over: the scan may hand over another. */
  void taken() {
    batchesInFlight.release();
  }

  /** The scan ended: scans again when a change came meanwhile. */
  void scanEnded() {
    scanning = false;
    if (rescanRequested) {
      rescanRequested = false;
      scan();
    }
  }

  /** Starts watching the source: every change it reports asks for a rescan. */
  void watch() {
    ActorRef<BackupSupervisor.Command> self = context.getSelf();
    CompletableFuture<AutoCloseable> started =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return source.watch(() -> self.tell(new BackupSupervisor.SourceChanged()));
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            blockingIo);
    context.pipeToSelf(
        started,
        (handle, error) -> {
          if (error != null) {
            context.getLog().warn("Cannot watch {}: {}", source.describe(), message(error));
            return new BackupSupervisor.Watching(Optional.empty());
          }
          return new BackupSupervisor.Watching(Optional.of(handle));
        });
  }

  void watching(Optional<AutoCloseable> handle) {
    watch = handle;
  }

  /** The supervisor stopped: stops watching, and a scan still running ends instead of waiting. */
  void stop() {
    stopped = true;
    batchesInFlight.release(BATCHES_IN_FLIGHT);
    stopWatching();
  }

  private void stopWatching() {
    watch.ifPresent(
        handle -> {
          try {
            handle.close();
          } catch (Exception e) {
            context.getLog().debug("Closing the watch of {} failed: {}", source.describe(), e.toString());
          }
        });
    watch = Optional.empty();
  }

  private static String message(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
