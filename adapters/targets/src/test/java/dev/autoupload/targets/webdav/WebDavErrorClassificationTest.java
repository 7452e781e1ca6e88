package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real WebDAV client makes of a misbehaving server: faults injected by a proxy in front of
 * a real nginx, each classified the way the engine acts on (retry later, pause, give up).
 */
class WebDavErrorClassificationTest {

  @TempDir Path spoolDir;

  @RegisterExtension static final NginxWebDavServer nginx = new NginxWebDavServer();

  private FaultProxy proxy;
  private WebDavTarget target;

  @BeforeEach
  void proxyInFront() throws Exception {
    proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + nginx.port()));
    target =
        new WebDavTarget(
            proxy.uri().resolve("/faults"),
            Optional.of(NginxWebDav.USER),
            TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));
    target.check();
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }

  private UploadError probeWith(Fault fault) {
    proxy.failNext(fault);
    return catchThrowableOfType(UploadException.class, () -> target.probe("photo.jpg")).error();
  }

  @Test
  void aResetConnectionMeansTheTargetIsUnreachable() {
    assertThat(probeWith(Fault.reset())).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void aServerErrorMeansTheTargetIsUnreachable() {
    assertThat(probeWith(Fault.status(500))).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void unavailableWithRetryAfterIsUnreachableAndKeepsTheDelay() {
    UploadError error = probeWith(Fault.status(503).retryAfter(7));

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void tooManyRequestsWithRetryAfterIsUnreachableAndKeepsTheDelay() {
    UploadError error = probeWith(Fault.status(429).retryAfter(3));

    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void insufficientStorageIsQuotaExceeded() {
    assertThat(probeWith(Fault.status(507))).isInstanceOf(UploadError.QuotaExceeded.class);
  }

  @Test
  void unauthorizedIsUnauthorized() {
    assertThat(probeWith(Fault.status(401))).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void aFullServerDuringThePublishIsQuotaExceededAndNothingIsPublished() throws Exception {
    byte[] content = new byte[100_000];
    proxy.failNext("PUT", Fault.status(507));
    UploadSession session = target.open("full.jpg", content.length);

    // The PUT starts with the first append, so the answer may come to it or to the completion.
    UploadException failure =
        catchThrowableOfType(
            UploadException.class,
            () -> {
              session.append(0, ByteBuffer.wrap(content));
              session.complete(content.length, Sha256.of(new ByteArrayInputStream(content)));
            });
    session.close();

    assertThat(failure.error()).isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(target.probe("full.jpg")).isEqualTo(new RemoteState.Absent());
  }
}
