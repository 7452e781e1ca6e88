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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/status} while one library's backup keeps failing and the other backs up. */
class LibraryDownApiTest {

  @TempDir Path dataDir;

  @Test
  void aLibraryThatKeepsFailingIsDownWithItsReasonAndTheOtherIsBackedUp() throws Exception {
    InMemorySource brokenSource = new InMemorySource("broken");
    brokenSource.add("a.jpg", 100);
    InMemoryTarget brokenTarget = new InMemoryTarget();
    brokenTarget.failNameRules(Optional.of(new IllegalStateException("the target lost its settings")));
    InMemorySource camera = new InMemorySource("camera");
    camera.add("b.jpg", 200);
    try (UploadEngine engine =
            EngineInternals.start(
                ConfigFactory.parseMap(
                        Map.of(
                            "autoupload.data-dir", dataDir.toString(),
                            "autoupload.supervision.min-backoff", "50ms",
                            "autoupload.supervision.max-backoff", "200ms"))
                    .withFallback(ConfigFactory.load()));
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.addLibrary(new Library("broken", brokenSource, brokenTarget).watched()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", camera, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                assertThat(status.get("state").asText()).isEqualTo("waiting");
                assertThat(status.at("/reasons/0/code").asText()).isEqualTo("LIBRARY_DOWN");
                JsonNode down = status.at("/libraries/0/down");
                assertThat(down.get("reason").asText()).isEqualTo("IllegalStateException: the target lost its settings");
                assertThat(down.get("restarting").asBoolean()).isTrue();
                assertThat(down.get("failures").asInt()).isGreaterThanOrEqualTo(2);
                assertThat(down.get("since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
                assertThat(status.at("/libraries/1/down").isNull()).isTrue();
                assertThat(status.at("/libraries/1/completed").asLong()).isEqualTo(1);
              });
    }
  }
}
