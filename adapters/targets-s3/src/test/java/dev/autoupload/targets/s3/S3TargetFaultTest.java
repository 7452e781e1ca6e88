package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.S3Config;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the target makes of a server in trouble, through the real SDK and real HTTP: a loopback
 * server that answers every request with the fault the test sets.
 */
class S3TargetFaultTest {

  private record Fault(int status, String code, String retryAfter) {}

  private final AtomicReference<Fault> fault = new AtomicReference<>();
  private volatile boolean onlyUploadsFail;
  private HttpServer server;
  private S3Target target;

  @BeforeEach
  void startFaultyServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Fault f = fault.get();
          // Read first: the JDK server resets a connection closed with unread bytes.
          exchange.getRequestBody().readAllBytes();
          if (exchange.getRequestMethod().equals("HEAD") && onlyUploadsFail) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
          }
          if (f.status() == 0) {
            // A connection reset: no status line at all.
            exchange.close();
            return;
          }
          byte[] body =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                      + f.code()
                      + "</Code><Message>injected "
                      + f.code()
                      + "</Message></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          if (f.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", f.retryAfter());
          }
          exchange.getResponseHeaders().add("Content-Type", "application/xml");
          boolean head = exchange.getRequestMethod().equals("HEAD");
          exchange.sendResponseHeaders(f.status(), head ? -1 : body.length);
          if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    server.start();
    target =
        S3Target.connect(
            S3Config.of("photos", "")
                .withEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), true)
                .withKey(new S3Config.AccessKey("AKIAFAULTY", "faulty-secret")));
  }

  @AfterEach
  void stop() {
    target.close();
    server.stop(0);
  }

  @Test
  void asksToComeBackLaterOn503SlowDownWithRetryAfter() {
    fault.set(new Fault(503, "SlowDown", "12"));

    UploadError error = checkFails();

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(12));
  }

  @Test
  void treatsAServerErrorAsAnUnreachableTarget() {
    fault.set(new Fault(500, "InternalError", null));

    assertThat(checkFails()).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void reportsAFullServerAsQuotaExceeded() {
    fault.set(new Fault(507, "InsufficientStorage", null));

    assertThat(checkFails()).isInstanceOf(UploadError.QuotaExceeded.class);
  }

  @Test
  void reportsRefusedCredentialsAsUnauthorized() {
    fault.set(new Fault(403, "InvalidAccessKeyId", null));

    UploadError error = checkFails();

    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(error.message()).doesNotContain("faulty-secret");
  }

  @Test
  void treatsABrokenConnectionAsAnUnreachableTarget() {
    fault.set(new Fault(0, "", null));

    assertThat(checkFails()).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void classifiesAFailedProbeToo() {
    fault.set(new Fault(503, "SlowDown", "3"));

    Throwable thrown = catchThrowable(() -> target.probe("IMG_0001.jpg"));

    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void reportsAFullServerDuringAnUploadAsQuotaExceeded() throws Exception {
    fault.set(new Fault(507, "InsufficientStorage", null));
    onlyUploadsFail = true;
    byte[] content = new byte[256 * 1024];

    Throwable thrown;
    try (UploadSession session = target.open("IMG_0001.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(content));
      thrown = catchThrowable(() -> session.complete(content.length, sha256(content)));
    }

    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.QuotaExceeded.class);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private UploadError checkFails() {
    Throwable thrown = catchThrowable(target::check);
    assertThat(thrown).isInstanceOf(UploadException.class);
    return ((UploadException) thrown).error();
  }
}
