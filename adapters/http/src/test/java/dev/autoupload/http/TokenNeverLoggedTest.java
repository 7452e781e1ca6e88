package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.autoupload.engine.UploadEngine;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Whatever clients send, right or wrong, well-formed or not, the token never reaches a log line. */
class TokenNeverLoggedTest {

  @TempDir Path dataDir;

  @Test
  void noLogLineCarriesTheToken() throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger ours = logging.getLogger("dev.autoupload");
    Level before = ours.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(logging);
    captured.start();
    root.addAppender(captured);
    ours.setLevel(Level.DEBUG);
    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      String token = ApiToken.read(dataDir).orElseThrow().value();
      TestClient client = new TestClient(server.url(), token);

      client.get("/api/status");
      client.get("/api/activity?limit=abc");
      client.putJson("/api/conditions", "{\"batteryPercent\": \"" + token + "\"}");
      client.putJson("/api/conditions", "{" + token);
      client.send(client.request("/api/status").header("Authorization", "Bearer " + token + "x"));
      client.send(client.request("/api/status").header("Cookie", Sessions.COOKIE + "=" + token));
      client.send(client.request("/login").header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
      client.send(client.request("/login").header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("token=" + token + "x")));
      client.raw("GET", "/api/status", "127.0.0.1", "Authorization: Basic " + token + "!!!");
      client.raw("GET", "/api/status", "127.0.0.1", "Authorization: Bearer " + token, "Cookie: ;;" + token + "==;");
      client.raw("GET", "/api/status", "evil.example", "Authorization: Bearer " + token);
      client.raw("GET", "/api/status?x=" + token, "127.0.0.1", "Authorization " + token);
      client.raw("GET", "/api/" + "x".repeat(5000), "127.0.0.1", "Authorization: Bearer " + token);
      // Answered before its body arrived, Pekko would log the request's URI, query and all.
      RawHttp.exchange(
          server.address().getPort(),
          ("GET /?token=" + token + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII),
          false,
          Duration.ofSeconds(10));

      assertThat(captured.list).isNotEmpty();
      assertThat(captured.list)
          .allSatisfy(
              event -> {
                assertThat(event.getFormattedMessage()).doesNotContain(token);
                if (event.getThrowableProxy() != null) {
                  assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(token);
                }
              });
    } finally {
      root.detachAppender(captured);
      ours.setLevel(before);
    }
  }
}
