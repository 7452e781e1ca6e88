package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code files} in {@code /api/status}, the one count the page's header and counters show, and
 * {@code /api/activity/hours}, its chart: paused files count as waiting, and every file is in one
 * place.
 */
class ActivityCountsApiTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void pausedFilesCountAsWaitingThenAsBackedUpAndTheChartShowsTheHour() throws Exception {
    InMemorySource camera = new InMemorySource("camera");
    for (int i = 1; i <= 3; i++) {
      camera.add("IMG_000" + i + ".jpg", 2000 * i);
    }
    try (UploadEngine engine =
            EngineInternals.start(ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString())));
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.pause().toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", camera, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);

      JsonNode paused =
          await().atMost(TIMEOUT).until(() -> client.getJson("/api/status"), status -> status.get("files").get("found").asLong() == 3);
      assertThat(paused.get("state").asText()).isEqualTo("paused");
      assertThat(files(paused)).containsExactly(3L, 0L, 0L, 3L, 0L, 0L);

      engine.resume().toCompletableFuture().get(10, TimeUnit.SECONDS);
      JsonNode done =
          await().atMost(TIMEOUT).until(() -> client.getJson("/api/status"), status -> status.get("state").asText().equals("idle"));
      assertThat(files(done)).containsExactly(3L, 3L, 0L, 0L, 0L, 0L);

      Instant hourBefore = Instant.now().truncatedTo(ChronoUnit.HOURS);
      JsonNode hours =
          await()
              .atMost(TIMEOUT)
              .until(() -> client.getJson("/api/activity/hours").get("hours"), list -> backedUp(list) == 3);
      Instant hourAfter = Instant.now().truncatedTo(ChronoUnit.HOURS);
      assertThat(hours).hasSize(24);
      Instant last = Instant.parse(hours.get(23).get("start").asText());
      assertThat(last).as("the current hour last").isBetween(hourBefore, hourAfter);
      assertThat(Instant.parse(hours.get(0).get("start").asText())).isEqualTo(last.minus(23, ChronoUnit.HOURS));
      assertThat(hours.get(23).get("backlog").asLong()).as("nothing left, as just seen").isZero();
      assertThat(hours.get(0).get("backlog").isNull()).as("not seen before the endpoint started").isTrue();
      assertThat(client.send(client.request("/api/activity/hours").GET()).statusCode()).isEqualTo(401);
    }
  }

  private static long backedUp(JsonNode hours) {
    long sum = 0;
    for (JsonNode hour : hours) {
      sum += hour.get("backedUp").asLong();
    }
    return sum;
  }

  /** found, backedUp, uploading, waiting, failed, skipped. */
  private static java.util.List<Long> files(JsonNode status) {
    JsonNode files = status.get("files");
    return java.util.stream.Stream.of("found", "backedUp", "uploading", "waiting", "failed", "skipped")
        .map(name -> files.get(name).asLong())
        .toList();
  }
}
