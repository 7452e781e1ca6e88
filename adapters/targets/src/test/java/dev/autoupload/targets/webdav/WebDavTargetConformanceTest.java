package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetConformance;
import dev.autoupload.targets.TargetSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The WebDAV target against a real nginx passes the suite every target must pass. */
class WebDavTargetConformanceTest extends TargetConformance {

  private static final int CHUNK = 64 * 1024;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @RegisterExtension static final NginxWebDavServer nginx = new NginxWebDavServer();

  @TempDir Path spoolDir;

  /** A fresh collection per test; JUnit makes a new instance per test, before any @BeforeEach. */
  private final String rootName = "conformance-" + ROOTS.incrementAndGet();

  @Override
  protected UploadTarget newTarget() {
    return new WebDavTarget(
        nginx.uri("/" + rootName),
        Optional.of(NginxWebDav.USER),
            TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));
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
