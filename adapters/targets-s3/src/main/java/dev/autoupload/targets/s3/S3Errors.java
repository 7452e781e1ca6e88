package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.http.FileBody;
import dev.autoupload.targets.http.HttpErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Classifies what the S3 client threw into the engine's {@link UploadError}s. */
final class S3Errors {

  private static final Set<String> UNAUTHORIZED =
      Set.of(
          "AccessDenied",
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "InvalidToken",
          "ExpiredToken",
          "AuthorizationHeaderMalformed");

  /** The server's words for a body that is not the one its checksum was taken of. */
  private static final Set<String> DAMAGED = Set.of("BadDigest", "XAmzContentSHA256Mismatch");

  private static final Set<String> QUOTA =
      Set.of("QuotaExceeded", "InsufficientStorage", "StorageQuotaExceeded");

  private S3Errors() {}

  /** The classified error for an S3 call that failed doing {@code what} (e.g. "upload a/b"). */
  static UploadException classify(String what, SdkException e) {
    return new UploadException(error(what, e), e);
  }

  static UploadError error(String what, SdkException e) {
    if (e instanceof S3Exception s3) {
      return fromService(what, s3.statusCode(), s3.awsErrorDetails(), s3);
    }
    if (e instanceof SdkServiceException service) {
      return fromService(what, service.statusCode(), null, service);
    }
    if (e instanceof SdkClientException) {
      Optional<FileBody.Changed> changed = causeOf(e, FileBody.Changed.class);
      if (changed.isPresent()) {
        // Our own spool file, not the network: classified where every HTTP target's is.
        return HttpErrors.fromIo(what, changed.get());
      }
      Optional<SSLException> tls = causeOf(e, SSLException.class);
      if (tls.isPresent()) {
        UploadError classified = HttpErrors.fromIo(what, tls.get());
        if (classified instanceof UploadError.Untrusted) {
          return classified;
        }
      }
      String message = "cannot " + what + ": " + e.getMessage();
      // The SDK wraps what went wrong on the wire (refused, reset, timed out) as a client error.
      return causeOf(e, IOException.class).isPresent()
          ? new UploadError.Unreachable(message)
          : new UploadError.Transient(message);
    }
    return new UploadError.Permanent("cannot " + what + ": " + e.getMessage());
  }

  /**
   * The first of {@code e} and its causes that is a {@code type}: the SDK wraps what its HTTP
   * client threw (an I/O or TLS failure), and ObjectPut what the JDK's threw.
   */
  static <T extends Throwable> Optional<T> causeOf(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return Optional.of(type.cast(cause));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the server refused a request for a header it does not implement: 501 NotImplemented,
   * as S3Proxy (without ignore-unknown-headers) and older Ceph and MinIO answer {@code
   * x-amz-checksum-sha256}.
   */
  static boolean refusesChecksumHeader(S3Exception e) {
    String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return e.statusCode() == 501 && (code.equals("NotImplemented") || message.contains("x-amz-checksum"));
  }

  /** What was received did not match what was sent: transient, and the next attempt starts over. */
  static UploadException startingOver(String path, String got, long expectedSize, String sha256) {
    return new UploadException(
        new UploadError.Transient(
            "received " + got + " for " + path + ", expected " + expectedSize + " bytes with sha256 " + sha256
                + "; starting over"));
  }

  /** A connection lost while an answer was read. */
  static UploadException io(String what, IOException e) {
    return new UploadException(new UploadError.Unreachable("cannot " + what + ": " + e), e);
  }

  static UploadException io(String what, UncheckedIOException e) {
    return io(what, e.getCause());
  }

  private static UploadError fromService(
      String what, int status, AwsErrorDetails details, SdkServiceException e) {
    String code = details == null || details.errorCode() == null ? "" : details.errorCode();
    String serverMessage =
        details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
    String message =
        "cannot "
            + what
            + ": S3 "
            + status
            + (code.isEmpty() ? "" : " " + code)
            + ": "
            + serverMessage;
    if (code.equals("NoSuchUpload")) {
      // Someone aborted the multipart upload (or a lifecycle rule did): the next session starts
      // over.
      return new UploadError.Transient(message);
    }
    if (DAMAGED.contains(code)) {
      // The body the server received is not the one its checksum or signed sha256 was taken of
      // (damaged on the way, or in our spool): the next attempt reads and spools the file anew.
      return new UploadError.Transient(message);
    }
    if (UNAUTHORIZED.contains(code)) {
      return new UploadError.Unauthorized(message);
    }
    // Before the 403 rule: Ceph RGW, for one, refuses a full bucket with 403 QuotaExceeded.
    if (status == 507 || QUOTA.contains(code)) {
      return new UploadError.QuotaExceeded(message);
    }
    if (status == 401 || status == 403) {
      return new UploadError.Unauthorized(message);
    }
    if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504 || code.equals("SlowDown")) {
      // The server, or a gateway before it, cannot serve now: every upload would fail alike.
      return new UploadError.Unreachable(message, retryAfter(details));
    }
    if (status == 501) {
      // NotImplemented: this server lacks a feature we asked for; asking again will not help.
      return new UploadError.Permanent(message);
    }
    if (status >= 500) {
      return new UploadError.Transient(message);
    }
    if (status == 409 || status == 412) {
      // 412: If-None-Match: * found an object that appeared after we looked.
      return new UploadError.Conflict(message);
    }
    return new UploadError.Permanent(message);
  }

  /** Retry-After in seconds; the HTTP-date form is rare for S3 and left to the engine's backoff. */
  private static Optional<Duration> retryAfter(AwsErrorDetails details) {
    if (details == null || details.sdkHttpResponse() == null) {
      return Optional.empty();
    }
    return details
        .sdkHttpResponse()
        .firstMatchingHeader("Retry-After")
        .flatMap(
            value -> {
              try {
                long seconds = Long.parseLong(value.trim());
                return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
              } catch (NumberFormatException notSeconds) {
                return Optional.empty();
              }
            });
  }
}
