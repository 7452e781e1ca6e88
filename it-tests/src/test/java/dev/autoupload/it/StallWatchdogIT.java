package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.watchdog.Stall;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.tus.TusServer;
import dev.autoupload.targets.tus.TusTarget;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The stall watchdog end to end, with its durations set small: a tus server that answers 503 to
 * everything makes the library stalled, which shows as an event, in {@code /api/status}, on the
 * Activity page in Chromium and as a JSON POST to a webhook receiver (whose first answer is a 500,
 * so the post is tried again); once the server is back and a file goes up, the library recovers
 * and the receiver is told so.
 */
class StallWatchdogIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String LIBRARY = "camera";
  private static final String HOOK_TOKEN = "T0K3N-never-logged";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TusServer tus;
  private HttpServer receiver;
  private UploadEngine engine;
  private HttpControlServer server;
  private Browser browser;

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (tus != null) {
      tus.close();
    }
  }

  @Test
  void aTargetThatAnswers503ForEverStallsTheLibraryUntilABackupGoesUpAgain() throws Exception {
    tus = TusServer.start(Files.createDirectories(tmp.resolve("tus")));
    tus.unavailable(true);
    BlockingQueue<JsonNode> posts = new LinkedBlockingQueue<>();
    AtomicInteger requests = new AtomicInteger();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hooks/" + HOOK_TOKEN,
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          // The first post fails, as a receiver that restarts: the alert must come again.
          int status = requests.incrementAndGet() == 1 ? 500 : 204;
          if (status == 204) {
            posts.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();

    Path photos = tmp.resolve("photos");
    SplittableRandom random = new SplittableRandom(11);
    MediaFiles.write(photos.resolve("IMG_0001.jpg"), 40 * KIB, random);
    MediaFiles.write(photos.resolve("IMG_0002.jpg"), 50 * KIB, random);
    Path dataDir = tmp.resolve("data");
    engine =
        EngineInternals.start(
            ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dataDir.toString(),
                    "autoupload.watchdog.stall-after", "2s",
                    "autoupload.watchdog.check-every", "200ms",
                    "autoupload.alerts.webhook-url",
                        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/" + HOOK_TOKEN,
                    "autoupload.alerts.retry.min-backoff", "100ms",
                    "autoupload.upload.retry.max-attempts", 2,
                    "autoupload.upload.retry.min-backoff", "100ms",
                    "autoupload.upload.retry.max-backoff", "200ms",
                    "autoupload.upload.parallelism", 1)));
    BlockingQueue<EngineEvent> watchdogEvents = new LinkedBlockingQueue<>();
    CountDownLatch uploaded = new CountDownLatch(2);
    engine.addListener(
        event -> {
          if (event instanceof EngineEvent.Stalled || event instanceof EngineEvent.Recovered) {
            watchdogEvents.add(event);
          }
          if (event instanceof EngineEvent.AssetUploaded) {
            uploaded.countDown();
          }
        });
    TusTarget target = new TusTarget(URI.create("http://127.0.0.1:" + tus.port() + TusServer.FILES), Optional.empty(), TargetSettings.defaults());
    engine.addLibrary(new Library(LIBRARY, new FolderSource(LIBRARY, photos), target)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);

    EngineEvent first = watchdogEvents.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first).as("a Stalled event").isInstanceOf(EngineEvent.Stalled.class);
    Stall stall = ((EngineEvent.Stalled) first).stall();
    assertThat(stall.libraryId()).isEqualTo(LIBRARY);
    assertThat(stall.kind()).isEqualTo(Stall.Kind.NO_PROGRESS);
    assertThat(stall.waiting()).isEqualTo(2);

    JsonNode stalledPost = posts.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(stalledPost).as("the stall posted to the webhook, after one failed post").isNotNull();
    assertThat(requests.get()).isGreaterThanOrEqualTo(2);
    assertThat(stalledPost.path("event").asText()).isEqualTo("stalled");
    assertThat(stalledPost.path("library").asText()).isEqualTo(LIBRARY);
    assertThat(stalledPost.path("kind").asText()).isEqualTo("no-progress");
    assertThat(stalledPost.path("waiting").asLong()).isEqualTo(2);
    assertThat(stalledPost.path("stalledForSeconds").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(stalledPost.path("causes").isArray()).isTrue();

    String token = Files.readString(server.tokenFile()).trim();
    // The stall's causes follow each check: the target's words for the outage are among them.
    JsonNode status =
        eventually(
            () -> {
              JsonNode now = apiStatus(token);
              JsonNode stalled = now.path("libraries").get(0).path("stalled");
              return stalled.path("causes").toString().contains("503") ? now : null;
            });
    JsonNode stalled = status.path("libraries").get(0).path("stalled");
    assertThat(stalled.path("kind").asText()).as(status.toString()).isEqualTo("no-progress");
    assertThat(stalled.path("waiting").asLong()).isEqualTo(2);
    assertThat(stalled.path("reasons").isArray()).isTrue();

    browser = Browser.start(tmp.resolve("chromium-profile"), tmp.resolve("screenshots"));
    browser.open(server.url());
    browser.waitFor("the login form", By.cssSelector("#login-panel:not([hidden]) form#login-form"));
    browser.find("input#token").sendKeys(token);
    browser.find("button#login").click();
    String banner = browser.waitForText("the stall banner", "#stalled p[data-library='" + LIBRARY + "']");
    assertThat(banner).startsWith("Backup of camera is stalled: nothing backed up for ").contains("2 file(s) waiting");
    // Its reasons follow the library's state at that moment (between two tries of the target there
    // may be none): the causes are checked above, in /api/status, once they settle.

    // The server is back: the library tries it again after its backoff (and any file that failed
    // for good is retried here), a file goes up, which ends the stall.
    tus.unavailable(false);
    for (JsonNode failure : status.path("libraries").get(0).path("failures")) {
      engine.retry(failure.path("assetId").asText()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    EngineEvent second = watchdogEvents.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(second).as("a Recovered event").isInstanceOf(EngineEvent.Recovered.class);
    JsonNode recoveredPost = posts.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(recoveredPost).as("the recovery posted to the webhook").isNotNull();
    assertThat(recoveredPost.path("event").asText()).isEqualTo("recovered");
    assertThat(recoveredPost.path("how").asText()).isIn("backed-up", "nothing-waits");
    browser.waitUntil("the banner gone", () -> !browser.find("#stalled").isDisplayed());
    assertThat(apiStatus(token).path("libraries").get(0).path("stalled").isMissingNode()
            || apiStatus(token).path("libraries").get(0).path("stalled").isNull())
        .isTrue();
    assertThat(uploaded.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("both files backed up").isTrue();
    Map<String, String> onTarget = new java.util.TreeMap<>();
    List<TusServer.StoredUpload> finished = tus.uploads().stream().filter(TusServer.StoredUpload::finished).toList();
    assertThat(finished).as("each file finished once").hasSize(2);
    for (TusServer.StoredUpload upload : finished) {
      String name = upload.filename().orElseThrow();
      onTarget.put(name.substring(name.lastIndexOf('/') + 1), MediaFiles.sha256(tus.bytes(upload.url())));
    }
    assertThat(onTarget)
        .as("each file once, byte-exact")
        .isEqualTo(
            Map.of(
                "IMG_0001.jpg", MediaFiles.sha256(photos.resolve("IMG_0001.jpg")),
                "IMG_0002.jpg", MediaFiles.sha256(photos.resolve("IMG_0002.jpg"))));
  }

  /** Asks {@code probe} until it answers, with awaitility's polling; fails after the timeout. */
  private static JsonNode eventually(java.util.concurrent.Callable<JsonNode> probe) {
    JsonNode[] found = new JsonNode[1];
    org.awaitility.Awaitility.await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              found[0] = probe.call();
              return found[0] != null;
            });
    return found[0];
  }

  private JsonNode apiStatus(String token) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.url().resolve("/api/status")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

}
