package dev.autoupload.http;

import static dev.autoupload.http.TestClient.error;
import static dev.autoupload.http.TestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/verify}, its events on {@code /api/events} and {@code GET /api/verify}, against
 * a real engine that backed up four photos, one of which was since deleted on the target and one
 * replaced.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VerifyApiTest {

  @TempDir Path dataDir;
  private UploadEngine engine;
  private HttpControlServer server;
  private TestClient client;
  private InMemorySource source;

  @BeforeEach
  void start() throws Exception {
    engine =
        EngineInternals.start(
            ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.layout.pattern", "{path}"))
                .withFallback(ConfigFactory.load()));
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    client = TestClient.of(server, dataDir);
    source = new InMemorySource("camera");
    source.add("a.jpg", 3_000);
    source.add("b.jpg", 3_001);
    source.add("deleted.jpg", 3_002);
    source.add("replaced.jpg", 3_003);
    InMemoryTarget target = new InMemoryTarget();
    engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    await("backed up")
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          return status.idle() && status.backedUp() == 4;
        });
    target.deleteFile("deleted.jpg");
    byte[] other = new byte[3_003];
    new Random(1).nextBytes(other);
    target.putFile("replaced.jpg", other);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private HttpResponse<String> postVerify(String body) {
    return client.send(
        client.authorized("/api/verify").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private JsonNode awaitDone(String id) {
    return await("verification " + id + " done")
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.getJson("/api/verify/" + id), report -> !report.get("state").asText().equals("running"));
  }

  @Test
  void aVerificationStreamsItsProgressEveryFileAndItsEndThenServesTheReport() {
    HttpResponse<Stream<String>> events = client.events();
    try {
      Iterator<String> lines = events.body().iterator();
      TestClient.next(lines, event -> event.type().equals(EventFeed.READY));

      HttpResponse<String> accepted = client.post("/api/verify");

      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      JsonNode started = json(accepted);
      String id = started.get("id").asText();
      assertThat(accepted.headers().firstValue("Location")).hasValue("/api/verify/" + id);
      assertThat(started.get("state").asText()).isEqualTo("running");
      assertThat(started.get("mode").asText()).isEqualTo("hashes");
      assertThat(started.get("libraries").get(0).asText()).isEqualTo("camera");

      List<TestClient.Event> seen = new ArrayList<>();
      TestClient.Event done =
          TestClient.next(
              lines,
              event -> {
                seen.add(event);
                return event.type().equals(EventFeed.VERIFY_DONE) && event.data().get("id").asText().equals(id);
              });

      Map<String, String> marks = new TreeMap<>();
      for (TestClient.Event event : seen) {
        if (event.type().equals(EventFeed.VERIFY_FILE)) {
          assertThat(event.data().get("id").asText()).isEqualTo(id);
          assertThat(event.data().get("library").asText()).isEqualTo("camera");
          marks.put(event.data().get("path").asText(), event.data().get("mark").asText());
        }
      }
      assertThat(marks).isEqualTo(Map.of("a.jpg", "=", "b.jpg", "=", "deleted.jpg", "-", "replaced.jpg", "*"));
      List<JsonNode> progress =
          seen.stream().filter(event -> event.type().equals(EventFeed.VERIFY_PROGRESS)).map(TestClient.Event::data).toList();
      assertThat(progress.get(0).get("checked").asLong()).isZero();
      assertThat(progress.get(0).get("total").asLong()).isEqualTo(4);
      assertThat(progress.get(progress.size() - 1).get("checked").asLong()).isEqualTo(4);
      assertThat(done.data().get("state").asText()).isEqualTo("done");
      assertThat(done.data().get("complete").asBoolean()).isFalse();
      assertThat(done.data().get("files").isNull()).isTrue();
      assertThat(done.data().get("counts"))
          .isEqualTo(TestClient.JSON.valueToTree(Map.of("files", 4, "same", 2, "differ", 1, "missing", 1, "unchecked", 0)));

      JsonNode report = client.getJson("/api/verify/" + id);
      assertThat(report.get("state").asText()).isEqualTo("done");
      assertThat(report.get("files")).hasSize(4);
      JsonNode replaced = report.get("files").get(3);
      assertThat(replaced.get("path").asText()).isEqualTo("replaced.jpg");
      assertThat(replaced.get("mark").asText()).isEqualTo("*");
      assertThat(replaced.get("verdict").asText()).isEqualTo("differs");
      assertThat(replaced.get("remotePath").asText()).isEqualTo("replaced.jpg");
      assertThat(replaced.get("reason").asText()).startsWith("replaced.jpg holds other content of the same size (3003 bytes)");
      assertThat(client.getJson("/api/verify")).isEqualTo(report);
    } finally {
      events.body().close();
    }
  }

  @Test
  void aChosenLibraryCanBeReadBackFileByFile() {
    HttpResponse<String> accepted = postVerify("{\"library\": \"camera\", \"download\": true}");

    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    JsonNode report = awaitDone(json(accepted).get("id").asText());
    assertThat(report.get("mode").asText()).isEqualTo("download");
    assertThat(report.get("files").get(0).get("reason").asText()).isEqualTo("a.jpg has the same size and sha256 (read back)");
    assertThat(report.get("bytesRead").asLong()).isPositive();
  }

  @Test
  void aSecondVerificationWhileOneRunsIs409() {
    source.holdReads("a.jpg");
    int opened = source.opens();
    String id;
    try {
      id = json(client.post("/api/verify")).get("id").asText();
      await("the verification reads a.jpg").atMost(Duration.ofSeconds(30)).until(() -> source.opens() > opened);

      assertThat(error(client.post("/api/verify"), 409)).contains(id).contains("still running");
      assertThat(client.getJson("/api/verify").get("state").asText()).isEqualTo("running");
      assertThat(client.getJson("/api/verify").get("files").isNull()).isTrue();
    } finally {
      source.releaseReads();
    }
    assertThat(awaitDone(id).get("state").asText()).isEqualTo("done");
    assertThat(client.post("/api/verify").statusCode()).isEqualTo(202);
  }

  @Test
  void badRequestsAreJsonErrorsNamingWhatIsWrong() {
    assertThat(error(client.get("/api/verify"), 404)).contains("no verification");
    assertThat(json(postVerify("[1]")).get("field").asText()).isEqualTo("verify");
    assertThat(error(postVerify("{\"libary\": \"camera\"}"), 400)).contains("unknown field libary");
    assertThat(json(postVerify("{\"download\": \"yes\"}")).get("field").asText()).isEqualTo("download");
    assertThat(json(postVerify("{\"library\": 5}")).get("field").asText()).isEqualTo("library");
    assertThat(error(postVerify("{\"library\": "), 400)).startsWith("malformed JSON");
    HttpResponse<String> unknown = postVerify("{\"library\": \"phone\"}");
    assertThat(error(unknown, 404)).isEqualTo("no library phone here; this instance backs up camera");
    assertThat(json(unknown).get("field").asText()).isEqualTo("library");
    assertThat(
            error(
                client.send(
                    client.authorized("/api/verify").header("Content-Type", "text/plain")
                        .POST(HttpRequest.BodyPublishers.ofString("camera"))),
                415))
        .isNotBlank();
    assertThat(error(client.get("/api/verify/no-such-id"), 404)).contains("no-such-id");
    assertThat(error(client.send(client.authorized("/api/verify").DELETE()), 405)).isNotBlank();
  }
}
