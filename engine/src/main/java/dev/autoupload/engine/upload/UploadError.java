package dev.autoupload.engine.upload;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.time.Duration;
import java.util.Optional;

/**
 * Why a target refused or failed an operation, classified so the engine can decide what to do:
 * retry later, pause the library, or give up on the asset. Targets never leak raw exceptions.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = UploadError.Transient.class, name = "transient"),
  @JsonSubTypes.Type(value = UploadError.Unreachable.class, name = "unreachable"),
  @JsonSubTypes.Type(value = UploadError.QuotaExceeded.class, name = "quota-exceeded"),
  @JsonSubTypes.Type(value = UploadError.Unauthorized.class, name = "unauthorized"),
  @JsonSubTypes.Type(value = UploadError.Untrusted.class, name = "untrusted"),
  @JsonSubTypes.Type(value = UploadError.Conflict.class, name = "conflict"),
  @JsonSubTypes.Type(value = UploadError.Permanent.class, name = "permanent")
})
public sealed interface UploadError extends CborSerializable {

  /** {@return what went wrong, in words fit for the user} */
  String message();

  /** {@return whether trying the same thing again later may succeed} */
  default boolean retryable() {
    return false;
  }

  /**
   * Why the whole library waits when an upload fails this way: the target is full, refuses the
   * credentials, fails TLS verification or cannot be reached, which every upload to it would meet
   * alike; empty for an error of this one upload.
   *
   * @return the reason the library waits for; empty when only this upload failed
   */
  default Optional<BlockerReason> stopsTheLibrary() {
    return Optional.empty();
  }

  /**
   * This upload's step failed in a way another try may not: what the server stored did not check
   * out, a chunk was damaged on the way, the upload is locked or gone on the server. Tried again
   * after a backoff, up to {@code max-attempts} times per file.
   */
  record Transient(String message, Optional<Duration> retryAfter) implements UploadError {
    /**
     * A transient error with no wait asked by the server.
     *
     * @param message what went wrong, in words fit for the user
     */
    public Transient(String message) {
      this(message, Optional.empty());
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The target cannot be reached or cannot serve now: a refused, reset or timed-out connection, a
   * 500, 502, 503 or 504, a 429. Every upload to it would fail alike, so the library waits for the
   * target ({@code TARGET_UNREACHABLE}) instead of counting the attempt against the file; {@code
   * retryAfter} is how long the server asked to wait, when it said.
   */
  record Unreachable(String message, Optional<Duration> retryAfter) implements UploadError {
    /**
     * An unreachable target that asked for no wait.
     *
     * @param message what went wrong, in words fit for the user
     */
    public Unreachable(String message) {
      this(message, Optional.empty());
    }

    @Override
    public boolean retryable() {
      return true;
    }

    @Override
    public Optional<BlockerReason> stopsTheLibrary() {
      return Optional.of(BlockerReason.TARGET_UNREACHABLE);
    }
  }

  /** The target has no room left. */
  record QuotaExceeded(String message) implements UploadError {
    @Override
    public Optional<BlockerReason> stopsTheLibrary() {
      return Optional.of(BlockerReason.TARGET_FULL);
    }
  }

  /** Credentials missing or rejected. */
  record Unauthorized(String message) implements UploadError {
    @Override
    public Optional<BlockerReason> stopsTheLibrary() {
      return Optional.of(BlockerReason.NOT_AUTHORIZED);
    }
  }

  /**
   * The target's identity could not be verified over TLS (an untrusted or changed certificate,
   * another host's certificate), or it does not speak TLS at all: every upload to it fails alike.
   */
  record Untrusted(String message) implements UploadError {
    @Override
    public Optional<BlockerReason> stopsTheLibrary() {
      return Optional.of(BlockerReason.TARGET_UNTRUSTED);
    }
  }

  /** A different file already sits under the remote name. */
  record Conflict(String message) implements UploadError {}

  /** Anything that will fail the same way again: bad path, unreadable source, 4xx. */
  record Permanent(String message) implements UploadError {}
}
