package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryRules;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/status} for a library whose rules hold files back or leave them out. */
class HeldFilesApiTest {

  @TempDir Path dataDir;

  @Test
  void statusListsEachHeldFileWithItsReasonAndWhenItGoesAndCountsWhatOnlySinceLeftOut() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    source.add("2020/old.jpg", 100, Instant.parse("2020-05-01T10:00:00Z"));
    source.add("2025/new.jpg", 200, Instant.parse("2025-07-14T10:00:00Z"));
    LibraryRules rules =
        LibraryRules.NONE.withOnlySince(Instant.parse("2024-01-01T00:00:00Z")).withMinAge(Duration.ofDays(3650));
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.addLibrary(new Library("camera", source, target).withRules(rules)).toCompletableFuture().get(10, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                // Nothing else sends, so the engine as a whole waits, for this file's reason.
                assertThat(status.get("state").asText()).isEqualTo("waiting");
                assertThat(status.at("/reasons/0/code").asText()).isEqualTo("TOO_RECENT");
                assertThat(status.at("/run/leftOutByOnlySince").asLong()).isEqualTo(1);
                JsonNode library = status.at("/libraries/0");
                assertThat(library.get("leftOutByOnlySince").asLong()).isEqualTo(1);
                assertThat(library.get("queued").asLong()).isEqualTo(1);
                assertThat(library.get("held")).hasSize(1);
                JsonNode held = library.at("/held/0");
                assertThat(held.get("path").asText()).isEqualTo("2025/new.jpg");
                assertThat(held.at("/reasons/0/code").asText()).isEqualTo("TOO_RECENT");
                assertThat(held.at("/reasons/0/text").asText()).contains("min-age");
                assertThat(held.get("until").asText()).isEqualTo("2035-07-12T10:00:00Z");
              });
    }
    assertThat(target.bytesReceived()).isZero();
  }
}
