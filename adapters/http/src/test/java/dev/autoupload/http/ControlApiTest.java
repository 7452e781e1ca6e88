package dev.autoupload.http;

import static dev.autoupload.http.TestClient.error;
import static dev.autoupload.http.TestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON API on a real port with a real client, against a real engine on H2 that has backed up
 * a photo from 2023 and one from 2025 and failed on an unreadable file.
 */
class ControlApiTest {

  private static final String DESKTOP =
      """
      {"batteryPercent": 100, "charging": true, "lowPowerMode": false, "network": "ETHERNET",
       "metered": false, "wifiSsid": null, "backgroundRefreshAllowed": true,
       "photoAccess": "FULL", "osState": "FOREGROUND"}""";
  private static final String CELLULAR =
      """
      {"batteryPercent": 90, "charging": false, "lowPowerMode": false, "network": "CELLULAR",
       "metered": true, "wifiSsid": null, "backgroundRefreshAllowed": true,
       "photoAccess": "FULL", "osState": "BACKGROUND"}""";

  /** Every route under /api, as method and path. */
  private static final List<String[]> API_ROUTES =
      List.of(
          new String[] {"GET", "/api/status"},
          new String[] {"GET", "/api/activity"},
          new String[] {"GET", "/api/freed"},
          new String[] {"GET", "/api/uploads"},
          new String[] {"POST", "/api/pause"},
          new String[] {"POST", "/api/resume"},
          new String[] {"PUT", "/api/conditions"},
          new String[] {"POST", "/api/uploads/some-id/retry"},
          new String[] {"GET", "/api/events"},
          new String[] {"POST", "/api/verify"},
          new String[] {"GET", "/api/verify"},
          new String[] {"GET", "/api/verify/some-id"},
          new String[] {"GET", "/api/session"},
          new String[] {"POST", "/api/logout"},
          new String[] {"GET", "/api/libraries"},
          new String[] {"POST", "/api/libraries"},
          new String[] {"DELETE", "/api/libraries/camera"},
          new String[] {"GET", "/api/libraries/camera/conditions"},
          new String[] {"PUT", "/api/libraries/camera/conditions"},
          new String[] {"GET", "/api/no-such-route"});

  @TempDir static Path dataDir;
  private static UploadEngine engine;
  private static HttpControlServer server;
  private static TestClient client;

