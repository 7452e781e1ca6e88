package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint with a {@link LibraryControl}, as on a cluster node: {@code /api/status} lists what
 * the control reports for every library (one run by another engine, whose pause shows on it; one
 * whose status is unknown, listed with why and never a 500), and pause, resume and retry go to the
 * control, with the single process's status codes.
 */
class LibraryControlApiTest {

  private static final String PHONE_ON_WIFI =
      """
      {"batteryPercent": 90, "charging": false, "lowPowerMode": false, "network": "WIFI", "metered": false,
       "wifiSsid": "home", "backgroundRefreshAllowed": true, "photoAccess": "FULL", "osState": "BACKGROUND"}""";

  @TempDir Path dataDir;
  @TempDir Path otherDataDir;

  /** Reports "alice" as the other engine has it, "bob" as unknown; records what it was asked. */
  private static final class OtherNode implements LibraryControl {
    final UploadEngine other;
    final List<String> asked = new CopyOnWriteArrayList<>();
    volatile Optional<Throwable> failPauseWith = Optional.empty();
    /** Whether the other engine runs "phone" too, a library with conditions of its own. */
    final AtomicBoolean phone = new AtomicBoolean();

    OtherNode(UploadEngine other) {
      this.other = other;
    }

    @Override
    public CompletionStage<List<LibraryReport>> status() {
      return other
          .status()
          .thenApply(
              status -> {
                List<LibraryReport> reports = new ArrayList<>();
                reports.add(
                    new LibraryReport(
                        "alice", "", "", Optional.of("10.0.0.5:2551"), Optional.of(status).map(all -> only(all, "alice")), Optional.empty(), false));
                reports.add(
                    new LibraryReport(
                        "bob",
                        "/srv/photos/bob",
                        "file:///backup/bob",
                        Optional.empty(),
                        Optional.<EngineStatus>empty(),
                        Optional.of("unreachable: no node answered for it within 5000 ms"),
                        false));
                return reports;
              })
          .thenCombine(
              phone.get() ? other.libraryConditions("phone").thenCombine(other.status(), (own, status) -> Optional.of(
                  new LibraryReport(
                      "phone",
                      "",
                      "",
                      Optional.of("10.0.0.5:2551"),
                      // As a library's owner reports one with conditions of its own: its verdict, not the node's.
                      Optional.of(new EngineStatus(own.verdict(), own.conditions(), only(status, "phone").libraries(), Map.of())),
                      Optional.<String>empty(),
                      true))) : CompletableFuture.completedFuture(Optional.<LibraryReport>empty()),
              (reports, phoneReport) -> {
                List<LibraryReport> all = new ArrayList<>();
                phoneReport.ifPresent(all::add);
                all.addAll(reports);
                return all;
              });
    }

    private static EngineStatus only(EngineStatus status, String id) {
      return new EngineStatus(
          status.verdict(),
          status.conditions(),
          status.libraries().stream().filter(library -> library.libraryId().equals(id)).toList(),
          status.stalls());
    }

    @Override
    public CompletionStage<Void> pause() {
      asked.add("pause");
      return failPauseWith.<CompletionStage<Void>>map(CompletableFuture::failedFuture).orElseGet(other::pause);
    }

    @Override
    public CompletionStage<Void> resume() {
      asked.add("resume");
      return other.resume();
    }

    @Override
    public CompletionStage<Void> retry(String assetId) {
      asked.add("retry " + assetId);
      return CompletableFuture.failedFuture(new NoSuchElementException("no failed upload " + assetId));
    }

    /** "alice" as the other engine has it (it follows that engine's conditions); "bob" is moving. */
    @Override
    public CompletionStage<LibraryConditions> conditions(String libraryId, Optional<DeviceConditions> report) {
      asked.add("conditions " + libraryId + report.map(conditions -> " reported").orElse(""));
      if (libraryId.equals("bob")) {
        return CompletableFuture.failedFuture(new NoAnswerException("library bob: it is starting on node 10.0.0.6:2551"));
      }
      return report
          .map(conditions -> other.reportConditions(libraryId, conditions))
          .orElseGet(() -> other.libraryConditions(libraryId));
    }
  }

  private static final LibraryCatalog NO_CATALOG =
      new LibraryCatalog() {
        @Override
        public List<Entry> list() {
          return List.of();
        }

        @Override
        public CompletionStage<Entry> add(JsonNode definition) {
          return CompletableFuture.failedFuture(new ChangeRefusedException("no"));
        }

        @Override
        public CompletionStage<Void> remove(String id) {
          return CompletableFuture.failedFuture(new ChangeRefusedException("no"));
        }
      };

