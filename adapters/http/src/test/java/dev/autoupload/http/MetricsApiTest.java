package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} scraped during a run, while it is paused and once it is done: the counters
 * agree with the run's status, the gauges with what waits, and the route needs the token.
 */
class MetricsApiTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void theCountersAgreeWithTheRunAndTheGaugesWithWhatWaits() throws Exception {
    InMemorySource camera = new InMemorySource("camera");
    long bytes = 0;
    for (int i = 1; i <= 5; i++) {
      bytes += camera.add("IMG_000" + i + ".jpg", 1000 * i).length;
    }
    try (UploadEngine engine =
            EngineInternals.start(ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString())));
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.pause().toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", camera, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);

      HttpResponse<String> anonymous = client.send(client.request("/metrics"));
      assertThat(anonymous.statusCode()).isEqualTo(401);

      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                Map<String, Double> paused = scrape(client);
                assertThat(paused).containsEntry("autoupload_queue_depth{library=\"camera\"}", 5.0);
                assertThat(paused).containsEntry("autoupload_uploads_in_flight{library=\"camera\"}", 0.0);
                assertThat(paused).containsEntry("autoupload_stalled{library=\"camera\"}", 0.0);
                assertThat(paused.get("autoupload_blocked_seconds_total{reason=\"USER_PAUSED\"}")).isPositive();
              });

      engine.resume().toCompletableFuture().get(10, TimeUnit.SECONDS);
      await()
          .atMost(TIMEOUT)
          .until(() -> engine.status().toCompletableFuture().get(10, TimeUnit.SECONDS).idle());
      EngineStatus status = engine.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Map<String, Double> done = scrape(client);

      assertThat(status.libraries().get(0).completed()).isEqualTo(5);
      assertThat(done)
          .containsEntry("autoupload_files_total{library=\"camera\",outcome=\"uploaded\"}", (double) status.libraries().get(0).completed())
          .containsEntry("autoupload_uploaded_bytes_total{library=\"camera\"}", (double) bytes)
          .containsEntry("autoupload_upload_duration_seconds_count{library=\"camera\"}", 5.0)
          .containsEntry("autoupload_queue_depth{library=\"camera\"}", 0.0);
      assertThat(done.get("autoupload_journal_commit_seconds_count")).isGreaterThanOrEqualTo(1.0);
      assertThat(done.get("autoupload_journal_file_bytes")).as("size of the journal's file").isPositive();
      assertThat(done).doesNotContainKey("autoupload_files_total{library=\"camera\",outcome=\"failed\"}");
    }
  }

  @Test
  void anEndpointStartedAfterTheRunKeepsWhatItsMetricsCountedBefore() throws Exception {
    InMemorySource camera = new InMemorySource("camera");
    for (int i = 1; i <= 3; i++) {
      camera.add("IMG_000" + i + ".jpg", 1000 * i);
    }
    try (UploadEngine engine =
        EngineInternals.start(ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString())))) {
      HttpControlServer.Metrics metrics = HttpControlServer.Metrics.countingFromNow(engine);
      engine.addLibrary(new Library("camera", camera, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);
      await()
          .atMost(TIMEOUT)
          .until(() -> engine.status().toCompletableFuture().get(10, TimeUnit.SECONDS).libraries().get(0).completed() == 3);
      // What a registry added only now would show: Micrometer gives it nothing counted before.
      PrometheusMeterRegistry late = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      engine.meterRegistry().add(late);
      assertThat(late.scrape()).doesNotContain("autoupload_files_total{library=\"camera\",outcome=\"uploaded\"} 3.0");

      try (HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0, metrics)) {
        Map<String, Double> samples = scrape(TestClient.of(server, dataDir));

        assertThat(samples)
            .containsEntry("autoupload_files_total{library=\"camera\",outcome=\"uploaded\"}", 3.0)
            .containsEntry("autoupload_upload_duration_seconds_count{library=\"camera\"}", 3.0);
      }
    }
  }

  /** Every sample of the scrape, by its name and labels. */
  private static Map<String, Double> scrape(TestClient client) {
    HttpResponse<String> response = client.send(client.authorized("/metrics"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    Map<String, Double> samples = new HashMap<>();
    response.body().lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank())
        .forEach(
            line -> {
              int space = line.lastIndexOf(' ');
              samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            });
    return samples;
  }
}