  @BeforeAll
  static void start() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    source.add("2025/beach.jpg", 5_000, Instant.parse("2025-07-14T10:00:00Z"));
    source.add("2023/old-phone.jpg", 7_000, Instant.parse("2023-03-02T18:30:00Z"));
    source.add("broken.jpg", 100);
    source.makeUnreadable("broken.jpg");
    engine = UploadEngine.start(dataDir);
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    client = TestClient.of(server, dataDir);
    engine.addLibrary(new Library("camera", source, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);
    await("backup done and projected")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              JsonNode status = client.getJson("/api/status");
              assertThat(status.get("state").asText()).isEqualTo("idle");
              assertThat(status.at("/counts/completed").asLong()).isEqualTo(2);
              assertThat(status.at("/counts/failed").asLong()).isEqualTo(1);
            });
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  // ---- GET /api/status ----

  @Test
  void statusTellsTheRunStateReasonsCountsAndRate() {
    JsonNode status = client.getJson("/api/status");

    assertThat(status.get("state").asText()).isEqualTo("idle");
    assertThat(status.get("allowed").asBoolean()).isTrue();
    assertThat(status.get("reasons")).isEmpty();
    assertThat(fieldNames(status.get("counts"))).containsExactly("uploading", "paused", "completed", "failed", "skipped");
    assertThat(status.get("bytesPerSecond").isIntegralNumber()).isTrue();
    assertThat(status.at("/run/discovered").asLong()).isEqualTo(3);
    assertThat(status.at("/run/backedUp").asLong()).isEqualTo(2);
    assertThat(fieldNames(status.get("files"))).containsExactly("found", "backedUp", "uploading", "waiting", "failed", "skipped");
    assertThat(status.at("/files/found").asLong()).isEqualTo(3);
    assertThat(status.at("/files/backedUp").asLong()).isEqualTo(2);
    assertThat(status.at("/files/failed").asLong()).isEqualTo(1);
    JsonNode library = status.at("/libraries/0");
    assertThat(library.get("id").asText()).isEqualTo("camera");
    assertThat(library.at("/failures/0/path").asText()).isEqualTo("broken.jpg");
    assertThat(library.at("/failures/0/error").asText()).contains("permission denied");
    assertThat(status.at("/conditions/network").asText()).isEqualTo("ETHERNET");
  }

  // ---- GET /api/activity ----

  @Test
  void activityListsCompletedUploadsInTheDocumentedShapeWithIsoTimes() {
    JsonNode page = client.getJson("/api/activity?limit=10");

    assertThat(fieldNames(page)).containsExactly("items", "next");
    assertThat(page.get("next").isNull()).isTrue();
    assertThat(page.get("items")).hasSize(2);
    for (JsonNode item : page.get("items")) {
      assertThat(fieldNames(item))
          .containsExactly("assetId", "library", "path", "remotePath", "createdAt", "uploadedAt", "bytes", "state", "livePhotoVideo", "note", "thumbnailUrl");
      assertThat(item.get("thumbnailUrl").asText()).isEqualTo("/api/thumbnails/camera/" + item.get("assetId").asText());
      assertThat(item.get("library").asText()).isEqualTo("camera");
      assertThat(item.get("state").asText()).isEqualTo("completed");
      assertThat(Instant.parse(item.get("uploadedAt").asText())).isAfter(Instant.parse("2025-08-01T00:00:00Z"));
      Instant.parse(item.get("createdAt").asText());
    }
    JsonNode old = find(page.get("items"), "2023/old-phone.jpg");
    assertThat(old.get("createdAt").asText()).isEqualTo("2023-03-02T18:30:00Z");
    assertThat(old.get("bytes").asLong()).isEqualTo(7_000);
    assertThat(old.get("remotePath").asText()).as("filed under the month it was taken").isEqualTo("2023/03/old-phone.jpg");
  }

  @Test
  void activityByCreationDatePutsThe2023PhotoLast() {
    JsonNode page = client.getJson("/api/activity?order=created");

    assertThat(paths(page)).containsExactly("2025/beach.jpg", "2023/old-phone.jpg");
  }

  @Test
  void activityPagesWithTheNextCursor() {
    JsonNode first = client.getJson("/api/activity?limit=1&order=uploaded");
    assertThat(first.get("items")).hasSize(1);
    String next = first.get("next").asText();

    JsonNode second = client.getJson("/api/activity?limit=1&order=uploaded&before=" + URLEncoder.encode(next, StandardCharsets.UTF_8));

    assertThat(second.get("items")).hasSize(1);
    assertThat(second.get("next").isNull()).isTrue();
    assertThat(paths(first).get(0)).isNotEqualTo(paths(second).get(0));
    JsonNode byUpload = client.getJson("/api/activity?limit=2");
    assertThat(paths(byUpload)).containsExactly(paths(first).get(0), paths(second).get(0));
  }

  @Test
  void badActivityQueriesAre400WithTheFieldNamed() {
    assertThat(json(client.get("/api/activity?limit=abc")).get("field").asText()).isEqualTo("limit");
    assertThat(error(client.get("/api/activity?limit=abc"), 400)).contains("limit");
    assertThat(error(client.get("/api/activity?limit=0"), 400)).contains("limit");
    assertThat(error(client.get("/api/activity?limit=501"), 400)).contains("limit");
    assertThat(json(client.get("/api/activity?order=sideways")).get("field").asText()).isEqualTo("order");
    assertThat(error(client.get("/api/activity?order=sideways"), 400)).contains("uploaded or created");
    assertThat(error(client.get("/api/activity?before=not-a-cursor"), 400)).contains("cursor");
    String createdCursor = client.getJson("/api/activity?limit=1&order=created").get("next").asText();
    assertThat(error(client.get("/api/activity?order=uploaded&before=" + createdCursor), 400)).contains("cursor");
  }

  // ---- GET /api/uploads ----

  @Test
  void uploadsInAStateCarryPercentAttemptsAndTheError() {
    JsonNode failed = client.getJson("/api/uploads?state=failed").get("items");

    assertThat(failed).hasSize(1);
    JsonNode broken = failed.get(0);
    assertThat(broken.get("path").asText()).isEqualTo("broken.jpg");
    assertThat(broken.get("state").asText()).isEqualTo("failed");
    assertThat(broken.get("lastError").asText()).isEqualTo("Permanent: cannot read broken.jpg: permission denied");
    assertThat(broken.get("percent").asInt()).isZero();
    assertThat(broken.get("attempts").asInt()).isPositive();
    assertThat(broken.get("reasons")).isEmpty();

    assertThat(client.getJson("/api/uploads").get("items")).hasSize(1);
    assertThat(client.getJson("/api/uploads?state=completed,failed").get("items")).hasSize(3);
    assertThat(client.getJson("/api/uploads?state=completed&state=FAILED").get("items")).hasSize(3);
    assertThat(client.getJson("/api/uploads?state=uploading").get("items")).isEmpty();
    JsonNode done = find(client.getJson("/api/uploads?state=completed").get("items"), "2025/beach.jpg");
    assertThat(done.get("percent").asInt()).isEqualTo(100);
  }

  @Test
  void anUnknownUploadStateIs400() {
    HttpResponse<String> response = client.get("/api/uploads?state=nonsense");

    assertThat(error(response, 400)).contains("uploading, paused, completed, failed, skipped");
    assertThat(json(response).get("field").asText()).isEqualTo("state");
  }

  // ---- POST /api/uploads/{id}/retry ----

  @Test
  void retryQueuesAFailedUploadAgainAndAnUnknownOneIs404() {
    String brokenId = client.getJson("/api/uploads?state=failed").at("/items/0/assetId").asText();

    assertThat(client.post("/api/uploads/" + brokenId + "/retry").statusCode()).isEqualTo(204);
    assertThat(error(client.post("/api/uploads/no-such-asset/retry"), 404)).contains("no-such-asset");
    // Still unreadable: it fails again, and is reported so.
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(client.getJson("/api/status").at("/run/failed").asLong()).isEqualTo(1));
  }

  // ---- POST /api/pause, /api/resume ----

  @Test
  void pauseShowsPausedByYouAndResumeLiftsIt() {
    try {
      assertThat(client.post("/api/pause").statusCode()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                assertThat(status.get("state").asText()).isEqualTo("paused");
                assertThat(status.get("reasons").get(0).get("code").asText()).isEqualTo("USER_PAUSED");
                assertThat(status.get("reasons").get(0).get("text").asText()).isEqualTo("Paused by you");
              });
    } finally {
      assertThat(client.post("/api/resume").statusCode()).isEqualTo(204);
    }
    await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(client.getJson("/api/status").get("state").asText()).isEqualTo("idle"));
  }

  @Test
  void aWrongMethodIs405AsJson() {
    assertThat(error(client.send(client.authorized("/api/pause").GET()), 405)).isNotBlank();
    assertThat(error(client.send(client.authorized("/api/status").DELETE()), 405)).isNotBlank();
  }

  // ---- PUT /api/conditions ----

  @Test
  void conditionsFromAHostAppPauseUploadsWithTheReasonInPlainWords() {
    try {
      assertThat(client.putJson("/api/conditions", CELLULAR).statusCode()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                JsonNode status = client.getJson("/api/status");
                assertThat(status.get("state").asText()).isEqualTo("waiting");
                assertThat(status.get("allowed").asBoolean()).isFalse();
                assertThat(texts(status.get("reasons"))).contains("Waiting for Wi-Fi — mobile data is off in settings");
                assertThat(status.at("/conditions/network").asText()).isEqualTo("CELLULAR");
              });
    } finally {
      assertThat(client.putJson("/api/conditions", DESKTOP).statusCode()).isEqualTo(204);
    }
    await().atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(client.getJson("/api/status").get("allowed").asBoolean()).isTrue());
  }

  @Test
  void invalidConditionsAre400NamingTheField() {
    assertField(DESKTOP.replace("\"batteryPercent\": 100", "\"batteryPercent\": 150"), "batteryPercent");
    assertField(DESKTOP.replace("\"batteryPercent\": 100", "\"batteryPercent\": \"full\""), "batteryPercent");
    assertField(DESKTOP.replace("\"ETHERNET\"", "\"CARRIER_PIGEON\""), "network");
    assertField(DESKTOP.replace("\"charging\": true", "\"charging\": \"yes\""), "charging");
    assertField(DESKTOP.replace("\"wifiSsid\": null", "\"wifiSsid\": 42"), "wifiSsid");
    assertField(DESKTOP.replace("\"osState\": \"FOREGROUND\"", "\"osState\": null"), "osState");
    assertField(DESKTOP.replace("\"metered\": false,", ""), "metered");
    assertField(DESKTOP.replace("\"charging\"", "\"chargin\""), "chargin");
    assertField("[1, 2]", "conditions");
    assertField(DESKTOP.replace("\"osState\": \"FOREGROUND\"", "\"osState\": \"FOREGROUND\", \"networkSince\": \"an hour ago\""), "networkSince");
    assertField(DESKTOP.replace("\"osState\": \"FOREGROUND\"", "\"osState\": \"FOREGROUND\", \"networkSince\": 1764752400"), "networkSince");
  }

  @Test
  void aHostMayTellSinceWhenTheDeviceIsOnItsNetworkAndTheStatusShowsIt() {
    String since = DESKTOP.replace("\"osState\": \"FOREGROUND\"", "\"osState\": \"FOREGROUND\", \"networkSince\": \"2026-12-03T08:00:00Z\"");
    try {
      assertThat(client.putJson("/api/conditions", since).statusCode()).isEqualTo(204);
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(client.getJson("/api/status").at("/conditions/networkSince").asText())
                  .isEqualTo("2026-12-03T08:00:00Z"));
    } finally {
      assertThat(client.putJson("/api/conditions", DESKTOP).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void aConditionsBodyWithoutWifiSsidMeansNone() {
    assertThat(client.putJson("/api/conditions", DESKTOP.replace("\"wifiSsid\": null,", "")).statusCode()).isEqualTo(204);
  }

  @Test
  void malformedJsonIs400() {
    assertThat(error(client.putJson("/api/conditions", "{\"batteryPercent\": "), 400)).startsWith("malformed JSON");
    assertThat(error(client.putJson("/api/conditions", "not json at all"), 400)).startsWith("malformed JSON");
    assertThat(error(client.putJson("/api/conditions", ""), 400)).startsWith("malformed JSON");
  }

  @Test
  void trailingGarbageAndDuplicateKeysAre400NotReadLeniently() {
    assertThat(error(client.putJson("/api/conditions", DESKTOP + " garbage"), 400)).startsWith("malformed JSON");
    assertThat(error(client.putJson("/api/conditions", DESKTOP + DESKTOP), 400)).startsWith("malformed JSON");
    assertThat(error(client.putJson("/api/conditions", DESKTOP + "]"), 400)).startsWith("malformed JSON");
    String twice = DESKTOP.replace("\"batteryPercent\": 100", "\"batteryPercent\": 100, \"batteryPercent\": 5");
    assertThat(error(client.putJson("/api/conditions", twice), 400)).startsWith("malformed JSON").contains("batteryPercent");
    HttpResponse<String> verify =
        client.send(
            client.authorized("/api/verify")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"library\": \"no-such-library\"} {}")));
    assertThat(error(verify, 400)).startsWith("malformed JSON");
  }

  @Test
  void aBodyThatIsNotJsonIs415() {
    HttpResponse<String> response =
        client.send(
            client.authorized("/api/conditions")
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(DESKTOP)));

    assertThat(error(response, 415)).contains("application/json");
  }

  @Test
  void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrNot() {
    String big = "{\"pad\": \"" + "x".repeat(70 * 1024) + "\"}";

    assertThat(error(client.putJson("/api/conditions", big), 413)).contains("larger than 65536 bytes");
    String bigger = "{\"pad\": \"" + "x".repeat(900 * 1024) + "\"}";
    assertThat(error(client.putJson("/api/conditions", bigger), 413)).contains("larger than 65536 bytes");
    HttpResponse<String> chunked =
        client.send(
            client.authorized("/api/conditions")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))));
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
    assertThat(json(chunked).get("error").asText()).isNotBlank();
    assertThat(error(client.send(client.request("/login").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + "x".repeat(70 * 1024)))), 413)).isNotBlank();
  }

  @Test
  void aBodyOverTheLimitIsReadToItsEndSoTheConnectionGoesOn() throws Exception {
    String authorization = "Authorization: Bearer " + client.token() + "\r\n";
    String chunk = "x".repeat(8 * 1024);
    String chunked = (Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").repeat(9) + "0\r\n\r\n";
    String declared = "x".repeat(70 * 1024);
    String status = "GET /api/status HTTP/1.1\r\nHost: localhost\r\n" + authorization + "Connection: close\r\n\r\n";
    String put = "PUT /api/conditions HTTP/1.1\r\nHost: localhost\r\n" + authorization + "Content-Type: application/json\r\n";

    RawHttp.Exchange exchange =
        RawHttp.exchange(
            client.base().getPort(),
            (put + "Transfer-Encoding: chunked\r\n\r\n" + chunked
                    + put + "Content-Length: " + declared.length() + "\r\n\r\n" + declared
                    + status)
                .getBytes(StandardCharsets.ISO_8859_1),
            false,
            Duration.ofSeconds(10));

    assertThat(exchange.responses()).extracting(RawHttp.Response::status).containsExactly(413, 413, 200);
  }

  @Test
  void aHopelesslyLargeBodyIs413AtOnceAndTheConnectionCloses() throws Exception {
    RawHttp.Exchange exchange =
        RawHttp.exchange(
            client.base().getPort(),
            ("PUT /api/conditions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + client.token()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{")
                .getBytes(StandardCharsets.ISO_8859_1),
            false,
            Duration.ofSeconds(10));

    assertThat(exchange.responses()).hasSize(1);
    assertThat(exchange.responses().get(0).status()).isEqualTo(413);
    assertThat(exchange.responses().get(0).header("Connection")).hasValue("close");
  }

  // ---- errors ----

  @Test
  void unknownRoutesAre404AsJson() {
    assertThat(error(client.get("/api/no-such-route"), 404)).isNotBlank();
    assertThat(error(client.send(client.request("/no/such/page").GET()), 404)).isNotBlank();
    assertThat(error(client.get("/api/uploads/x/y/z"), 404)).isNotBlank();
  }

  @Test
  void badInputNeverYieldsA5xx() {
    List<HttpResponse<String>> responses = new ArrayList<>();
    for (String query : List.of("limit=-1", "limit=99999999999", "limit=", "order=", "before=%00", "before=" + "A".repeat(3000), "limit=1.5")) {
      responses.add(client.get("/api/activity?" + query));
    }
    for (String query : List.of("state=", "state=,", "state=%20")) {
      responses.add(client.get("/api/uploads?" + query));
    }
    for (String body : List.of("null", "{}", "\"text\"", "{\"batteryPercent\": 1e400}", "{\"batteryPercent\": 99999999999}", "[]")) {
      responses.add(client.putJson("/api/conditions", body));
    }
    responses.add(client.send(client.authorized("/api/conditions").PUT(HttpRequest.BodyPublishers.ofString("{}"))));
    responses.add(client.send(client.request("/login").POST(HttpRequest.BodyPublishers.noBody())));
    responses.add(client.send(client.request("/login").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))));
    responses.add(client.post("/api/uploads/%2F..%2F/retry"));

    assertThat(responses)
        .allSatisfy(response -> assertThat(response.statusCode()).as("%s %s", response.uri(), response.body()).isBetween(200, 499));
    assertThat(responses).allSatisfy(response -> {
      if (response.statusCode() >= 400) {
        assertThat(json(response).get("error").asText()).isNotBlank();
      }
    });
  }

  // ---- /api/libraries without a catalog ----

  @Test
  void librariesListsTheEnginesOneLibraryAndRefusesChangesWithoutACatalog() {
    JsonNode libraries = client.getJson("/api/libraries").get("libraries");

    assertThat(libraries).hasSize(1);
    assertThat(libraries.get(0).get("id").asText()).isEqualTo("camera");
    assertThat(libraries.get(0).get("origin").asText()).isEqualTo("run");
    HttpResponse<String> add =
        client.send(
            client.authorized("/api/libraries")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"more\"}")));
    assertThat(error(add, 405)).contains("autoupload serve");
    assertThat(error(client.send(client.authorized("/api/libraries/camera").DELETE()), 405)).contains("autoupload serve");
    assertThat(client.getJson("/api/status").get("libraries")).hasSize(1);
  }

  // ---- security ----

  @Test
  void everyApiRouteIs401WithoutOrWithAWrongToken() {
    for (String[] route : API_ROUTES) {
      HttpRequest.BodyPublisher body =
          route[0].equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(DESKTOP);
      List<HttpRequest.Builder> requests =
          List.of(
              client.request(route[1]).method(route[0], body),
              client.request(route[1]).header("Authorization", "Bearer wrong-" + client.token()).method(route[0], body),
              client.request(route[1]).header("Authorization", "Bearer " + client.token().substring(1)).method(route[0], body),
              client.request(route[1]).header("Authorization", "Basic " + client.token()).method(route[0], body),
              client.request(route[1]).header("Authorization", client.token()).method(route[0], body),
              client.request(route[1]).header("Cookie", Sessions.COOKIE + "=forged").method(route[0], body));
      for (HttpRequest.Builder request : requests) {
        HttpResponse<String> response = client.send(request.header("Content-Type", "application/json"));
        assertThat(response.statusCode()).as("%s %s", route[0], route[1]).isEqualTo(401);
        assertThat(json(response).get("error").asText()).isNotBlank();
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(response.body()).doesNotContain(client.token());
      }
    }
  }

  @Test
  void theRightTokenIsAcceptedWhateverTheSchemeCase() {
    assertThat(client.send(client.request("/api/status").header("Authorization", "bearer " + client.token())).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aForeignHostHeaderIs403OnEveryRoute() {
    String port = String.valueOf(client.base().getPort());
    for (String path : List.of("/api/status", "/", "/app.js", "/login", "/no-such-page")) {
      List<String> head = client.raw("GET", path, "evil.example:" + port, "Authorization: Bearer " + client.token());
      assertThat(head.get(0)).as(path).isEqualTo("HTTP/1.1 403 Forbidden");
      assertThat(head).noneMatch(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
    }
    assertThat(client.raw("GET", "/api/status", "127.0.0.1.evil.example", "Authorization: Bearer " + client.token()).get(0))
        .isEqualTo("HTTP/1.1 403 Forbidden");
    assertThat(client.raw("GET", "/api/status", "localhost:" + port, "Authorization: Bearer " + client.token()).get(0))
        .isEqualTo("HTTP/1.1 200 OK");
    assertThat(client.raw("GET", "/api/status", "LOCALHOST", "Authorization: Bearer " + client.token()).get(0))
        .isEqualTo("HTTP/1.1 200 OK");
    assertThat(client.raw("GET", "/api/status", "[::1]:" + port, "Authorization: Bearer " + client.token()).get(0))
        .isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void configuredHostNamesAreAllowedToo() {
    HttpSettings base = HttpSettings.from(EngineInternals.actorSystem(engine).settings().config());
    Set<String> hosts = new java.util.HashSet<>(base.allowedHosts());
    hosts.add("nas.local");
    HttpSettings settings =
        new HttpSettings(hosts, base.maxBody(), base.bodyTimeout(), base.sseKeepAlive(), base.sseBuffer(), base.sessionIdleTimeout(),
            base.maxSessions(), base.rateWindow(), base.rateSampleInterval(), base.stopTimeout(), base.thumbnails());
    Path otherDir = dataDir.resolve("second-endpoint");
    try (HttpControlServer second = HttpControlServer.start(engine, otherDir, "127.0.0.1", 0, settings)) {
      TestClient other = new TestClient(second.url(), "unused");
      String token = "Authorization: Bearer " + readToken(otherDir);
      assertThat(other.raw("GET", "/api/status", "nas.local:" + second.address().getPort(), token).get(0)).isEqualTo("HTTP/1.1 200 OK");
      assertThat(other.raw("GET", "/api/status", "nas.example", token).get(0)).isEqualTo("HTTP/1.1 403 Forbidden");
    }
  }

  @Test
  void noResponseCarriesCorsHeadersNotEvenAPreflight() {
    HttpResponse<String> preflight =
        client.send(
            client.request("/api/status")
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertThat(preflight.statusCode()).isBetween(400, 499);
    HttpResponse<String> withOrigin = client.send(client.authorized("/api/status").header("Origin", "https://evil.example"));
    assertThat(withOrigin.statusCode()).isEqualTo(200);
    // Every other response in these tests went through the same check in TestClient.
  }

  @Test
  void responsesCarrySecurityHeaders() {
    HttpResponse<String> page = client.send(client.request("/").GET());

    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"));
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(client.get("/api/status").headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void anUnknownMethodOrHttpVersionIs400NotA5xx() throws Exception {
    for (String requestLine : List.of("FOO /api/status HTTP/1.1", "PROPFIND / HTTP/1.1", "GET /api/status HTTP/2.0", "GET / HTTP/1.2")) {
      RawHttp.Response response = rawExchange(requestLine + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");

      assertThat(response.status()).as(requestLine).isEqualTo(400);
      assertThat(response.contentType()).startsWith("application/json");
      assertThat(response.bodyText()).contains("malformed request");
    }
  }

  @Test
  void aLoginFormCutShortIs400NotA5xx() throws Exception {
    RawHttp.Response response =
        rawExchange(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 100\r\n\r\ntoken=abc");

    assertThat(response.status()).as(response.bodyText()).isEqualTo(400);
    assertThat(response.bodyText()).contains("\"error\"");
  }

  @Test
  void noErrorQuotesTheTokenBackWhereverTheRequestPutIt() throws Exception {
    String token = client.token();
    List<String> requests =
        List.of(
            "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + (token.length() + 9) + "\r\nConnection: close\r\n\r\ntoken=" + token + "%zz",
            "GET http://localhost/?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            "GET /api/status?token=" + token + "&%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "GET /api/status HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: " + token + "\r\nConnection: close\r\n\r\n");
    for (String request : requests) {
      RawHttp.Response response = rawExchange(request);

      assertThat(response.status()).as(request).isEqualTo(400);
      assertThat(new String(response.raw(), StandardCharsets.ISO_8859_1)).as(request).doesNotContain(token);
    }
  }

  @Test
  void aTokenAnywhereButTheAuthorizationHeaderLetsNothingIn() {
    String token = client.token();
    List<HttpRequest.Builder> requests =
        List.of(
            client.request("/api/status?token=" + token),
            client.request("/api/status?access_token=" + token),
            client.request("/api/status").header("Cookie", "token=" + token),
            client.request("/api/status").header("X-Api-Token", token),
            client.request("/api/status").header(Sessions.CSRF_HEADER, token),
            client.request("/api/" + token));
    for (HttpRequest.Builder request : requests) {
      HttpResponse<String> response = client.send(request.GET());

      assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(401);
      assertThat(response.body()).doesNotContain(token);
    }
  }

  @Test
  void deeplyNestedJsonIs400() {
    String arrays = "[".repeat(20_000) + "]".repeat(20_000);
    String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);

    assertThat(error(client.putJson("/api/conditions", arrays), 400)).startsWith("malformed JSON");
    assertThat(error(client.putJson("/api/conditions", objects), 400)).startsWith("malformed JSON");
    HttpResponse<String> verify =
        client.send(client.authorized("/api/verify").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(arrays)));
    assertThat(error(verify, 400)).startsWith("malformed JSON");
  }

  @Test
  void pathTraversalStaysInsideTheRoutes() throws Exception {
    for (String path : List.of("/app.js/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2F..%2Fetc%2Fpasswd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd")) {
      RawHttp.Response response = rawExchange("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

      assertThat(response.status()).as(path).isIn(400, 404);
      assertThat(response.bodyText()).as(path).doesNotContain("root:");
    }
    RawHttp.Response dotted = rawExchange("GET /api/../api/status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(dotted.status()).as("resolved to /api/status, which still wants the token").isEqualTo(401);
    assertThat(error(client.post("/api/uploads/..%2F..%2Fetc%2Fpasswd/retry"), 404)).isNotBlank();
    assertThat(error(client.get("/api/verify/%2e%2e"), 404)).isNotBlank();
  }

  @Test
  void aRequestWithoutAHostHeaderIs400() throws Exception {
    RawHttp.Response response = rawExchange("GET /api/status HTTP/1.1\r\nAuthorization: Bearer " + client.token() + "\r\n\r\n");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.bodyText()).doesNotContain(client.token());
  }

  // ---- helpers ----

  /** Writes {@code request} as it is and returns the one answer. */
  private static RawHttp.Response rawExchange(String request) throws Exception {
    RawHttp.Exchange exchange =
        RawHttp.exchange(client.base().getPort(), request.getBytes(StandardCharsets.ISO_8859_1), false, Duration.ofSeconds(10));
    assertThat(exchange.responses()).as(request).hasSize(1);
    return exchange.responses().get(0);
  }

  private static void assertField(String body, String field) {
    HttpResponse<String> response = client.putJson("/api/conditions", body);
    assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
    assertThat(json(response).get("field").asText()).as(response.body()).isEqualTo(field);
    assertThat(json(response).get("error").asText()).as(response.body()).startsWith(field + ":");
  }

  private static String readToken(Path dir) {
    try {
      return ApiToken.read(dir).orElseThrow().value();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    return StreamSupport.stream(((Iterable<String>) node::fieldNames).spliterator(), false).toList();
  }

  private static List<String> paths(JsonNode page) {
    return StreamSupport.stream(page.get("items").spliterator(), false).map(item -> item.get("path").asText()).toList();
  }

  private static List<String> texts(JsonNode reasons) {
    return StreamSupport.stream(reasons.spliterator(), false).map(reason -> reason.get("text").asText()).toList();
  }

  private static JsonNode find(JsonNode items, String path) {
    return StreamSupport.stream(items.spliterator(), false)
        .filter(item -> item.get("path").asText().equals(path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + path + " in " + items));
  }
}
