package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.FaultProxy.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * Fault scenarios through the fault proxy, for every HTTP target: the packaged app backs up a
 * folder while the proxy, one fault after another, resets every connection, answers 503 and 429
 * with Retry-After, answers 502, stalls past the read timeout, answers 507, 401 and 403, and
 * (where {@link TestTargets.TestTarget#sizeLie} plays it) reports another size than it stored: that
 * file is listed under {@code retries} with its error and attempts, and not failed. While each
 * other fault lasts, {@code GET /api/status} shows the library stopped for the right reason ({@code
 * TARGET_UNREACHABLE}, {@code TARGET_FULL}, {@code NOT_AUTHORIZED}) with the target's words and
 * when it tries again, and no file is counted failed; once it stops, uploads go on. On WebDAV the
 * same reasons are also checked where a user sees them: on the Activity page in a real browser and
 * in {@code autoupload status}. At the end every file is on the target once, sha256-equal, with
 * nothing unfinished left.
 */
class TargetFaultsIT {

  private static final Pattern ENDPOINT = Pattern.compile("autoupload: control endpoint (http://\\S+/) \\(token in (.+)\\)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static final int FILES = 160;

  /** One fault, standing for every request while it lasts, and the reason status must give. */
  private record Phase(String name, Fault fault, String reason) {}

  private static final List<Phase> PHASES =
      List.of(
          new Phase("connection reset", Fault.reset(), "TARGET_UNREACHABLE"),
          new Phase("503 with Retry-After", Fault.status(503).retryAfter(1), "TARGET_UNREACHABLE"),
          new Phase("429 with Retry-After", Fault.status(429).retryAfter(1), "TARGET_UNREACHABLE"),
          new Phase("502", Fault.status(502), "TARGET_UNREACHABLE"),
          new Phase("stalled past the read timeout", Fault.stall(), "TARGET_UNREACHABLE"),
          new Phase("507", Fault.status(507), "TARGET_FULL"),
          new Phase("401", Fault.status(401), "NOT_AUTHORIZED"),
          new Phase("403", Fault.status(403), "NOT_AUTHORIZED"));

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;
  private Browser browser;

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void eachFaultIsShownWithItsReasonOnThePageInStatusAndTheBackupEndsWholeOnWebDav() throws Exception {
    browser = Browser.start(tmp.resolve("chromium-profile"), tmp.resolve("screenshots"));
    faults("webdav", TestTargets.webDav(tmp.resolve("nginx")));
  }

  @Test
  void eachFaultIsShownWithItsReasonAndTheBackupEndsWholeOnNextcloud() throws Exception {
    faults("nextcloud", TestTargets.nextcloud(tmp.resolve("nextcloud")));
  }

  @Test
  void eachFaultIsShownWithItsReasonAndTheBackupEndsWholeOnTus() throws Exception {
    faults("tus", TestTargets.tus(tmp.resolve("tus")));
  }

  @Test
  void eachFaultIsShownWithItsReasonAndTheBackupEndsWholeOnS3() throws Exception {
    faults("s3", TestTargets.s3());
  }

  @Test
  void eachFaultIsShownWithItsReasonAndTheBackupEndsWholeOnKoofr() throws Exception {
    faults("koofr", TestTargets.koofr());
  }

  private void faults(String name, TestTargets.TestTarget target) throws Exception {
    long began = System.nanoTime();
    try (target) {
      FaultProxy proxy = target.proxy().orElseThrow();
      Path source = tmp.resolve("photos");
      MediaFiles.randomTree(source, FILES, KIB, 8 * KIB, new SplittableRandom(name.hashCode()));
      Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
      Path data = tmp.resolve("data");
      AppProcess.Launch launch =
          AppProcess.launch(
                  "run", "--source", source.toString(), "--target", target.uri(),
                  "--data-dir", data.toString(),
                  // Short waits, so that each fault is met and left within seconds; a slow sender,
                  // so that files are left for every fault.
                  "--set", "autoupload.upload.retry.min-backoff=200ms",
                  "--set", "autoupload.upload.retry.max-backoff=1s",
                  "--set", "autoupload.target.read-timeout=1s",
                  "--set", "autoupload.policy.bandwidth-limit=64KiB")
              .withJvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
      for (Map.Entry<String, String> variable : target.environment().entrySet()) {
        launch = launch.withEnvironment(variable.getKey(), variable.getValue());
      }

      // The app checks the target once at start and refuses to start without it: fault after that.
      AppProcess app = apps.start(launch);
      Matcher endpoint = ENDPOINT.matcher(app.awaitLine(line -> ENDPOINT.matcher(line).matches(), TIMEOUT));
      assertThat(endpoint.matches()).isTrue();
      Api api = new Api(URI.create(endpoint.group(1)), Files.readString(Path.of(endpoint.group(2))).strip());
      if (browser != null) {
        browser.open(api.base());
        browser.waitFor("the login form", By.cssSelector("#login-panel:not([hidden]) form#login-form"));
        browser.find("input#token").sendKeys(api.token());
        browser.find("button#login").click();
      }

      List<String> seen = new ArrayList<>();
      for (int i = 0; i < PHASES.size(); i++) {
        Phase phase = PHASES.get(i);
        proxy.failEvery(request -> true, phase.fault());
        JsonNode library =
            Awaitility.await(name + ": " + phase.name() + " shown as " + phase.reason())
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> api.library(), shown -> codes(shown).contains(phase.reason()));
        assertThat(library.path("targetError").asText()).as(phase.name()).isNotBlank();
        assertThat(library.path("targetRetryAt").isTextual()).as(phase.name() + ": when it tries again").isTrue();
        assertThat(library.path("failed").asLong()).as(phase.name() + ": files failed").isZero();
        long backedUp = library.path("completed").asLong() + library.path("alreadyBackedUp").asLong();
        seen.add(phase.name() + " -> " + phase.reason() + " (" + library.path("targetError").asText() + ")");
        if (browser != null) {
          shownToTheUser(name, phase, data);
        }

        proxy.passThrough();
        proxy.releaseStalled();
        if (i < PHASES.size() - 1) {
          Awaitility.await(name + ": uploads go on after " + phase.name())
              .atMost(TIMEOUT)
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> api.library(),
                  shown -> !codes(shown).contains(phase.reason())
                      && shown.path("completed").asLong() + shown.path("alreadyBackedUp").asLong() >= backedUp + 2);
        }
      }

      if (target.sizeLie().isPresent()) {
        // A lie is this upload's trouble, not the target's: the file is retried, the library goes on.
        TestTargets.Lie lie = target.sizeLie().get();
        proxy.failEvery(lie.which(), lie.fault());
        // A file met by the last fault may still wait for its retry, with that fault's words: look
        // for the one the lie sent back.
        JsonNode library =
            Awaitility.await(name + ": a lying size shown as a file waiting to be retried")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> api.library(), shown -> retryFor(shown, lie).isPresent());
        JsonNode retry = retryFor(library, lie).orElseThrow();
        assertThat(retry.path("error").asText()).contains(lie.words());
        assertThat(retry.path("attempts").asInt()).isPositive();
        assertThat(retry.path("at").isTextual()).isTrue();
        assertThat(library.path("failed").asLong()).isZero();
        seen.add("a lying size -> retrying (" + retry.path("error").asText() + ")");
        proxy.passThrough();
      }

      JsonNode done =
          Awaitility.await(name + ": every file backed up once the faults stopped")
              .atMost(TIMEOUT)
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () -> api.library(),
                  shown -> shown.path("completed").asLong() + shown.path("alreadyBackedUp").asLong() == FILES
                      && codes(shown).isEmpty());
      assertThat(done.path("failed").asLong()).isZero();
      assertThat(done.path("failures")).isEmpty();
      assertThat(target.stored()).as("every file once, sha256-equal").isEqualTo(sourceHashes);
      assertThat(target.leftovers()).as("unfinished uploads left on the target").isEmpty();
      System.out.printf(
          "TargetFaultsIT %s: %d files backed up through %s; %d requests, %d faulted; %.1f s%n",
          name, FILES, seen, proxy.requestCount(),
          proxy.exchanges().stream().filter(exchange -> exchange.fault().isPresent()).count(),
          (System.nanoTime() - began) / 1e9);
    }
  }

  /**
   * The reason as a user meets it while the fault lasts: a line of the Activity page's reasons and
   * of {@code autoupload status}, with the target's own words beside it. Between two tries of the
   * target a reason may come and go, so each is waited for, not caught once.
   */
  private void shownToTheUser(String name, Phase phase, Path data) {
    String words = BlockerReason.valueOf(phase.reason()).description();
    String onPage =
        browser.waitForText(name + ": " + phase.name() + " on the page", "#reasons li[data-reason='" + phase.reason() + "']");
    assertThat(onPage).isEqualTo(words);
    String targetLine = browser.waitForText(name + ": the target's words on the page", "#reasons li[data-target-error]");
    assertThat(targetLine).as(phase.name()).contains("trying again");
    List<String> status =
        Awaitility.await(name + ": " + phase.name() + " in autoupload status")
            .atMost(TIMEOUT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  AppProcess run =
                      apps.start(
                          AppProcess.launch("status", "--data-dir", data.toString())
                              .withJvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
                  assertThat(run.waitFor(TIMEOUT)).as(run.describe()).isZero();
                  return run.stdout();
                },
                lines -> lines.contains("  " + words)
                    && lines.stream().anyMatch(line -> line.startsWith("waiting for ") || line.startsWith("stopped: ")));
    assertThat(status).as(phase.name()).noneMatch(line -> line.startsWith("failed: "));
  }

  /** The waiting retry whose error carries every word of {@code lie}, if one does. */
  private static Optional<JsonNode> retryFor(JsonNode library, TestTargets.Lie lie) {
    for (JsonNode retry : library.path("retries")) {
      String error = retry.path("error").asText();
      if (Arrays.stream(lie.words()).allMatch(error::contains)) {
        return Optional.of(retry);
      }
    }
    return Optional.empty();
  }

  private static List<String> codes(JsonNode library) {
    List<String> codes = new ArrayList<>();
    library.path("reasons").forEach(reason -> codes.add(reason.path("code").asText()));
    return codes;
  }

  /** The running app's control endpoint, with its token. */
  private record Api(URI base, String token) {

    /** The one library's part of {@code GET /api/status}. */
    JsonNode library() throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve("api/status"))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body()).path("libraries").path(0);
    }
  }
}