  @Test
  void statusShowsEveryLibraryTheControlReportsAndPauseResumeRetryGoThroughIt() throws Exception {
    InMemorySource camera = new InMemorySource("alice");
    camera.add("a.jpg", 1000);
    camera.add("b.jpg", 2000);
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine here = engine(dataDir);
        UploadEngine other = engine(otherDataDir)) {
      OtherNode control = new OtherNode(other);
      // The other engine is paused before its library starts, so its files wait.
      other.pause().toCompletableFuture().get(10, TimeUnit.SECONDS);
      other.addLibrary(new Library("alice", camera, target)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      try (HttpControlServer server = HttpControlServer.start(here, dataDir, "127.0.0.1", 0, NO_CATALOG, control)) {
        TestClient client = TestClient.of(server, dataDir);

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  JsonNode status = client.getJson("/api/status");
                  assertThat(status.get("state").asText()).isEqualTo("paused");
                  assertThat(status.at("/libraries").size()).isEqualTo(2);
                  JsonNode alice = status.at("/libraries/0");
                  assertThat(alice.get("id").asText()).isEqualTo("alice");
                  assertThat(alice.get("node").asText()).isEqualTo("10.0.0.5:2551");
                  assertThat(alice.get("unknown").isNull()).isTrue();
                  assertThat(alice.get("discovered").asLong()).isEqualTo(2);
                  assertThat(alice.get("reasons").findValuesAsText("code")).contains("USER_PAUSED");
                  JsonNode bob = status.at("/libraries/1");
                  assertThat(bob.get("id").asText()).isEqualTo("bob");
                  assertThat(bob.get("source").asText()).isEqualTo("/srv/photos/bob");
                  assertThat(bob.get("node").isNull()).isTrue();
                  assertThat(bob.get("unknown").asText()).startsWith("unreachable");
                  assertThat(status.at("/files/found").asLong()).isEqualTo(2);
                  assertThat(status.at("/files/waiting").asLong()).isEqualTo(2);
                });
        assertThat(target.files()).isEmpty();

        assertThat(client.post("/api/uploads/x1/retry").statusCode()).isEqualTo(404);
        control.failPauseWith = Optional.of(new LibraryControl.NoAnswerException("no node answered within 5000 ms for bob"));
        assertThat(TestClient.error(client.post("/api/pause"), 503)).contains("for bob");
        control.failPauseWith = Optional.empty();
        assertThat(client.post("/api/pause").statusCode()).isEqualTo(204);
        assertThat(client.post("/api/resume").statusCode()).isEqualTo(204);
        assertThat(control.asked).containsExactly("retry x1", "pause", "pause", "resume");

        // A library's conditions come from the node that runs it, with that node's answer.
        JsonNode alice = client.getJson("/api/libraries/alice/conditions");
        assertThat(alice.get("follows").asText()).isEqualTo("device");
        assertThat(alice.get("allowed").asBoolean()).isTrue();
        assertThat(TestClient.error(client.putJson("/api/libraries/alice/conditions", PHONE_ON_WIFI), 409))
            .contains("library alice follows the device's conditions");
        assertThat(TestClient.error(client.putJson("/api/libraries/bob/conditions", PHONE_ON_WIFI), 503))
            .contains("it is starting on node 10.0.0.6:2551");
        assertThat(control.asked).endsWith("conditions alice", "conditions alice reported", "conditions bob reported");

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  JsonNode status = client.getJson("/api/status");
                  assertThat(status.at("/libraries/0/completed").asLong()).isEqualTo(2);
                  assertThat(status.at("/libraries/0/reasons").findValuesAsText("code")).doesNotContain("USER_PAUSED");
                });
        assertThat(target.files()).hasSize(2);

        // A library with conditions of its own, listed first, its phone in Low Power Mode: its own
        // verdict shows among its reasons and the top level's, but is not taken for a node's.
        InMemorySource phoneCamera = new InMemorySource("phone");
        phoneCamera.add("p.jpg", 3000);
        other.addLibrary(new Library("phone", phoneCamera, new InMemoryTarget()).withOwnConditions()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        control.phone.set(true);
        assertThat(client.putJson("/api/libraries/phone/conditions", PHONE_ON_WIFI.replace("\"lowPowerMode\": false", "\"lowPowerMode\": true")).statusCode())
            .isEqualTo(200);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  JsonNode status = client.getJson("/api/status");
                  assertThat(status.at("/libraries/0/id").asText()).isEqualTo("phone");
                  assertThat(status.at("/libraries/0/reasons").findValuesAsText("code")).contains("LOW_POWER_MODE");
                  assertThat(status.at("/libraries/1/reasons").findValuesAsText("code")).doesNotContain("LOW_POWER_MODE");
                  assertThat(status.get("reasons").findValuesAsText("code")).contains("LOW_POWER_MODE");
                  assertThat(status.get("allowed").asBoolean()).as("the nodes' verdict").isTrue();
                  assertThat(status.at("/conditions/lowPowerMode").asBoolean()).as("the node's conditions").isFalse();
                });
      }
    }
  }

  private static UploadEngine engine(Path dataDir) {
    return EngineInternals.start(
        ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.conditions.initial", "desktop"))
            .withFallback(ConfigFactory.load()));
  }
}
