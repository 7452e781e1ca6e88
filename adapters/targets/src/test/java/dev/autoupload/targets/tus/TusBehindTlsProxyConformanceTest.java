package dev.autoupload.targets.tus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.tls.TestCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite again on a tus server behind a TLS-terminating proxy: the endpoint is {@code
 * https://}, the server answers with absolute {@code http://} Locations built from the Host it
 * sees, as tusd does there (tus/tusd#277, #753). The
 * target takes them as {@code https://} on the same host and port and never sends anything in
 * clear; the proxy passes only TLS, so a request sent as plain http would fail.
 */
class TusBehindTlsProxyConformanceTest extends TusTargetConformanceTest {

  private static final AtomicInteger HTTP_LOCATIONS = new AtomicInteger();

  @TempDir static Path certificateDir;
  private static TestCertificates certificates;

  private TlsTerminatingProxy proxy;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = TestCertificates.create(certificateDir);
  }

  @Override
  protected URI endpoint(TusServer server) throws Exception {
    if (proxy == null) {
      server.absoluteHttpLocations(true);
      proxy = TlsTerminatingProxy.start(certificates, server.port());
    }
    return proxy.uri().resolve(TusServer.FILES);
  }

  @Override
  protected TargetSettings transport(TargetSettings settings) {
    return settings.withTls(true, Optional.of(certificates.ca()));
  }

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      HTTP_LOCATIONS.addAndGet(proxy.httpLocations());
      proxy.close();
    }
  }

  /** Without an http:// Location answered, this class would prove nothing the plain suite does not. */
  @AfterAll
  static void theServerAnsweredHttpLocations() {
    assertThat(HTTP_LOCATIONS.get()).as("answers with an absolute http:// Location").isPositive();
  }
}
