package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.UploadError;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpErrorsTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T16:00:00Z"), ZoneOffset.UTC);

  private static UploadError status(int status, String body) {
    return HttpErrors.fromStatus("PUT /a.jpg", status, Optional.empty(), body, CLOCK);
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void rejectedCredentialsAreUnauthorized(int status) {
    assertThat(status(status, "")).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void insufficientStorageIsQuotaExceeded() {
    assertThat(status(507, "")).isInstanceOf(UploadError.QuotaExceeded.class);
  }

  @Test
  void tooLargeIsQuotaOnlyWhenTheServerSaysSo() {
    assertThat(status(413, "<error>Quota exceeded for user</error>"))
        .isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(status(413, "<html>Request Entity Too Large</html>"))
        .isInstanceOf(UploadError.Permanent.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void retryAfterInSecondsIsHonouredByAnUnreachableTarget(int status) {
    UploadError error = HttpErrors.fromStatus("PUT /a.jpg", status, Optional.of("120"), "", CLOCK);

    assertThat(error).isEqualTo(new UploadError.Unreachable("PUT /a.jpg failed: HTTP " + status, Optional.of(Duration.ofSeconds(120))));
  }

  @Test
  void aLockedResourceIsTransientAndKeepsTheDelay() {
    UploadError error = HttpErrors.fromStatus("PATCH /files/1", 423, Optional.of("5"), "", CLOCK);

    assertThat(error).isEqualTo(new UploadError.Transient("PATCH /files/1 failed: HTTP 423", Optional.of(Duration.ofSeconds(5))));
  }

  @Test
  void aTusChecksumMismatchIsTransient() {
    assertThat(status(460, "Expected checksum x but was y")).isInstanceOf(UploadError.Transient.class);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured() {
    UploadError error =
        HttpErrors.fromStatus("PUT /a.jpg", 503, Optional.of("Wed, 25 Nov 2026 16:01:30 GMT"), "", CLOCK);

    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(90));
  }

  @Test
  void retryAfterInThePastMeansNowAndGarbageIsIgnored() {
    assertThat(HttpErrors.parseRetryAfter("Wed, 25 Nov 2026 15:00:00 GMT", CLOCK)).contains(Duration.ZERO);
    assertThat(HttpErrors.parseRetryAfter("soon", CLOCK)).isEmpty();
    assertThat(HttpErrors.parseRetryAfter("-5", CLOCK)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 504})
  void serverAndGatewayErrorsMeanTheTargetIsUnreachable(int status) {
    UploadError error = status(status, "");

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {501, 505, 599})
  void otherServerErrorsAreTransientForTheFile(int status) {
    assertThat(status(status, "")).isInstanceOf(UploadError.Transient.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {409, 412})
  void conflictsAreConflicts(int status) {
    assertThat(status(status, "")).isInstanceOf(UploadError.Conflict.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 404, 405, 415, 422})
  void otherClientErrorsArePermanentWithStatusAndExcerpt(int status) {
    UploadError error = status(status, "<html><body><h1>Nope</h1>\n  <p>bad   thing</p></body></html>");

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).isEqualTo("PUT /a.jpg failed: HTTP " + status + ": Nope bad thing");
  }

  @Test
  void anHtmlErrorPageIsQuotedOnceWithoutItsTitle() {
    String nginxPage =
        "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
            + "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
            + "</body>\r\n</html>\r\n";

    assertThat(status(401, nginxPage).message())
        .isEqualTo("PUT /a.jpg failed: HTTP 401: 401 Authorization Required nginx/1.22.1");
  }

  @Test
  void longBodiesAreCut() {
    UploadError error = status(400, "x".repeat(10_000));

    assertThat(error.message()).hasSizeLessThan(HttpErrors.EXCERPT_CHARS + 40).endsWith("…");
  }

  @Test
  void transportFailuresMeanTheTargetIsUnreachable() {
    assertThat(HttpErrors.fromIo("PUT /a.jpg", new ConnectException("Connection refused")))
        .isEqualTo(new UploadError.Unreachable("PUT /a.jpg failed: cannot connect: Connection refused"));
    assertThat(HttpErrors.fromIo("PUT /a.jpg", new SocketException("Connection reset")))
        .isEqualTo(new UploadError.Unreachable("PUT /a.jpg failed: Connection reset"));
    assertThat(HttpErrors.fromIo("PUT /a.jpg", new HttpConnectTimeoutException("x")).message())
        .endsWith("connect timed out");
    assertThat(HttpErrors.fromIo("PUT /a.jpg", new HttpTimeoutException("x")).message())
        .endsWith("no response in time");
    assertThat(HttpErrors.fromIo("PUT /a.jpg", new IOException()))
        .isEqualTo(new UploadError.Unreachable("PUT /a.jpg failed: IOException"));
  }

  @Test
  void aSpoolFileThatChangedIsTransientAndNamedNotTheNetwork() {
    // As the JDK's client reports a body publisher's failure: wrapped in an IOException of its own.
    IOException wrapped = new IOException("request body failed", new FileBody.Changed(Path.of("/spool/a.spool"), "CRC32C 1 read, 2 written"));

    UploadError error = HttpErrors.fromIo("PUT /a.jpg", wrapped);

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message())
        .startsWith("PUT /a.jpg failed: the spool file /spool/a.spool no longer holds the bytes written to it");
  }

  @Test
  void aCertificateThatDoesNotVerifyIsUntrusted() {
    assertThat(HttpErrors.fromIo("PROPFIND /", new SSLHandshakeException("PKIX path building failed")))
        .isInstanceOf(UploadError.Untrusted.class);
  }

  @Test
  void anUntrustedCertificateChainSaysSoAndNamesTheSettingThatTrustsIt() {
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(
        new CertificateException(
            "PKIX path building failed", new CertPathBuilderException("unable to find valid certification path")));

    assertThat(HttpErrors.fromIo("PROPFIND /", handshake))
        .isEqualTo(
            new UploadError.Untrusted(
                "PROPFIND / failed: TLS: the server's certificate is not trusted (unable to find valid certification"
                    + " path); for a private or self-signed one, add its CA to autoupload.target.trusted-certificates"));
  }

  @Test
  void aCertificateForAnotherHostSaysWhyItWasRefused() {
    SSLHandshakeException handshake = new SSLHandshakeException("No name matching nas.local found");
    handshake.initCause(new CertificateException("No name matching nas.local found"));

    assertThat(HttpErrors.fromIo("PUT /a.jpg", handshake))
        .isEqualTo(
            new UploadError.Untrusted("PUT /a.jpg failed: TLS: the server's certificate was refused: No name matching nas.local found"));
  }
}
