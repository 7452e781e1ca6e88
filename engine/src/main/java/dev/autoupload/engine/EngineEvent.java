package dev.autoupload.engine;

import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What happened in the engine, delivered to {@link UploadEngine#addListener listeners}. */
public sealed interface EngineEvent {

  /** What happened to one asset or one library. */
  sealed interface LibraryEvent extends EngineEvent {
    /**
     * The library it happened in.
     *
     * @return the library's id
     */
    String libraryId();

    /**
     * Where it happened.
     *
     * @return the asset's path in the library, or the library's own location
     */
    String path();
  }

  /**
   * The asset is on the target, byte-exact. {@code alreadyOnTarget} when nothing had to be sent;
   * {@code remotePath} is empty for an alias, whose content is on the target for another file.
   */
  record AssetUploaded(
      String libraryId,
      String assetId,
      String path,
      Optional<String> remotePath,
      long bytes,
      Instant uploadedAt,
      boolean alreadyOnTarget)
      implements LibraryEvent {}

  /** An upload of the asset began (or began again, for a retry): {@code size} bytes to send. */
  record AssetStarted(String libraryId, String assetId, String path, long size) implements LibraryEvent {}

  /** Bytes reached the target; sent at most a few times a second per upload. */
  record AssetProgress(String libraryId, String assetId, String path, long offset, long size)
      implements LibraryEvent {}

  /** An interrupted upload continues from {@code offset} instead of from zero. */
  record AssetResumed(String libraryId, String assetId, String path, long offset, long size)
      implements LibraryEvent {}

  /**
   * An attempt failed; {@code willRetry} tells whether the engine tries again later, and {@code
   * retryIn} after how long, where it is known: the file's own backoff, or the wait for its target.
   */
  record AssetFailed(
      String libraryId,
      String assetId,
      String path,
      UploadError error,
      int attempts,
      boolean willRetry,
      Optional<Duration> retryIn)
      implements LibraryEvent {

    /**
     * A failure after which the engine does not try again.
     *
     * @param libraryId the library's id
     * @param assetId the asset's id
     * @param path the asset's path in the library
     * @param error why it failed
     * @param attempts how many attempts it made
     */
    public AssetFailed(String libraryId, String assetId, String path, UploadError error, int attempts) {
      this(libraryId, assetId, path, error, attempts, false, Optional.empty());
    }
  }

  /** The asset was given up on for a reason that is not an error. */
  record AssetSkipped(String libraryId, String assetId, String path, String reason)
      implements LibraryEvent {}

  /** Enumerating the library failed as a whole (folder missing, no permission). */
  record ScanFailed(String libraryId, String path, String message) implements LibraryEvent {}

  /**
   * The device's conditions let uploads run, stopped them, or changed the reasons; or those of one
   * library with conditions of its own ({@code Library.ownConditions}).
   *
   * @param verdict the verdict now
   * @param libraryId the library whose own conditions it is about; empty for the device's, which
   *     rule every other library
   */
  record VerdictChanged(Verdict verdict, Optional<String> libraryId) implements EngineEvent {

    /**
     * A change of the device's verdict.
     *
     * @param verdict the verdict now
     */
    public VerdictChanged(Verdict verdict) {
      this(verdict, Optional.empty());
    }
  }

  /**
   * A library's files wait and nothing was backed up for {@code lasting} (see {@link Stall}); told
   * once when the stall begins and once more if it turns into the graver kind.
   */
  record Stalled(Stall stall, Duration lasting) implements EngineEvent {}

  /** The library backed up a file again, or nothing of it waits any more, ending {@code ended}. */
  record Recovered(Stall ended, Instant at, LibraryWatch.Recovery how) implements EngineEvent {}
}
