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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET} and {@code PUT /api/libraries/{id}/conditions} on one process: a library with
 * conditions of its own (a phone's camera folder on a server) waits for its phone's first report
 * and says why, follows the reports for it alone, and every wrong request gets its own status.
 */
class LibraryConditionsApiTest {

  private static final String PHONE_ON_WIFI =
      """
      {"batteryPercent": 90, "charging": false, "lowPowerMode": false, "network": "WIFI", "metered": false,
       "wifiSsid": "home", "backgroundRefreshAllowed": true, "photoAccess": "FULL", "osState": "BACKGROUND",
       "networkSince": "2020-01-01T00:00:00Z"}""";
  private static final String PHONE_IN_LOW_POWER = PHONE_ON_WIFI.replace("\"lowPowerMode\": false", "\"lowPowerMode\": true");

  @TempDir Path dataDir;

  @Test
  void aPhonesLibraryWaitsForItsReportsAndFollowsThemAlone() throws Exception {
    InMemorySource phonePhotos = new InMemorySource("phone");
    Map<String, String> sent = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      sent.put("IMG_" + i + ".JPG", sha256(phonePhotos.add("IMG_" + i + ".JPG", 20_000 + i)));
    }
    InMemorySource nasPhotos = new InMemorySource("nas");
    nasPhotos.add("scan.jpg", 5_000);
    InMemoryTarget phoneTarget = new InMemoryTarget();
    try (UploadEngine engine = engine();
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.addLibrary(new Library("nas", nasPhotos, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);
      engine.addLibrary(new Library("phone", phonePhotos, phoneTarget).withOwnConditions()).toCompletableFuture().get(10, TimeUnit.SECONDS);

      JsonNode waiting = client.getJson("/api/libraries/phone/conditions");
      assertThat(waiting.get("libraryId").asText()).isEqualTo("phone");
      assertThat(waiting.get("follows").asText()).isEqualTo("reported");
      assertThat(waiting.get("allowed").asBoolean()).isFalse();
      assertThat(waiting.get("reasons").findValuesAsText("code")).containsExactly("CONDITIONS_UNKNOWN");
      assertThat(waiting.get("conditions").isNull()).isTrue();
      JsonNode libraries = client.getJson("/api/libraries");
      assertThat(libraries.findValuesAsText("conditions")).containsExactly("device", "reported");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                assertThat(status.at("/libraries/0/completed").asLong()).as("the device's library").isEqualTo(1);
                assertThat(status.at("/libraries/1/queued").asLong()).isEqualTo(3);
                assertThat(status.at("/libraries/1/reasons").findValuesAsText("code")).contains("CONDITIONS_UNKNOWN");
              });
      assertThat(phoneTarget.files()).isEmpty();

      // Wrong requests, each with its status and words.
      assertThat(TestClient.error(client.putJson("/api/libraries/nas/conditions", PHONE_ON_WIFI), 409))
          .contains("library nas follows the device's conditions");
      assertThat(TestClient.error(client.putJson("/api/libraries/nobody/conditions", PHONE_ON_WIFI), 404)).contains("no library nobody");
      assertThat(TestClient.error(client.get("/api/libraries/nobody/conditions"), 404)).contains("no library nobody");
      assertThat(TestClient.error(client.putJson("/api/libraries/phone/conditions", "{\"batteryPercent\": \"full\"}"), 400))
          .contains("batteryPercent");
      assertThat(TestClient.error(client.putJson("/api/libraries/phone/conditions", "{"), 400)).isNotBlank();
      assertThat(client.getJson("/api/libraries/phone/conditions").get("conditions").isNull())
          .as("nothing wrong was taken")
          .isTrue();

      // Low Power Mode on the phone: blocked at once, and the status says why.
      JsonNode lowPower = TestClient.json(client.putJson("/api/libraries/phone/conditions", PHONE_IN_LOW_POWER));
      assertThat(lowPower.get("allowed").asBoolean()).isFalse();
      assertThat(lowPower.get("reasons").findValuesAsText("code")).contains("LOW_POWER_MODE").doesNotContain("CONDITIONS_UNKNOWN");
      assertThat(lowPower.at("/conditions/lowPowerMode").asBoolean()).isTrue();
      assertThat(client.getJson("/api/status").at("/libraries/1/reasons").findValuesAsText("code")).contains("LOW_POWER_MODE");

      // On Wi-Fi: its files go, byte for byte.
      assertThat(client.putJson("/api/libraries/phone/conditions", PHONE_ON_WIFI).statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(() -> assertThat(client.getJson("/api/status").at("/libraries/1/completed").asLong()).isEqualTo(3));
      Map<String, String> received = new TreeMap<>();
      for (Map.Entry<String, byte[]> file : phoneTarget.files().entrySet()) {
        received.put(file.getKey().substring(file.getKey().lastIndexOf('/') + 1), sha256(file.getValue()));
      }
      assertThat(received).isEqualTo(sent);
      JsonNode following = client.getJson("/api/libraries/phone/conditions");
      assertThat(following.get("allowed").asBoolean()).isTrue();
      assertThat(following.at("/conditions/wifiSsid").asText()).isEqualTo("home");
    }
  }

  private UploadEngine engine() {
    return EngineInternals.start(
        ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.conditions.initial", "desktop"))
            .withFallback(ConfigFactory.load()));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
