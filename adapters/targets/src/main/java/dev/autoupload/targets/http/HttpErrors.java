package dev.autoupload.targets.http;

import dev.autoupload.engine.upload.UploadError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * The one classification of HTTP answers and transport failures into {@link UploadError}s, shared
 * by every HTTP target so that a 503 means the same thing for WebDAV, tus, S3 and Koofr.
 *
 * <p>Messages name the operation and the status and quote a short, tag-stripped excerpt of the
 * server's body; callers pass an operation description without credentials, and no request header
 * is ever quoted. Public for the target packages and {@code autoupload-targets-s3}; not for host
 * apps.
 */
public final class HttpErrors {

  /** How much of a server's error body goes into a message. */
  static final int EXCERPT_CHARS = 200;

  /** tus 1.0's answer to a chunk whose {@code Upload-Checksum} does not match its bytes. */
  public static final int CHECKSUM_MISMATCH = 460;

  private HttpErrors() {}

  /**
   * Classifies a non-success status.
   *
   * @param operation what was attempted, e.g. {@code "PUT /photos/a.jpg"}; never credentials
   * @param status the answer's HTTP status, not a 2xx
   * @param retryAfter the raw {@code Retry-After} header, if any
   * @param body the response body as text (may be empty)
   * @param clock the time an HTTP-date in {@code retryAfter} is measured from
   * @return the error, its message naming {@code operation} and {@code status}
   */
  public static UploadError fromStatus(
      String operation, int status, Optional<String> retryAfter, String body, Clock clock) {
    String message = operation + " failed: HTTP " + status + excerpt(body).map(e -> ": " + e).orElse("");
    if (status == 401 || status == 403) {
      return new UploadError.Unauthorized(message);
    }
    if (status == 507 || (status == 413 && meansQuota(body))) {
      return new UploadError.QuotaExceeded(message);
    }
    Optional<Duration> wait = retryAfter.flatMap(value -> parseRetryAfter(value, clock));
    // The server, or a gateway before it, cannot serve now: every upload would fail alike.
    if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
      return new UploadError.Unreachable(message, wait);
    }
    // 423: locked by another request for now (WebDAV LOCK, a tus upload another PATCH holds).
    if (status == 423) {
      return new UploadError.Transient(message, wait);
    }
    if (status == CHECKSUM_MISMATCH) {
      // The bytes were damaged on the way and the server dropped them: sending again may work.
      return new UploadError.Transient(message);
    }
    if (status >= 500 && status <= 599) {
      return new UploadError.Transient(message);
    }
    if (status == 409 || status == 412) {
      return new UploadError.Conflict(message);
    }
    return new UploadError.Permanent(message);
  }

  /**
   * Classifies a transport failure: a connection that could not be made, was reset or timed out
   * means the server cannot be reached now ({@link UploadError.Unreachable}), except a TLS failure,
   * which fails every upload to the server alike until someone acts (a refused certificate, plain
   * HTTP on an HTTPS port): {@link UploadError.Untrusted}. An answer longer than a request may
   * read comes from a server that is there but broken: {@link UploadError.Transient}.
   *
   * @param operation what was attempted; never credentials
   * @param e what the HTTP client threw
   * @return the error, its message naming {@code operation} and the failure
   */
  public static UploadError fromIo(String operation, IOException e) {
    if (e instanceof SSLHandshakeException handshake) {
      // A certificate that does not verify will not verify on the next attempt either.
      return new UploadError.Untrusted(operation + " failed: " + handshakeFailure(handshake));
    }
    if (e instanceof SSLException && String.valueOf(e.getMessage()).contains("plaintext connection")) {
      // The JDK's words for a server answering in plain HTTP: the port or the scheme is wrong.
      return new UploadError.Untrusted(
          operation + " failed: TLS: the server does not speak HTTPS on this port (plain HTTP?)");
    }
    if (causeOfType(e, BoundedText.TooLong.class).isPresent()) {
      return new UploadError.Transient(operation + " failed: " + reason(e));
    }
    Optional<Throwable> changed = causeOfType(e, FileBody.Changed.class);
    if (changed.isPresent()) {
      // Our own file, not the network: the next attempt spools it anew.
      return new UploadError.Transient(operation + " failed: " + changed.get().getMessage());
    }
    String why;
    if (e instanceof HttpConnectTimeoutException) {
      why = "connect timed out";
    } else if (e instanceof HttpTimeoutException) {
      why = "no response in time";
    } else if (e instanceof ConnectException) {
      why = "cannot connect: " + reason(e);
    } else {
      why = reason(e);
    }
    return new UploadError.Unreachable(operation + " failed: " + why);
  }

  /**
   * Reads a {@code Retry-After} value: delta-seconds or an HTTP-date. A date in the past means
   * "now"; an unreadable value is ignored, leaving the engine's own backoff. Public only for its
   * test; {@link #fromStatus} is how targets read the header.
   *
   * @param value the header's value
   * @param clock the time a date is measured from
   * @return how long to wait, or empty when the value is unreadable
   */
  public static Optional<Duration> parseRetryAfter(String value, Clock clock) {
    String trimmed = value.trim();
    if (trimmed.matches("\\d{1,10}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration wait = Duration.between(clock.instant(), at.toInstant());
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The body as one short line, markup removed; empty when there is nothing worth quoting. */
  static Optional<String> excerpt(String body) {
    if (body == null) {
      return Optional.empty();
    }
    // An HTML error page repeats its <title> in the body: quote the body only.
    String text =
        body.replaceAll("(?is)<(head|script|style)\\b.*?</\\1\\s*>", " ")
            .replaceAll("(?s)<[^>]*>", " ")
            .replaceAll("\\s+", " ")
            .trim();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "…");
  }

  private static boolean meansQuota(String body) {
    String lower = body == null ? "" : body.toLowerCase(Locale.ROOT);
    return lower.contains("quota") || lower.contains("insufficient storage") || lower.contains("no space");
  }

  /**
   * Says which check refused the server's certificate: the chain (an authority the client does not
   * trust, an expired certificate) or the certificate itself (issued for another host name).
   */
  private static String handshakeFailure(SSLHandshakeException e) {
    Optional<Throwable> chain = causeOfType(e, CertPathBuilderException.class, CertPathValidatorException.class);
    if (chain.isPresent()) {
      return "TLS: the server's certificate is not trusted ("
          + chain.get().getMessage()
          + "); for a private or self-signed one, add its CA to autoupload.target.trusted-certificates";
    }
    Optional<Throwable> certificate = causeOfType(e, CertificateException.class);
    if (certificate.isPresent()) {
      return "TLS: the server's certificate was refused: " + certificate.get().getMessage();
    }
    return "TLS handshake failed: " + reason(e);
  }

  @SafeVarargs
  private static Optional<Throwable> causeOfType(Throwable e, Class<? extends Throwable>... types) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(cause)) {
          return Optional.of(cause);
        }
      }
    }
    return Optional.empty();
  }

  private static String reason(IOException e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
