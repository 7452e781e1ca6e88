package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import dev.autoupload.targets.tls.TestCertificates;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code webdavs://} checks the server's certificate unless told not to: real nginx servers on
 * 127.0.0.1 presenting a certificate from a trusted private CA, one from an unknown CA, and one
 * from the trusted CA issued for another host name.
 */
class WebDavsCertificateTest {

  @TempDir static Path dir;
  @TempDir Path spoolDir;

  private static TestCertificates certificates;
  private static NginxWebDav trusted;
  private static NginxWebDav unknownCa;
  private static NginxWebDav otherHost;
  private static NginxWebDav plainHttp;

  @BeforeAll
  static void startServers() throws Exception {
    certificates = TestCertificates.create(dir.resolve("tls"));
    trusted = NginxWebDav.startHttps(dir.resolve("trusted"), certificates.loopback());
    unknownCa = NginxWebDav.startHttps(dir.resolve("unknown-ca"), certificates.fromUnknownCa());
    otherHost = NginxWebDav.startHttps(dir.resolve("other-host"), certificates.forOtherHost());
    plainHttp = NginxWebDav.start(dir.resolve("plain"));
  }

  @AfterAll
  static void stopServers() throws Exception {
    for (NginxWebDav server : new NginxWebDav[] {trusted, unknownCa, otherHost, plainHttp}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void aServerSignedByTheTrustedCaIsUsed() throws Exception {
    WebDavTarget target = target(trusted, true, Optional.of(certificates.ca()));

    assertStoresAFile(target, trusted);
  }

  @Test
  void aPrivateCaTheJdkDoesNotKnowIsRefusedAsUntrustedAndNamesTheSetting() {
    UploadError error = checkFails(target(trusted, true, Optional.empty()));

    assertThat(error).isInstanceOf(UploadError.Untrusted.class);
    assertThat(error.message())
        .startsWith("PROPFIND /backup failed: TLS: the server's certificate is not trusted (")
        .contains("autoupload.target.trusted-certificates")
        .doesNotContain("\n");
  }

  @Test
  void trustingOneCaDoesNotTrustAnother() {
    UploadError error = checkFails(target(unknownCa, true, Optional.of(certificates.ca())));

    assertThat(error).isInstanceOf(UploadError.Untrusted.class);
    assertThat(error.message()).contains("the server's certificate is not trusted");
  }

  @Test
  void aCertificateForAnotherHostNameIsRefused() {
    UploadError error = checkFails(target(otherHost, true, Optional.of(certificates.ca())));

    assertThat(error).isInstanceOf(UploadError.Untrusted.class);
    assertThat(error.message())
        .startsWith("PROPFIND /backup failed: TLS: the server's certificate was refused: ")
        .contains("127.0.0.1");
  }

  @Test
  void nothingIsStoredOnAServerThatFailedVerification() {
    WebDavTarget target = target(unknownCa, true, Optional.empty(), "https", "refused");

    UploadException failure = catchThrowableOfType(UploadException.class, () -> target.open("photo.jpg", 3));

    assertThat(failure.error()).isInstanceOf(UploadError.Untrusted.class);
    assertThat(unknownCa.www().resolve("refused")).doesNotExist();
  }

  @Test
  void withVerificationExplicitlyOffAnUnknownCaAndAnotherHostNameAreAccepted() throws Exception {
    assertStoresAFile(target(unknownCa, false, Optional.empty()), unknownCa);
    assertStoresAFile(target(otherHost, false, Optional.empty()), otherHost);
  }

  @Test
  void webdavsAgainstAPlainHttpServerFailsWithoutRetrying() {
    WebDavTarget target = target(plainHttp, true, Optional.empty(), "https", "backup");
    UploadError error = checkFails(target);
    // nginx answers the TLS hello with a plain 400 and closes. Once in about fifteen CI runs (never
    // in 4,000 checks on a quiet or a loaded machine here) the JDK's client saw the close and not
    // the 400: an empty connection, which is rightly Unreachable (a dropped network looks the same)
    // and retried; that retry then meets the 400. So such an empty answer may come first, once.
    if (error instanceof UploadError.Unreachable unreachable
        && unreachable.message().endsWith("header parser received no bytes")) {
      error = checkFails(target);
    }

    assertThat(error)
        .isEqualTo(
            new UploadError.Untrusted(
                "PROPFIND /backup failed: TLS: the server does not speak HTTPS on this port (plain HTTP?)"));
  }

  @Test
  void aTrustedCertificatesFileThatIsNotPemIsAOneLineErrorAtStart() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.txt"), "this is not a certificate\n");

    IllegalArgumentException error =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () ->
                TargetUris.open(
                    "webdavs://" + NginxWebDav.USER + "@127.0.0.1:" + trusted.port() + "/backup",
                    TargetSettings.fromConfig(
                        ConfigFactory.defaultReference()
                            .withValue(
                                "autoupload.target.trusted-certificates",
                                ConfigValueFactory.fromAnyRef(notPem.toString())))));

    assertThat(error.getMessage())
        .startsWith("autoupload.target.trusted-certificates: ")
        .contains(notPem.toString(), "PEM")
        .doesNotContain("\n");
  }

  private WebDavTarget target(NginxWebDav server, boolean verify, Optional<Path> trust) {
    return target(server, verify, trust, server.uri("/").getScheme(), "backup");
  }

  private WebDavTarget target(NginxWebDav server, boolean verify, Optional<Path> trust, String scheme, String root) {
    return new WebDavTarget(
        URI.create(scheme + "://127.0.0.1:" + server.port() + "/" + root),
        Optional.of(NginxWebDav.USER),
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024)
            .withTls(verify, trust)
            .withSpoolDir(spoolDir)
            .withPassword(NginxWebDav.PASSWORD));
  }

  private static UploadError checkFails(WebDavTarget target) {
    return catchThrowableOfType(UploadException.class, target::check).error();
  }

  private static void assertStoresAFile(WebDavTarget target, NginxWebDav server) throws Exception {
    byte[] content = new byte[200_000];
    new Random(7).nextBytes(content);
    String sha256 = Sha256.of(new ByteArrayInputStream(content));
    target.check();
    RemoteFile stored;
    try (UploadSession session = target.open("2024/photo.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(content));
      stored = session.complete(content.length, sha256);
    }

    assertThat(stored).isEqualTo(new RemoteFile("2024/photo.jpg", content.length, sha256));
    assertThat(Files.readAllBytes(server.www().resolve("backup/2024/photo.jpg"))).isEqualTo(content);
  }
}
