package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.tls.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebDAV target over HTTPS ({@code webdavs://}) against a real nginx with a certificate from a
 * private CA passes the suite every target must pass, with verification on: the client trusts that
 * CA through {@code trusted-certificates}, nothing more.
 */
class WebDavsTargetConformanceTest extends TargetConformance {

  private static final int CHUNK = 64 * 1024;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir static Path serverDir;
  @TempDir Path spoolDir;

  private static TestCertificates certificates;
  private static NginxWebDav nginx;
  /** A fresh collection per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final String rootName = "conformance-" + ROOTS.incrementAndGet();

  @BeforeAll
  static void startNginx() throws Exception {
    certificates = TestCertificates.create(serverDir.resolve("tls"));
    nginx = NginxWebDav.startHttps(serverDir.resolve("nginx"), certificates.loopback());
  }

  @AfterAll
  static void stopNginx() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
  }

  @Override
  protected UploadTarget newTarget() {
    return new WebDavTarget(
        nginx.uri("/" + rootName),
        Optional.of(NginxWebDav.USER),
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024)
            .withTls(true, Optional.of(certificates.ca()))
            .withSpoolDir(spoolDir)
            .withPassword(NginxWebDav.PASSWORD));
  }

  @Override
  protected boolean resumable() {
    return false;
  }

  @Override
  protected int chunkSize() {
    return CHUNK;
  }

  /** What nginx really stored, read from its document root. */
  @Override
  protected Optional<ServerView> serverView() {
    return Optional.of(ServerView.ofFolder(nginx.www().resolve(rootName)));
  }

  /** Changes on nginx's disk, as another client's writes would make them. */
  @Override
  protected Optional<Tampering> tampering() {
    return Optional.of(Tampering.ofFolder(nginx.www().resolve(rootName)));
  }
}
