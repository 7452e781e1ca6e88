package dev.autoupload.engine.internal.upload;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.RemoteDecision;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadReason;
import dev.autoupload.engine.upload.UploadTarget;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The upload of one asset, event-sourced so that a kill at any instant loses nothing.
 *
 * <p>States: {@link Queued} → {@link Uploading} ⇄ {@link Paused} → {@link Completed} | {@link
 * Failed} | {@link Skipped}. A {@link Begin} starts (or, after a restart, continues) the upload: the
 * target is probed first, so the real offset comes from the target, which may be ahead of the
 * journal; a file the target already holds with the same sha256 completes without sending a byte.
 * The file is streamed chunk by chunk from the blocking-I/O dispatcher, hashed as it goes, and the
 * offset is written to the journal at most once per {@code checkpoint-bytes}. Completed is reached
 * only after the target confirmed size and hash. When the upload ends the actor reports a {@link
 * Finished} outcome to its supervisor, which stops it; a later {@link Begin} after a failure is a
 * new attempt.
 *
 * <p>An upload that ends without publishing because the source vanished, changed or was left out
 * first discards what it sent from the target ({@link UploadTarget#discard}), and so does a new
 * version's first attempt where the journal holds an unfinished one of another version: no upload
 * ever continues bytes of another version of its file.
 *
 * <p>Every event is tagged with its upload's Activity slice ({@link ActivitySlices}) for the
 * Activity projection.
 */
public final class FileUpload
    extends EventSourcedBehaviorWithEnforcedReplies<FileUpload.Command, FileUpload.Event, FileUpload.State> {

  /** The journal's entity type of its events; for the engine's own use. */
  public static final String ENTITY_TYPE = "FileUpload";

  // ---- protocol ----

  /**
   * What the upload's actor is told; for the engine's own use (its {@link dev.autoupload.engine.internal.library.BackupSupervisor}).
   */
  public sealed interface Command {}

  /** Start or continue the upload. Replies once the attempt is recorded. */
  public record Begin(ActorRef<Done> replyTo) implements Command {}

  /** Stop sending bytes, keeping the offset, until {@link Resume}. */
  public record Pause(Set<BlockerReason> reasons, ActorRef<Done> replyTo) implements Command {}

  /**
   * Continue sending bytes after a {@link Pause}.
   *
   * @param replyTo told once the resume is recorded
   */
  public record Resume(ActorRef<Done> replyTo) implements Command {}

  /**
   * Asks for the journal's state.
   *
   * @param replyTo where the state goes
   */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  /**
   * The result of a blocking step. It names the transfer it belongs to: a result that outlived
   * its transfer (the upload paused, failed or the actor restarted meanwhile) is dropped.
   */
  private sealed interface StepResult extends Command {
    Transfer transfer();
  }

  private record Probed(Transfer transfer, RemoteState remote) implements StepResult {}

  private record SourceHashed(Transfer transfer, Transfer.SourceHashes hashes, RemoteState.Complete remote)
      implements StepResult {}

  private record Opened(Transfer transfer, Transfer.Opening opening) implements StepResult {}

  private record ChunkSent(Transfer transfer, long offset, long bytes) implements StepResult {}

  private record Verified(Transfer transfer, RemoteFile file) implements StepResult {}

  private record StepFailed(Transfer transfer, UploadError error) implements StepResult {}

  private record SourceGone(Transfer transfer, String reason) implements StepResult {}

  private record SourceChanged(Transfer transfer, String reason) implements StepResult {}

  private record CopyFound(Transfer transfer, String sha256, String reason) implements StepResult {}

  /**
   * What an unfinished upload left on the target was removed, or could not be ({@code error});
   * {@code then} says what comes next. Commands that arrive meanwhile wait in the stash.
   */
  private record Discarded(AfterDiscard then, Optional<UploadError> error) implements Command {}

  /** What follows a discard: a new attempt for another version, or the end of this one. */
  private sealed interface AfterDiscard {}

  private record StartAttempt(int attempt, ActorRef<Done> replyTo) implements AfterDiscard {}

  private record EndSkipped(String reason, Outcome outcome) implements AfterDiscard {}

  /** What the upload tells its supervisor. */
  public sealed interface Report {
    /** {@return the asset the report is about} */
    String assetId();
  }

  /** Bytes went out; {@code offset} is where the target now stands. */
  public record Progressed(String assetId, long offset, long bytesSent) implements Report {}

  /** A pause took effect: the step that was running has ended and no more bytes go out. */
  public record Halted(String assetId) implements Report {}

  /** An interrupted upload continues from {@code offset}. */
  public record Resumed(String assetId, long offset) implements Report {}

  /** The upload ended; the supervisor may stop the actor. */
  public record Finished(String assetId, Outcome outcome) implements Report {}

  /** How an upload ended. */
  public sealed interface Outcome {}

  /**
   * On the target, verified.
   *
   * @param file the file as the target confirmed it
   * @param uploadedAt when it completed
   * @param alreadyOnTarget the target held this content already, and no byte was sent
   */
  public record Uploaded(RemoteFile file, Instant uploadedAt, boolean alreadyOnTarget) implements Outcome {}

  /**
   * Failed; the supervisor retries or gives up by {@code max-attempts}.
   *
   * @param error the last attempt's error
   * @param attempts attempts made so far
   */
  public record Failure(UploadError error, int attempts) implements Outcome {}

  /** The asset vanished from the source: there is nothing left to back up. */
  public record Gone(String reason) implements Outcome {}

  /** Left out by {@code on-conflict = skip}: not backed up, for this reason. */
  public record Declined(String reason) implements Outcome {}

  /** The source changed during the upload; nothing was published, the new content must be scanned. */
  public record Changed(String reason) implements Outcome {}

  /**
   * The asset's content, which its upload learnt only as it sent it, is backed up already under
   * another name: nothing was published, and the asset is that backup's copy.
   *
   * @param sha256 lowercase hex sha256 of its content
   * @param reason why, in the user's words
   */
  public record Copy(String sha256, String reason) implements Outcome {}

  // ---- events ----

  /** What the upload journals; public for the journal's serializer, not for embedders. */
  public sealed interface Event extends CborSerializable {}

  /**
   * An attempt began, for {@code version} of the asset (see {@link Asset#version()}); a new version
   * starts over from nothing. Carries what the Activity view needs to show the asset.
   */
  public record UploadStarted(
      String libraryId,
      String assetId,
      String path,
      String remotePath,
      long size,
      Instant createdAt,
      CreationDateSource createdAtSource,
      String version,
      UploadReason reason,
      int attempt,
      Instant at)
      implements Event {}

  /**
   * The offset reached, written at most once per {@code checkpoint-bytes}.
   *
   * @param offset bytes the target holds
   * @param at when
   */
  public record ProgressCheckpointed(long offset, Instant at) implements Event {}

  /**
   * The target described the open upload with a token a later process needs to continue it (a tus
   * upload URL, an S3 multipart upload id); recorded before any byte of the session is sent.
   */
  public record ResumeTokenRecorded(String resumeToken, Instant at) implements Event {}

  /**
   * A different file holds the planned remote path, and both are kept: this asset goes to {@code
   * remotePath} instead (see {@link dev.autoupload.engine.library.RemoteLayout#keepBothPath}).
   */
  public record RemotePathChanged(String remotePath, String reason, Instant at) implements Event {}

  /**
   * A different file holds the remote path and, per {@code on-conflict = overwrite}, this upload
   * replaces it once verified: what is replaced, recorded before a byte goes out. {@code
   * replacedSha256} and {@code replacedMd5} are null when the target does not tell them.
   */
  public record RemoteFileReplacing(
      String remotePath, long replacedSize, String replacedSha256, String replacedMd5, String reason, Instant at)
      implements Event {}

  /**
   * Sending stopped for {@code reasons}, keeping {@code offset}.
   *
   * @param reasons why
   * @param offset the last checkpoint, in bytes
   * @param at when
   */
  public record UploadPaused(Set<BlockerReason> reasons, long offset, Instant at) implements Event {}

  /**
   * Sending goes on after a pause.
   *
   * @param at when
   */
  public record UploadResumed(Instant at) implements Event {}

  /**
   * The target confirmed size and hash: backed up.
   *
   * @param remotePath where it is on the target
   * @param sha256 lowercase hex sha256 of the content
   * @param bytes its size
   * @param uploadedAt when it completed
   * @param alreadyOnTarget no byte was sent: the target held this content already
   */
  public record UploadCompleted(
      String remotePath, String sha256, long bytes, Instant uploadedAt, boolean alreadyOnTarget)
      implements Event {}

  /**
   * An attempt failed.
   *
   * @param error why
   * @param attempt its number, from 1
   * @param offset the last checkpoint, in bytes
   * @param at when
   */
  public record UploadFailed(UploadError error, int attempt, long offset, Instant at) implements Event {}

  /**
   * The asset is left out, for {@code reason}.
   *
   * @param reason why, in the user's words
   * @param at when
   */
  public record UploadSkipped(String reason, Instant at) implements Event {}

  // ---- state ----

  /**
   * The upload's state as its journal rebuilds it; public for the journal's serializer, not for embedders.
   */
  public sealed interface State extends CborSerializable {}

  /** No attempt has begun. */
  public record Queued() implements State {}

  /** A state an upload reaches once an attempt began, for one version of the asset. */
  public sealed interface Begun extends State permits Started, Completed, Skipped {
    /** {@return the version of the asset the attempts were for} (see {@link Asset#version()}) */
    String version();
  }

  /** A state an upload can continue from: what a new attempt or a restarted actor resumes. */
  public sealed interface Started extends Begun permits Uploading, Paused, Failed {
    /** {@return the last checkpointed offset}, in bytes */
    long offset();

    /** {@return the target's last resume token}; null when none */
    String resumeToken();

    /** {@return the remote path chosen instead of the planned one}; null when none was */
    String remotePath();
  }

  /**
   * {@code offset} is the last checkpoint; the target may be further. {@code resumeToken} is the
   * last one the target gave (see {@link ResumeTokenRecorded}), null when none; {@code remotePath}
   * the path chosen instead of the planned one (see {@link RemotePathChanged}), null when none.
   */
  public record Uploading(int attempt, long offset, String resumeToken, String remotePath, String version)
      implements Started {}

  /**
   * Sending stopped for {@code reasons}; fields as in {@link Uploading}.
   *
   * @param attempt the attempt's number, from 1
   * @param offset the last checkpoint, in bytes
   * @param reasons why it is paused
   * @param resumeToken the target's last resume token; null when none
   * @param remotePath the remote path chosen instead of the planned one; null when none
   * @param version the asset's version
   */
  public record Paused(
      int attempt, long offset, Set<BlockerReason> reasons, String resumeToken, String remotePath, String version)
      implements Started {}

  /**
   * Backed up; no further attempt is made for this version.
   *
   * @param remotePath where it is on the target
   * @param sha256 lowercase hex sha256 of the content
   * @param bytes its size
   * @param uploadedAt when it completed
   * @param attempts attempts it took
   * @param version the asset's version
   */
  public record Completed(
      String remotePath, String sha256, long bytes, Instant uploadedAt, int attempts, String version)
      implements Begun {}

  /**
   * The last attempt failed; a new {@link Begin} makes another.
   *
   * @param error why
   * @param attempts attempts made so far
   * @param offset the last checkpoint, in bytes
   * @param resumeToken the target's last resume token; null when none
   * @param remotePath the remote path chosen instead of the planned one; null when none
   * @param version the asset's version
   */
  public record Failed(
      UploadError error, int attempts, long offset, String resumeToken, String remotePath, String version)
      implements Started {}

  /**
   * Left out; no further attempt is made for this version.
   *
   * @param reason why, in the user's words
   * @param attempts attempts made
   * @param version the asset's version
   */
  public record Skipped(String reason, int attempts, String version) implements Begun {}

  // ---- decisions ----

  /**
   * Why an upload that went without its content known must not publish what it sent, if it must
   * not: the content is backed up already, under another name, so publishing it would put it on
   * the target twice. The asset is then recorded as that backup's copy. An upload
   * whose content was known before it began was placed knowing the ledger, and publishes. Called
   * by the transfer before it publishes; public for the engine's model tests.
   *
   * @param asset the asset as its upload began
   * @param streamedSha256 the sha256 of what was sent
   * @param backups what the library backed up
   * @return the reason not to publish; empty to publish
   */
  public static Optional<String> copyLearntLate(Asset asset, String streamedSha256, KnownBackups backups) {
    if (asset.contentHash().isPresent() || !backups.holdsContent(streamedSha256)) {
      return Optional.empty();
    }
    return Optional.of(
        asset.relativePath() + " could not be read before its upload, which found it holds a content already backed"
            + " up under another name: recorded as its copy, not uploaded twice");
  }

  // ---- behaviour ----

  /**
   * The journal's id of an asset's upload; for the engine's own use.
   *
   * @param libraryId the library
   * @param assetId the asset
   * @return its persistence id
   */
  public static PersistenceId persistenceId(String libraryId, String assetId) {
    return PersistenceId.of(ENTITY_TYPE, libraryId + ":" + assetId);
  }

  /**
   * Everything an upload needs besides its own journal. {@code backups} are the files the library
   * already put on the target, which {@code on-conflict = overwrite} never replaces.
   */
  public record Job(
      Asset asset,
      UploadReason reason,
      String remotePath,
      AssetSource source,
      UploadTarget target,
      UploadSettings settings,
      KnownBackups backups,
      BandwidthLimiter bandwidth,
      StepTracker steps,
      ActorRef<Report> reportTo,
      Clock clock) {}

  /**
   * The upload's behaviour; for the engine's own use (the supervisor spawns it).
   *
   * @param job what the upload needs
   * @return the behaviour
   */
  public static Behavior<Command> create(Job job) {
    return Behaviors.setup(context -> new FileUpload(context, job));
  }

  private final ActorContext<Command> context;
  private final Job job;
  private final Asset asset;
  private final Executor blockingIo;
  /** The attempt in progress, or null while nothing is being sent. Never persisted. */
  private Transfer transfer;
  /** A discard runs ({@link #discardThen}): every other command waits in the stash. */
  private boolean discarding;
  /** The tag of every event: this upload's Activity slice. */
  private final Set<String> tags;

  private FileUpload(ActorContext<Command> context, Job job) {
    super(persistenceId(job.asset().libraryId(), job.asset().id()));
    this.context = context;
    this.job = job;
    this.asset = job.asset();
    this.tags = Set.of(ActivitySlices.of(context.getSystem()).tagOf(persistenceId().id()));
    this.blockingIo =
        context
            .getSystem()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
  }

  @Override
  public State emptyState() {
    return new Queued();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  /**
   * Replays the events without asking the snapshot store first: an upload never saves a snapshot,
   * and the query for one was a journal read per upload started.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(PostStop.instance(), state -> releaseTransferNow())
        .onSignal(PreRestart.instance(), state -> releaseTransferNow())
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();

    builder
        .forAnyState()
        .onCommand(Discarded.class, this::onDiscarded)
        .onCommand(command -> discarding, command -> Effect().stash())
        .onCommand(
            command -> command instanceof StepResult result && result.transfer() != transfer,
            command -> Effect().noReply())
        .onCommand(Begin.class, this::begin);

    builder
        .forStateType(Queued.class)
        .onCommand(Pause.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()))
        .onCommand(Resume.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()));

    builder
        .forStateType(Uploading.class)
        .onCommand(Pause.class, (state, cmd) -> pause(state.offset(), cmd))
        .onCommand(Resume.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()))
        .onCommand(Probed.class, (state, msg) -> onProbed(msg))
        .onCommand(SourceHashed.class, this::onSourceHashed)
        .onCommand(Opened.class, this::onOpened)
        .onCommand(ChunkSent.class, this::onChunkSent)
        .onCommand(Verified.class, (state, msg) -> complete(msg.file(), false))
        .onCommand(StepFailed.class, this::onStepFailed)
        .onCommand(SourceGone.class, (state, msg) -> skip(state, msg.reason()))
        .onCommand(SourceChanged.class, (state, msg) -> changed(state, msg.reason()))
        .onCommand(CopyFound.class, (state, msg) -> endSkipped(state, msg.reason(), new Copy(msg.sha256(), msg.reason())));

    builder
        .forStateType(Paused.class)
        .onCommand(Resume.class, (state, cmd) -> resume(cmd.replyTo()))
        .onCommand(
            Pause.class,
            (state, cmd) ->
                state.reasons().equals(cmd.reasons())
                    ? Effect().reply(cmd.replyTo(), Done.getInstance())
                    : pause(state.offset(), cmd))
        // A step that was running when the pause came: keep what it achieved, send nothing more.
        .onCommand(ChunkSent.class, this::checkpointWhilePaused)
        .onCommand(Verified.class, (state, msg) -> complete(msg.file(), false))
        .onCommand(Probed.class, (state, msg) -> releaseTransfer())
        .onCommand(SourceHashed.class, (state, msg) -> releaseTransfer())
        .onCommand(Opened.class, (state, msg) -> releaseTransfer())
        .onCommand(StepFailed.class, (state, msg) -> releaseTransfer())
        .onCommand(SourceGone.class, (state, msg) -> releaseTransfer())
        .onCommand(SourceChanged.class, (state, msg) -> releaseTransfer())
        .onCommand(CopyFound.class, (state, msg) -> releaseTransfer());

    builder
        .forAnyState()
        .onCommand(GetState.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .onCommand(Pause.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()))
        .onCommand(Resume.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Done.getInstance()))
        // Results of steps that no longer matter (the upload already ended) are dropped.
        .onAnyCommand(cmd -> Effect().noReply());

    return builder.build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent(FileUpload::apply);
  }

  /**
   * The pure state transition for each event.
   *
   * @param state the state before
   * @param event the event
   * @return the state after
   */
  public static State apply(State state, Event event) {
    String version = versionOf(state);
    if (event instanceof UploadStarted started) {
      if (state instanceof Started previous && previous.version().equals(started.version())) {
        return new Uploading(
            started.attempt(), previous.offset(), previous.resumeToken(), previous.remotePath(), started.version());
      }
      // Another version: neither the offset, the token nor the chosen path of the old one apply.
      return new Uploading(started.attempt(), 0, null, null, started.version());
    }
    if (event instanceof ProgressCheckpointed checkpoint) {
      if (state instanceof Paused paused) {
        return new Paused(
            paused.attempt(), checkpoint.offset(), paused.reasons(), paused.resumeToken(), paused.remotePath(), version);
      }
      return new Uploading(attemptsOf(state), checkpoint.offset(), tokenOf(state), chosenPathOf(state), version);
    }
    if (event instanceof ResumeTokenRecorded recorded) {
      if (state instanceof Paused paused) {
        return new Paused(
            paused.attempt(), paused.offset(), paused.reasons(), recorded.resumeToken(), paused.remotePath(), version);
      }
      return new Uploading(attemptsOf(state), offsetOf(state), recorded.resumeToken(), chosenPathOf(state), version);
    }
    if (event instanceof RemotePathChanged changed) {
      // A new path starts from nothing: neither the offset nor the token of the old one apply.
      return new Uploading(attemptsOf(state), 0, null, changed.remotePath(), version);
    }
    if (event instanceof RemoteFileReplacing) {
      // A decision for this attempt only: a later one probes and decides again.
      return state;
    }
    if (event instanceof UploadPaused paused) {
      return new Paused(
          attemptsOf(state), paused.offset(), paused.reasons(), tokenOf(state), chosenPathOf(state), version);
    }
    if (event instanceof UploadResumed) {
      return new Uploading(attemptsOf(state), offsetOf(state), tokenOf(state), chosenPathOf(state), version);
    }
    if (event instanceof UploadCompleted done) {
      return new Completed(
          done.remotePath(), done.sha256(), done.bytes(), done.uploadedAt(), attemptsOf(state), version);
    }
    if (event instanceof UploadFailed failed) {
      return new Failed(
          failed.error(), failed.attempt(), failed.offset(), tokenOf(state), chosenPathOf(state), version);
    }
    if (event instanceof UploadSkipped skipped) {
      return new Skipped(skipped.reason(), attemptsOf(state), version);
    }
    throw new IllegalStateException("unknown event " + event);
  }

  private static String versionOf(State state) {
    return state instanceof Begun begun ? begun.version() : "";
  }

  private static int attemptsOf(State state) {
    if (state instanceof Uploading s) {
      return s.attempt();
    }
    if (state instanceof Paused s) {
      return s.attempt();
    }
    if (state instanceof Completed s) {
      return s.attempts();
    }
    if (state instanceof Failed s) {
      return s.attempts();
    }
    if (state instanceof Skipped s) {
      return s.attempts();
    }
    return 0;
  }

  /** The resume token a new attempt or a restarted actor continues with; null when none. */
  private static String tokenOf(State state) {
    return state instanceof Started started ? started.resumeToken() : null;
  }

  /** The remote path chosen instead of the planned one; null when none was. */
  private static String chosenPathOf(State state) {
    return state instanceof Started started ? started.remotePath() : null;
  }

  private static long offsetOf(State state) {
    return state instanceof Started started ? started.offset() : 0;
  }

  /** What a {@link Begin} does, as {@link #beginning} decides it. */
  public enum BeginWith {
    /** A new attempt, numbered {@link Beginning#attempt()}. */
    NEW_ATTEMPT,
    /** The attempt the journal holds, after a restart: probe and carry on from the target's offset. */
    CONTINUE,
    /** The paused attempt, from its offset. */
    RESUME,
    /** Nothing: this version is on the target already, as the journal recorded. */
    REPORT_COMPLETED
  }

  /** A {@link BeginWith} and, for a new attempt, its number. */
  public record Beginning(BeginWith with, int attempt) {}

  /**
   * What a {@link Begin} does for {@code version} of the asset, given the journal's state: the
   * journal may hold attempts for another version (the file was edited, or its name reused), which
   * never count for this one, least of all a completed one: a new version starts from nothing, and
   * what an unfinished attempt of the other version left on the target is discarded first (see
   * {@link #leftByAnotherVersion}).
   *
   * @param state the journal's state
   * @param version the asset's version now (see {@link Asset#version()})
   * @return what to do, and the attempt's number
   */
  public static Beginning beginning(State state, String version) {
    if (!(state instanceof Begun begun)) {
      return new Beginning(BeginWith.NEW_ATTEMPT, 1);
    }
    if (!begun.version().equals(version)) {
      return new Beginning(BeginWith.NEW_ATTEMPT, 1);
    }
    if (state instanceof Uploading) {
      return new Beginning(BeginWith.CONTINUE, attemptsOf(state));
    }
    if (state instanceof Paused) {
      return new Beginning(BeginWith.RESUME, attemptsOf(state));
    }
    if (state instanceof Completed) {
      return new Beginning(BeginWith.REPORT_COMPLETED, attemptsOf(state));
    }
    return new Beginning(BeginWith.NEW_ATTEMPT, attemptsOf(state) + 1);
  }

  /**
   * Whether {@code state} is an unfinished attempt of another version than {@code version}, whose
   * bytes on the target must go before this version's upload opens: it would continue them.
   *
   * @param state the journal's state
   * @param version the asset's version now
   * @return true when that attempt's bytes must be discarded first
   */
  public static boolean leftByAnotherVersion(State state, String version) {
    return state instanceof Started started && !started.version().equals(version);
  }

  // ---- command handling ----

  /** The remote path an attempt in {@code state} sends to: the one chosen instead, else the planned one. */
  private String attemptPathOf(State state) {
    String chosen = chosenPathOf(state);
    return chosen != null ? chosen : job.remotePath();
  }

  private ReplyEffect<Event, State> startAttempt(int attempt, ActorRef<Done> replyTo) {
    UploadStarted started =
        new UploadStarted(
            asset.libraryId(),
            asset.id(),
            asset.relativePath(),
            job.remotePath(),
            asset.size(),
            asset.createdAt(),
            asset.createdAtSource(),
            asset.version(),
            job.reason(),
            attempt,
            now());
    return Effect()
        .persist(started)
        .thenRun(this::startTransfer)
        .thenReply(replyTo, state -> Done.getInstance())
        .thenUnstashAll();
  }

  private ReplyEffect<Event, State> begin(State state, Begin cmd) {
    Beginning beginning = beginning(state, asset.version());
    return switch (beginning.with()) {
      case NEW_ATTEMPT ->
          leftByAnotherVersion(state, asset.version())
              ? discardThen(
                  attemptPathOf(state), Optional.ofNullable(tokenOf(state)),
                  new StartAttempt(beginning.attempt(), cmd.replyTo()))
              : startAttempt(beginning.attempt(), cmd.replyTo());
      case CONTINUE -> continueAfterRecovery(cmd);
      case RESUME -> resume(cmd.replyTo());
      case REPORT_COMPLETED -> reportCompleted((Completed) state, cmd);
    };
  }

  /** Already done in an earlier life of this actor: the journal says so, nothing is sent. */
  private ReplyEffect<Event, State> reportCompleted(Completed state, Begin cmd) {
    RemoteFile file = new RemoteFile(state.remotePath(), state.bytes(), state.sha256());
    return Effect()
        .none()
        .thenRun(s -> report(new Finished(asset.id(), new Uploaded(file, state.uploadedAt(), true))))
        .thenReply(cmd.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> continueAfterRecovery(Begin cmd) {
    return Effect()
        .none()
        .thenRun(
            s -> {
              if (transfer == null) {
                startTransfer(s);
              }
            })
        .thenReply(cmd.replyTo(), s -> Done.getInstance());
  }

  private ReplyEffect<Event, State> pause(long checkpoint, Pause cmd) {
    long offset = transfer != null ? Math.max(checkpoint, transfer.offset()) : checkpoint;
    if (transfer != null) {
      transfer.pause(true);
    }
    return Effect()
        .persist(new UploadPaused(Set.copyOf(cmd.reasons()), offset, now()))
        .thenRun(
            state -> {
              // With a step running, Halted follows when it ends (see releaseTransfer).
              if (transfer == null) {
                report(new Halted(asset.id()));
              }
            })
        .thenReply(cmd.replyTo(), state -> Done.getInstance());
  }

  private ReplyEffect<Event, State> resume(ActorRef<Done> replyTo) {
    return Effect()
        .persist(new UploadResumed(now()))
        .thenRun(
            state -> {
              // A step still running from before the pause carries on by itself.
              if (transfer == null) {
                startTransfer(state);
              } else {
                transfer.pause(false);
              }
            })
        .thenReply(replyTo, state -> Done.getInstance());
  }

  private ReplyEffect<Event, State> onProbed(Probed msg) {
    if (msg.remote() instanceof RemoteState.Complete complete) {
      runStep(() -> transfer.hashesFor(complete), (t, hashes) -> new SourceHashed(t, hashes, complete));
    } else {
      runStep(transfer::open, Opened::new);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSourceHashed(Uploading state, SourceHashed msg) {
    String remotePath = transfer.remotePath();
    RemoteDecision.Found found =
        new RemoteDecision.Found(
            remotePath,
            job.remotePath(),
            state.remotePath() != null,
            asset.size(),
            msg.hashes().sha256(),
            msg.hashes().md5(),
            msg.remote(),
            job.settings().onConflict(),
            job.backups().mayHoldBackup(remotePath, msg.remote()));
    RemoteDecision decision = RemoteDecision.decide(found);
    if (decision instanceof RemoteDecision.AlreadyThere) {
      return complete(new RemoteFile(remotePath, asset.size(), msg.hashes().sha256()), true);
    }
    if (decision instanceof RemoteDecision.KeepBoth keepBoth) {
      return Effect()
          .persist(new RemotePathChanged(keepBoth.remotePath(), keepBoth.reason(), now()))
          .thenRun(
              s -> {
                releaseTransferNow();
                startTransfer(s);
              })
          .thenNoReply();
    }
    if (decision instanceof RemoteDecision.Replace) {
      return replace(msg.remote(), decision.reason());
    }
    if (decision instanceof RemoteDecision.Decline) {
      return decline(state, decision.reason());
    }
    return fail(state.attempt(), new UploadError.Conflict(decision.reason()));
  }

  private ReplyEffect<Event, State> onStepFailed(Uploading state, StepFailed msg) {
    if (msg.error() instanceof UploadError.Conflict
        && state.remotePath() == null
        && job.settings().onConflict() != ConflictPolicy.SKIP
        && !msg.transfer().replaces()) {
      // Another file took the name while this one was sent: probe again, which hashes and decides.
      releaseTransferNow();
      startTransfer(state);
      return Effect().noReply();
    }
    return fail(state.attempt(), msg.error());
  }

  /** Records what goes, then uploads this asset over it (see {@link Transfer#replace}). */
  private ReplyEffect<Event, State> replace(RemoteState.Complete remote, String reason) {
    String remotePath = transfer.remotePath();
    RemoteFileReplacing replacing =
        new RemoteFileReplacing(
            remotePath, remote.size(), remote.sha256().orElse(null), remote.md5().orElse(null), reason, now());
    return Effect()
        .persist(replacing)
        .thenRun(
            s -> {
              context.getLog().info("{}: {}", asset.relativePath(), replacing.reason());
              transfer.replace(remote);
              runStep(transfer::open, Opened::new);
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onOpened(Uploading state, Opened msg) {
    long offset = msg.opening().offset();
    if (offset > 0) {
      report(new Resumed(asset.id(), offset));
    }
    Optional<String> token = msg.opening().resumeToken();
    if (token.isPresent() && !token.get().equals(state.resumeToken())) {
      return Effect()
          .persist(new ResumeTokenRecorded(token.get(), now()))
          .thenRun(s -> nextStep())
          .thenNoReply();
    }
    nextStep();
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onChunkSent(Uploading state, ChunkSent msg) {
    if (msg.bytes() > 0) {
      report(new Progressed(asset.id(), msg.offset(), msg.bytes()));
    }
    if (msg.offset() - state.offset() >= job.settings().checkpointBytes() && msg.transfer().resumable()) {
      // Chunks go on out while the checkpoint is written (the target, not the journal, says where a
      // later attempt goes on): waiting for each commit, a sync of the disk, took a fifth of a 1 GiB
      // upload's time.
      Transfer current = msg.transfer();
      current.checkpointing(true);
      nextStep();
      return Effect()
          .persist(new ProgressCheckpointed(msg.offset(), now()))
          .thenRun(s -> current.checkpointing(false))
          .thenNoReply();
    }
    nextStep();
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> checkpointWhilePaused(Paused state, ChunkSent msg) {
    if (msg.bytes() > 0) {
      report(new Progressed(asset.id(), msg.offset(), msg.bytes()));
    }
    releaseTransferNow();
    report(new Halted(asset.id()));
    if (msg.offset() > state.offset()) {
      return Effect().persist(new ProgressCheckpointed(msg.offset(), now())).thenNoReply();
    }
    return Effect().noReply();
  }

  /** A step ended while paused: release everything and say no more bytes go out. */
  private ReplyEffect<Event, State> releaseTransfer() {
    releaseTransferNow();
    report(new Halted(asset.id()));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> complete(RemoteFile file, boolean alreadyOnTarget) {
    Instant uploadedAt = now();
    return Effect()
        .persist(new UploadCompleted(file.remotePath(), file.sha256(), file.size(), uploadedAt, alreadyOnTarget))
        .thenRun(
            state -> {
              releaseTransferNow();
              report(new Finished(asset.id(), new Uploaded(file, uploadedAt, alreadyOnTarget)));
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> fail(int attempt, UploadError error) {
    long offset = transfer != null ? transfer.offset() : 0;
    Optional<BlockerReason> stop = error.stopsTheLibrary();
    if (stop.isPresent()) {
      // The target stops every upload alike: this one waits with its library and has not failed;
      // the next Begin resumes it.
      return Effect()
          .persist(new UploadPaused(Set.of(stop.get()), offset, now()))
          .thenRun(
              state -> {
                releaseTransferNow();
                report(new Finished(asset.id(), new Failure(error, attempt)));
              })
          .thenNoReply();
    }
    return Effect()
        .persist(new UploadFailed(error, attempt, offset, now()))
        .thenRun(
            state -> {
              releaseTransferNow();
              report(new Finished(asset.id(), new Failure(error, attempt)));
            })
        .thenNoReply();
  }

  /** The source file vanished: recorded as skipped with the reason. */
  private ReplyEffect<Event, State> skip(Uploading state, String reason) {
    return endSkipped(state, reason, new Gone(reason));
  }

  /** Left out by {@code on-conflict = skip}: recorded as skipped with the reason. */
  private ReplyEffect<Event, State> decline(Uploading state, String reason) {
    return endSkipped(state, reason, new Declined(reason));
  }

  /** Recorded as skipped with the reason, so Activity says why; the supervisor scans it again. */
  private ReplyEffect<Event, State> changed(Uploading state, String reason) {
    return endSkipped(state, reason, new Changed(reason));
  }

  /**
   * Ends the upload without publishing: what it sent belongs to no file that will be backed up
   * (the next version starts from nothing), so it is discarded from the target first.
   */
  private ReplyEffect<Event, State> endSkipped(Uploading state, String reason, Outcome outcome) {
    String remotePath = transfer != null ? transfer.remotePath() : attemptPathOf(state);
    releaseTransferNow();
    return discardThen(remotePath, Optional.ofNullable(state.resumeToken()), new EndSkipped(reason, outcome));
  }

  /**
   * Removes what unfinished uploads to {@code remotePath} left on the target (see {@link
   * UploadTarget#discard}), off the actor's thread; commands wait until {@link Discarded} says it
   * is done, then {@code then} follows.
   */
  private ReplyEffect<Event, State> discardThen(String remotePath, Optional<String> token, AfterDiscard then) {
    discarding = true;
    job.steps().enter();
    CompletableFuture<Optional<UploadError>> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                job.target().discard(remotePath, token);
                return Optional.<UploadError>empty();
              } catch (UploadException e) {
                return Optional.of(e.error());
              } catch (RuntimeException e) {
                return Optional.<UploadError>of(new UploadError.Transient("unexpected error: " + e));
              } finally {
                job.steps().exit();
              }
            },
            blockingIo);
    context.pipeToSelf(
        result,
        (error, unexpected) ->
            new Discarded(
                then, unexpected == null ? error : Optional.of(new UploadError.Transient("unexpected error: " + unexpected))));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onDiscarded(State state, Discarded msg) {
    if (!discarding) {
      // From before a restart of this actor, which forgot what was to follow.
      return Effect().noReply();
    }
    discarding = false;
    msg.error()
        .ifPresent(
            error ->
                context.getLog().warn(
                    "What an unfinished upload of {} left on the target stays there: {}",
                    asset.relativePath(), error.message()));
    if (msg.then() instanceof StartAttempt start) {
      if (msg.error().isPresent()) {
        // Not begun: the journal keeps the other version's attempt, so the next try discards again.
        UploadError error = msg.error().get();
        return Effect()
            .none()
            .thenRun(s -> report(new Finished(asset.id(), new Failure(error, start.attempt()))))
            .thenReply(start.replyTo(), s -> Done.getInstance())
            .thenUnstashAll();
      }
      return startAttempt(start.attempt(), start.replyTo());
    }
    EndSkipped end = (EndSkipped) msg.then();
    return Effect()
        .persist(new UploadSkipped(end.reason(), now()))
        .thenRun(s -> report(new Finished(asset.id(), end.outcome())))
        .thenNoReply()
        .thenUnstashAll();
  }

  // ---- the transfer steps ----

  private void startTransfer(State state) {
    transfer =
        new Transfer(
            asset,
            job.source(),
            job.target(),
            attemptPathOf(state),
            Optional.ofNullable(tokenOf(state)),
            job.bandwidth().chunkSize(job.settings().chunkBytes()),
            job.bandwidth(),
            job.steps());
    runStep(transfer::probe, Probed::new);
  }

  private void nextStep() {
    if (transfer.offset() == asset.size()) {
      runStep(() -> transfer.complete(job.backups()), Verified::new);
    } else {
      long before = transfer.offset();
      runStep(transfer::sendChunks, (t, offset) -> new ChunkSent(t, offset, offset - before));
    }
  }

  private void releaseTransferNow() {
    if (transfer != null) {
      transfer.cancel();
      transfer = null;
    }
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws Exception;
  }

  /** Runs one blocking step off the actor's thread and turns its result into a message. */
  private <T> void runStep(Step<T> step, BiFunction<Transfer, T, StepResult> onSuccess) {
    Transfer current = transfer;
    current.startStep();
    CompletableFuture<T> result =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return step.run();
              } catch (Exception e) {
                throw new CompletionException(e);
              } finally {
                current.endStep();
              }
            },
            blockingIo);
    context.pipeToSelf(
        result, (value, error) -> error == null ? onSuccess.apply(current, value) : failureMessage(current, error));
  }

  private StepResult failureMessage(Transfer current, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof UploadException upload) {
      return new StepFailed(current, upload.error());
    }
    if (cause instanceof AssetGoneException gone) {
      return new SourceGone(current, gone.getMessage());
    }
    if (cause instanceof AssetChangedException changed) {
      return new SourceChanged(current, changed.getMessage());
    }
    if (cause instanceof ContentBackedUpException copy) {
      return new CopyFound(current, copy.sha256(), copy.getMessage());
    }
    context.getLog().warn("Unexpected error uploading {}", asset.relativePath(), cause);
    return new StepFailed(current, new UploadError.Transient("unexpected error: " + cause));
  }

  private void report(Report report) {
    job.reportTo().tell(report);
  }

  private Instant now() {
    return job.clock().instant();
  }
}
