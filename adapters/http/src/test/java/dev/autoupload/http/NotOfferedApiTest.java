package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/status} counts and names what a library's source passed over, never as backed up. */
class NotOfferedApiTest {

  @TempDir Path dataDir;

  @Test
  void statusNamesWhatEachSourcePassedOverAndCountsItForTheRun() throws Exception {
    InMemorySource documents = new InMemorySource("documents");
    documents.add("IMG_0001.jpg", 100);
    documents.passOver(new NotOffered(2001, new TreeMap<>(Map.of("pdf", 1990, "txt", 10, "", 1))));
    InMemorySource camera = new InMemorySource("camera");
    camera.add("IMG_0002.jpg", 200);
    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.addLibrary(new Library("documents", documents, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", camera, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                assertThat(status.get("state").asText()).isEqualTo("idle");
                assertThat(status.at("/files/found").asLong()).as("passed over, not found").isEqualTo(2);
                assertThat(status.at("/files/backedUp").asLong()).isEqualTo(2);
                assertThat(status.at("/run/notOffered").asLong()).isEqualTo(2001);
                for (JsonNode library : status.get("libraries")) {
                  JsonNode notOffered = library.get("notOffered");
                  if (library.get("id").asText().equals("documents")) {
                    assertThat(notOffered.get("files").asLong()).isEqualTo(2001);
                    assertThat(notOffered.at("/byExtension/pdf").asLong()).isEqualTo(1990);
                    assertThat(notOffered.at("/byExtension/txt").asLong()).isEqualTo(10);
                    assertThat(notOffered.get("byExtension").get("").asLong()).isEqualTo(1);
                    assertThat(notOffered.get("text").asText())
                        .isEqualTo(
                            "2001 files under " + library.get("source").asText() + " are not a photo or video by extension"
                                + " and were not backed up (.pdf 1990, .txt 10, no extension 1)");
                  } else {
                    assertThat(notOffered.get("files").asLong()).isZero();
                    assertThat(notOffered.get("byExtension")).isEmpty();
                    assertThat(notOffered.get("text").isNull()).isTrue();
                  }
                }
              });
    }
  }
}
