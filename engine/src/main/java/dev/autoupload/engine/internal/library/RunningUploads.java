package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.upload.UploadError;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A {@link BackupSupervisor}'s running uploads, its children: spawns them, follows how far each
 * got, pauses those beyond what the conditions allow and resumes the others from their offsets.
 * Used from the supervisor's own thread only.
 */
final class RunningUploads {

  private static final long PROGRESS_INTERVAL_NANOS = Duration.ofMillis(250).toNanos();

  /** An upload in flight: its actor, how far it got, why it is paused (empty while it sends). */
  private static final class Running {
    final Asset asset;
    final ActorRef<FileUpload.Command> actor;
    long offset;
    long progressPublishedNanos;
    Set<BlockerReason> pausedFor = Set.of();
    /** The upload confirmed its pause: no step of it runs, no byte of it moves. */
    boolean halted;
    /** Its outcome once it reported one; it has stopped when the supervisor hears so. */
    Optional<FileUpload.Outcome> outcome = Optional.empty();

    Running(Asset asset, ActorRef<FileUpload.Command> actor) {
      this.asset = asset;
      this.actor = actor;
    }
  }

  private final ActorContext<BackupSupervisor.Command> context;
  private final String libraryId;
  private final Consumer<EngineEvent> publish;
  private final Map<String, Running> running = new LinkedHashMap<>();
  private long childSequence;
  private long bytesSent;

  RunningUploads(ActorContext<BackupSupervisor.Command> context, String libraryId, Consumer<EngineEvent> publish) {
    this.context = context;
    this.libraryId = libraryId;
    this.publish = publish;
  }

  /**
   * Spawns the upload {@code job} describes and watches it: the supervisor hears when it stopped,
   * and why when it failed ({@link #assetOf}).
   */
  void start(FileUpload.Job job) {
    Asset asset = job.asset();
    ActorRef<FileUpload.Command> actor =
        context.spawn(FileUpload.create(job), "upload-" + actorName(asset.id()) + "-" + (++childSequence));
    context.watch(actor);
    running.put(asset.id(), new Running(asset, actor));
    actor.tell(new FileUpload.Begin(context.getSystem().ignoreRef()));
    publish.accept(new EngineEvent.AssetStarted(libraryId, asset.id(), asset.relativePath(), asset.size()));
  }

  /**
   * An asset id as an actor's name may hold it: a host's ids may have any character (a phone's photo
   * library uses '/'), which Pekko refuses in a name; percent-encoded they are valid and distinct.
   */
  private static String actorName(String assetId) {
    return URLEncoder.encode(assetId, StandardCharsets.UTF_8);
  }

  /** Follows what an upload reports; one that finished is stopped, its outcome kept. */
  void report(FileUpload.Report report) {
    Running upload = running.get(report.assetId());
    if (upload == null) {
      return;
    }
    Asset asset = upload.asset;
    if (report instanceof FileUpload.Progressed progressed) {
      upload.offset = progressed.offset();
      bytesSent += progressed.bytesSent();
      long now = System.nanoTime();
      if (now - upload.progressPublishedNanos >= PROGRESS_INTERVAL_NANOS || progressed.offset() == asset.size()) {
        upload.progressPublishedNanos = now;
        publish.accept(
            new EngineEvent.AssetProgress(libraryId, asset.id(), asset.relativePath(), progressed.offset(), asset.size()));
      }
    } else if (report instanceof FileUpload.Resumed resumed) {
      upload.offset = resumed.offset();
      publish.accept(
          new EngineEvent.AssetResumed(libraryId, asset.id(), asset.relativePath(), resumed.offset(), asset.size()));
    } else if (report instanceof FileUpload.Halted) {
      upload.halted = !upload.pausedFor.isEmpty();
    } else if (report instanceof FileUpload.Finished finished) {
      upload.outcome = Optional.of(finished.outcome());
      context.stop(upload.actor);
    }
  }

  /** The asset whose upload {@code actor} runs, if it is one of these. */
  Optional<String> assetOf(ActorRef<Void> actor) {
    return running.values().stream()
        .filter(upload -> upload.actor.equals(actor))
        .map(upload -> upload.asset.id())
        .findFirst();
  }

  /**
   * Forgets an upload whose actor stopped: its outcome, or a failure when it stopped without one
   * ({@code failure} says why when its actor failed); empty when it is not one of these.
   */
  Optional<FileUpload.Outcome> stopped(String assetId, Optional<Throwable> failure) {
    Running upload = running.remove(assetId);
    if (upload == null) {
      return Optional.empty();
    }
    String why =
        failure.map(e -> ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())).orElse("");
    String stopped = "the upload of " + upload.asset.relativePath() + " stopped unexpectedly" + why;
    return Optional.of(upload.outcome.orElseGet(() -> new FileUpload.Failure(new UploadError.Transient(stopped), 0)));
  }

  /**
   * Pauses the uploads the library's rules hold back ({@code held} gives each one's reasons) and
   * lets {@code sending} of the others send: those sending now first, then paused ones resume from
   * their offsets in the slots left; the rest are paused for {@code reasons}.
   */
  void limit(int sending, Set<BlockerReason> reasons, Function<Asset, Set<BlockerReason>> held) {
    int slots = sending;
    List<Running> paused = new ArrayList<>();
    for (Running upload : running.values()) {
      Set<BlockerReason> own = held.apply(upload.asset);
      if (!own.isEmpty()) {
        Set<BlockerReason> all = EnumSet.copyOf(own);
        if (sending == 0) {
          all.addAll(reasons);
        }
        pauseFor(upload, Set.copyOf(all));
      } else if (upload.pausedFor.isEmpty() && slots > 0) {
        slots--;
      } else {
        paused.add(upload);
      }
    }
    for (Running upload : paused) {
      if (slots > 0) {
        slots--;
        pauseFor(upload, Set.of());
      } else if (!reasons.isEmpty()) {
        pauseFor(upload, reasons);
      }
      // Else a rule let it go while every slot is taken (a video back on Wi-Fi while the photos
      // that went meanwhile upload): it stays paused for what paused it until a slot frees up.
    }
  }

  /** Tells the upload to pause for {@code reasons}, or to resume when there are none, if that changes anything. */
  private void pauseFor(Running upload, Set<BlockerReason> reasons) {
    if (reasons.isEmpty() && !upload.pausedFor.isEmpty()) {
      upload.pausedFor = Set.of();
      upload.halted = false;
      upload.actor.tell(new FileUpload.Resume(context.getSystem().ignoreRef()));
    } else if (!reasons.isEmpty() && !upload.pausedFor.equals(reasons)) {
      upload.pausedFor = reasons;
      upload.halted = false;
      upload.actor.tell(new FileUpload.Pause(reasons, context.getSystem().ignoreRef()));
    }
  }

  /** Each upload and how far it got; shown as paused only once it is, as bytes may move until then. */
  List<LibraryStatus.InFlight> inFlight() {
    List<LibraryStatus.InFlight> inFlight = new ArrayList<>();
    for (Running upload : running.values()) {
      inFlight.add(
          new LibraryStatus.InFlight(
              upload.asset.id(),
              upload.asset.relativePath(),
              upload.offset,
              upload.asset.size(),
              upload.halted ? upload.pausedFor : Set.of()));
    }
    return List.copyOf(inFlight);
  }

  /** Bytes the running uploads have on the target. */
  long bytesInFlight() {
    return running.values().stream().mapToLong(upload -> upload.offset).sum();
  }

  /** Bytes sent over the wire since the supervisor started, resends included. */
  long bytesSent() {
    return bytesSent;
  }
}
