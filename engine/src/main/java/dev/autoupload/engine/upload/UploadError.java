package dev.autoupload.engine.upload;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.autoupload.engine.serialization.CborSerializable;
import java.time.Duration;
import java.util.Optional;

/**
 * Why a target refused or failed an operation, classified so the engine can decide what to do:
 * retry later, pause the library, or give up on the asset. Targets never leak raw exceptions.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = UploadError.Transient.class, name = "transient"),
  @JsonSubTypes.Type(value = UploadError.QuotaExceeded.class, name = "quota-exceeded"),
  @JsonSubTypes.Type(value = UploadError.Unauthorized.class, name = "unauthorized"),
  @JsonSubTypes.Type(value = UploadError.Untrusted.class, name = "untrusted"),
  @JsonSubTypes.Type(value = UploadError.Conflict.class, name = "conflict"),
  @JsonSubTypes.Type(value = UploadError.Permanent.class, name = "permanent")
})
public sealed interface UploadError extends CborSerializable {

  /** What went wrong, in words fit for the user. */
  String message();

  /** Whether trying the same thing again later may succeed. */
  default boolean retryable() {
    return false;
  }

  /** Network trouble, 5xx, a server asking us to come back later. */
  record Transient(String message, Optional<Duration> retryAfter) implements UploadError {
    public Transient(String message) {
      this(message, Optional.empty());
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /** The target has no room left. */
  record QuotaExceeded(String message) implements UploadError {}

  /** Credentials missing or rejected. */
  record Unauthorized(String message) implements UploadError {}

  /**
   * The target's identity could not be verified over TLS (an untrusted or changed certificate,
   * another host's certificate), or it does not speak TLS at all: every upload to it fails alike.
   */
  record Untrusted(String message) implements UploadError {}

  /** A different file already sits under the remote name. */
  record Conflict(String message) implements UploadError {}

  /** Anything that will fail the same way again: bad path, unreadable source, 4xx. */
  record Permanent(String message) implements UploadError {}
}
