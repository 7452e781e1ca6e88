package dev.autoupload.targets.koofr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the Koofr target makes of a misbehaving server: faults injected by a proxy in front of the
 * fake Koofr API, each classified the way the engine acts on (retry later, pause, give up).
 */
class KoofrErrorClassificationTest {

  @TempDir Path spoolDir;

  private FakeKoofr koofr;
  private FaultProxy proxy;
  private KoofrTarget target;

  @BeforeEach
  void proxyInFront() throws Exception {
    koofr = FakeKoofr.start();
    proxy = FaultProxy.start(koofr.endpoint());
    target =
        new KoofrTarget(
            proxy.uri(),
            FakeKoofr.EMAIL,
            "Koofr",
            "/faults",
            TargetSettings.defaults()
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024)
                .withSpoolDir(spoolDir)
                .withPassword(FakeKoofr.APP_PASSWORD));
    target.check();
  }

  @AfterEach
  void stop() {
    target.close();
    proxy.close();
    koofr.close();
  }

  private UploadError probeWith(Fault fault) {
    proxy.failNext(fault);
    return catchThrowableOfType(UploadException.class, () -> target.probe("photo.jpg")).error();
  }

  @Test
  void aResetConnectionMeansTheTargetIsUnreachable() {
    // Twice: Java's client silently retries a GET once when a reused connection turns out closed.
    proxy.failNext(Fault.reset());

    assertThat(probeWith(Fault.reset())).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void aResetConnectionDuringTheUploadMeansTheTargetIsUnreachableAndNothingIsPublished() throws Exception {
    byte[] content = new byte[50_000];
    UploadSession session = target.open("reset.jpg", content.length);
    session.append(0, ByteBuffer.wrap(content));
    proxy.failNext("POST", Fault.reset());

    UploadException failure =
        catchThrowableOfType(UploadException.class, () -> session.complete(content.length, sha256(content)));
    session.close();

    assertThat(failure.error()).isInstanceOf(UploadError.Unreachable.class);
    assertThat(target.probe("reset.jpg")).isEqualTo(new RemoteState.Absent());
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
  void koofrsErrorMessageIsQuoted() {
    UploadError error =
        probeWith(
            Fault.status(403)
                .body("{\"error\":{\"code\":\"Forbidden\",\"message\":\"Mount is read-only\"},\"requestId\":\"r-1\"}"));

    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(error.message()).contains("HTTP 403: Mount is read-only (Forbidden)").doesNotContain("requestId");
  }

  @Test
  void aFullAccountDuringTheUploadIsQuotaExceededAndNothingIsPublished() throws Exception {
    byte[] content = new byte[100_000];
    UploadSession session = target.open("full.jpg", content.length);
    session.append(0, ByteBuffer.wrap(content));
    proxy.failNext("POST", Fault.status(507));

    UploadException failure =
        catchThrowableOfType(UploadException.class, () -> session.complete(content.length, sha256(content)));
    session.close();

    assertThat(failure.error()).isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(target.probe("full.jpg")).isEqualTo(new RemoteState.Absent());
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 413})
  void aFullAccountAnsweredWithAnotherStatusIsQuotaExceededByItsMessage(int status) throws Exception {
    byte[] content = new byte[100_000];
    UploadSession session = target.open("over-quota.jpg", content.length);
    session.append(0, ByteBuffer.wrap(content));
    proxy.failNext(
        "POST",
        Fault.status(status).body("{\"error\":{\"code\":\"QuotaExceeded\",\"message\":\"Quota exceeded\"}}"));

    UploadException failure =
        catchThrowableOfType(UploadException.class, () -> session.complete(content.length, sha256(content)));
    session.close();

    assertThat(failure.error()).isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(failure.error().stopsTheLibrary()).contains(BlockerReason.TARGET_FULL);
    assertThat(failure.error().message()).contains("HTTP " + status).contains("Quota exceeded");
    assertThat(target.probe("over-quota.jpg")).isEqualTo(new RemoteState.Absent());
  }

  @Test
  void aRefusalThatSpeaksOfNoQuotaKeepsItsClass() {
    assertThat(probeWith(Fault.status(403).body("{\"error\":{\"code\":\"Forbidden\",\"message\":\"Access denied\"}}")))
        .isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void anUploadCutOffMidwayMeansTheTargetIsUnreachableAndLeavesNothingOnKoofr() throws Exception {
    byte[] content = new byte[300_000];
    UploadSession session = target.open("cut.mov", content.length);
    session.append(0, ByteBuffer.wrap(content));
    proxy.failNext("POST", Fault.cutAfter(100_000));

    UploadException failure =
        catchThrowableOfType(UploadException.class, () -> session.complete(content.length, sha256(content)));
    session.close();

    assertThat(failure.error()).isInstanceOf(UploadError.Unreachable.class);
    assertThat(target.probe("cut.mov")).isEqualTo(new RemoteState.Absent());
    assertThat(koofr.files("Koofr", "/faults")).isEmpty();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
