package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/events}: live Server-Sent Events from a real engine, read by a real client. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EventStreamTest {

  private static final int SIZE = 2 * 1024 * 1024;

  @TempDir Path dataDir;
  private UploadEngine engine;
  private HttpControlServer server;
  private TestClient client;

  @BeforeEach
  void start() throws IOException {
    engine =
        EngineInternals.start(
            ConfigFactory.parseMap(
                    Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.upload.chunk-bytes", "64KiB"))
                .withFallback(ConfigFactory.load()));
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    client = TestClient.of(server, dataDir);
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

  @Test
  void aFileBeingUploadedSendsProgressThenItsUploadedState() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    source.add("DCIM/video.mov", SIZE);
    String assetId = source.asset("DCIM/video.mov").id();
    InMemoryTarget target = new InMemoryTarget();
    target.holdAppendsAfter(SIZE / 4);
    engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(target.awaitHeld(Duration.ofSeconds(30))).as("the upload reached the gate").isTrue();

    HttpResponse<Stream<String>> response = events();
    try {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      Iterator<String> lines = response.body().iterator();
      TestClient.next(lines, event -> event.type().equals(EventFeed.READY));

      target.releaseHeld(false);

      TestClient.Event progress = TestClient.next(lines, event -> event.type().equals("progress"));
      assertThat(progress.data().get("assetId").asText()).isEqualTo(assetId);
      assertThat(progress.data().get("library").asText()).isEqualTo("camera");
      assertThat(progress.data().get("path").asText()).isEqualTo("DCIM/video.mov");
      assertThat(progress.data().get("size").asLong()).isEqualTo(SIZE);
      assertThat(progress.data().get("offset").asLong()).isBetween((long) SIZE / 4, (long) SIZE);
      assertThat(progress.data().get("percent").asInt()).isBetween(25, 100);

      TestClient.Event uploaded = TestClient.next(lines, event -> event.type().equals("state"));
      assertThat(uploaded.data().get("kind").asText()).isEqualTo("uploaded");
      assertThat(uploaded.data().get("assetId").asText()).isEqualTo(assetId);
      assertThat(uploaded.data().get("bytes").asLong()).isEqualTo(SIZE);
      assertThat(uploaded.data().get("uploadedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    } finally {
      response.body().close();
    }
  }

  @Test
  void aCopyRecordedAsAnAliasSendsItsAlreadyOnTargetStateWithoutARemotePath() throws Exception {
    InMemorySource source = new InMemorySource("copies");
    source.add("a.jpg", 4000);
    source.copy("a.jpg", "copy of a.jpg");
    String copyId = source.asset("copy of a.jpg").id();
    HttpResponse<Stream<String>> response = events();
    try {
      Iterator<String> lines = response.body().iterator();
      TestClient.next(lines, event -> event.type().equals(EventFeed.READY));

      engine.addLibrary(new Library("copies", source, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);

      TestClient.Event alias =
          TestClient.next(
              lines, event -> event.type().equals("state") && event.data().get("kind").asText().equals("already-on-target"));
      assertThat(alias.data().get("assetId").asText()).isEqualTo(copyId);
      assertThat(alias.data().get("path").asText()).isEqualTo("copy of a.jpg");
      assertThat(alias.data().has("remotePath") && !alias.data().get("remotePath").isNull())
          .as("an alias has no remote path of its own")
          .isFalse();
    } finally {
      response.body().close();
    }
  }

  @Test
  void newConditionsSendAVerdictWithTheReasons() {
    HttpResponse<Stream<String>> response = events();
    try {
      Iterator<String> lines = response.body().iterator();
      TestClient.next(lines, event -> event.type().equals(EventFeed.READY));

      client.putJson(
          "/api/conditions",
          """
          {"batteryPercent": 50, "charging": false, "lowPowerMode": true, "network": "WIFI", "metered": false,
           "wifiSsid": "home", "backgroundRefreshAllowed": true, "photoAccess": "FULL", "osState": "BACKGROUND"}""");

      TestClient.Event verdict = TestClient.next(lines, event -> event.type().equals("verdict"));
      assertThat(verdict.data().get("allowed").asBoolean()).isFalse();
      assertThat(verdict.data().get("reasons").findValuesAsText("code")).contains("LOW_POWER_MODE");
      assertThat(verdict.data().get("reasons").findValuesAsText("text")).contains("Waiting — Low Power Mode is on");
    } finally {
      response.body().close();
    }
  }

  @Test
  void stoppingTheServerEndsOpenStreamsAndRemovesTheAddressFile() {
    HttpResponse<Stream<String>> response = events();
    Iterator<String> lines = response.body().iterator();
    TestClient.next(lines, event -> event.type().equals(EventFeed.READY));
    assertThat(AddressFile.file(dataDir)).hasContent("127.0.0.1:" + server.address().getPort());

    server.close();

    await().atMost(Duration.ofSeconds(20)).until(() -> ended(lines));
    assertThat(AddressFile.file(dataDir)).doesNotExist();
  }

  /**
   * Whether the stream is over: a clean end, or the connection closed in the middle of a chunk,
   * which is how a stopping server may end it too.
   */
  private static boolean ended(Iterator<String> lines) {
    try {
      return !lines.hasNext();
    } catch (java.io.UncheckedIOException closed) {
      return true;
    }
  }

  private HttpResponse<Stream<String>> events() {
    return client.events();
  }
}
