package dev.autoupload.targets.tus;

import static dev.autoupload.targets.tus.TusTargetTest.errorOf;
import static dev.autoupload.targets.tus.TusTargetTest.randomBytes;
import static dev.autoupload.targets.tus.TusTargetTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tus client makes of a misbehaving server: faults injected by a proxy in front of a real
 * tus-java-server on the PATCH of a chunk, each classified the way the engine acts on (retry
 * later, pause, give up), and an upload that still completes once the fault is gone.
 */
class TusErrorClassificationTest {

  private static final int CHUNK = 8 * 1024;

  @TempDir static Path storage;
  private static TusServer server;
  private FaultProxy proxy;
  private TusTarget target;
  private final byte[] content = randomBytes(2 * CHUNK, 42);
  private UploadSession session;

  @BeforeAll
  static void startServer() throws Exception {
    server = TusServer.start(storage);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void openThroughAProxy() throws Exception {
    proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + server.port()));
    target =
        new TusTarget(
            proxy.uri().resolve(TusServer.FILES),
            Optional.empty(),
            TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024),
            CHUNK);
    target.check();
    session = target.open("photo.jpg", content.length);
  }

  @AfterEach
  void stopProxy() {
    session.close();
    proxy.close();
  }

  private UploadError patchWith(Fault fault) {
    proxy.failNext("PATCH", fault);
    return errorOf(() -> session.append(0, ByteBuffer.wrap(content, 0, CHUNK)));
  }

  @Test
  void aResetConnectionMeansTheTargetIsUnreachable() {
    assertThat(patchWith(Fault.reset())).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void aServerErrorMeansTheTargetIsUnreachable() {
    assertThat(patchWith(Fault.status(500))).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void unavailableWithRetryAfterIsUnreachableAndKeepsTheDelay() {
    UploadError error = patchWith(Fault.status(503).retryAfter(7));

    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void lockedIsTransientAndKeepsTheDelay() {
    UploadError error = patchWith(Fault.status(423).retryAfter(2));

    assertThat(((UploadError.Transient) error).retryAfter()).contains(Duration.ofSeconds(2));
  }

  @Test
  void tooManyRequestsIsUnreachableAndKeepsTheDelay() {
    UploadError error = patchWith(Fault.status(429).retryAfter(3));

    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(3));
  }

  @Test
  void insufficientStorageIsQuotaExceeded() {
    assertThat(patchWith(Fault.status(507))).isInstanceOf(UploadError.QuotaExceeded.class);
  }

  @Test
  void unauthorizedIsUnauthorized() {
    assertThat(patchWith(Fault.status(401))).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void aPatchAnsweredWithoutAnOffsetIsTransient() {
    UploadError error = patchWith(Fault.status(200));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("without Upload-Offset");
  }

  @Test
  void aPatchAnsweredWithGarbageForAnOffsetIsPermanent() {
    UploadError error = patchWith(Fault.status(200).header("Upload-Offset", "lots"));

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("\"lots\"");
  }

  @Test
  void aServerThatLosesTheAnswerKeepsTheChunkAndTheNextSessionContinuesAfterIt() throws Exception {
    UploadError error = patchWith(Fault.forwardThenReset());
    session.close();

    UploadSession next = target.open("photo.jpg", content.length, session.resumeToken());
    long nextAt = next.offset();
    next.append(nextAt, ByteBuffer.wrap(content, (int) nextAt, content.length - (int) nextAt));
    next.complete(content.length, sha256(content));

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(nextAt).isEqualTo(CHUNK);
    assertThat(sha256(server.bytes(URI.create(session.resumeToken().get())))).isEqualTo(sha256(content));
  }
}
