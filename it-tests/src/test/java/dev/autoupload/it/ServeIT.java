package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload serve}: the packaged app backs up the libraries of its config file to local
 * folders, takes one more and drops one through {@code /api/libraries} while it runs, and after a
 * restart runs the set as changed, sending nothing again.
 */
class ServeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern ENDPOINT = Pattern.compile("autoupload: control endpoint (http://\\S+/) \\(token in (.+)\\)");
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final long BIG_FILE_BYTES = 96L * MIB;

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir Path tmp;

  @Test
  void servesTheConfiguredLibrariesTakesChangesThroughTheApiAndKeepsThemAcrossARestart() throws Exception {
    SplittableRandom random = new SplittableRandom(18);
    for (String name : List.of("alice", "bob", "carol")) {
      MediaFiles.randomTree(source(name), 12, 8 * KIB, 48 * KIB, random);
    }
    MediaFiles.write(source("dave").resolve("Videos/long.mov"), BIG_FILE_BYTES, random);
    Files.writeString(Files.createDirectories(source("bob").resolve("Belege")).resolve("2024.pdf"), "not a photo");
    Path config = tmp.resolve("serve.conf");
    Files.writeString(
        config,
        "autoupload {\n"
            + "  layout.pattern = \"{path}\"\n"
            // Slow enough that dave's big file is still on its way when it is removed.
            + "  policy.bandwidth-limit = 1MiB\n"
            + "  libraries = [\n"
            + "    " + library("alice") + ",\n"
            + "    " + library("bob") + ",\n"
            + "    " + library("dave") + "\n"
            + "  ]\n"
            + "}\n");

    AppProcess first = apps.start(serve(config));
    Api api = Api.of(first);
    first.awaitLine(line -> line.equals("autoupload: serving 3 libraries (data dir " + tmp.resolve("data") + ")"), TIMEOUT);
    awaitBackedUp("alice");
    awaitBackedUp("bob");
    assertThat(ids(api.get("api/libraries"))).containsExactly("alice", "bob", "dave");
    // What bob's scan passed over is said while it serves, and shown in its status.
    first.awaitErrorLine(line -> line.startsWith("autoupload: note: 1 file under " + source("bob") + " is not a photo"), TIMEOUT);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        StreamSupport.stream(api.get("api/status").get("libraries").spliterator(), false)
                            .filter(l -> l.at("/notOffered/files").asInt() > 0)
                            .map(l -> l.get("id").asText() + " " + l.at("/notOffered/byExtension")))
                    .containsExactly("bob {\"pdf\":1}"));
    assertThat(api.get("api/libraries").get("libraries").get(0).get("origin").asText()).isEqualTo("config");

    // Bad requests change nothing.
    assertThat(api.send("POST", "api/libraries", library("carol"), false).statusCode()).isEqualTo(401);
    assertThat(api.send("DELETE", "api/libraries/alice", null, false).statusCode()).isEqualTo(401);
    HttpResponse<String> noTarget = api.send("POST", "api/libraries", "{\"id\": \"carol\", \"source\": \"" + source("carol") + "\"}", true);
    assertThat(noTarget.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noTarget.body()).get("error").asText()).contains("target is missing");
    HttpResponse<String> overlapping =
        api.send("POST", "api/libraries", jsonLibrary("nested", source("alice").resolve("Urlaub"), "nested"), true);
    assertThat(overlapping.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(overlapping.body()).get("error").asText()).contains("overlap");
    HttpResponse<String> duplicate = api.send("POST", "api/libraries", jsonLibrary("alice", source("carol"), "alice2"), true);
    assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(409);
    assertThat(api.send("DELETE", "api/libraries/nobody", null, true).statusCode()).isEqualTo(404);
    assertThat(ids(api.get("api/libraries"))).containsExactly("alice", "bob", "dave");

    // A third library, added while it runs.
    HttpResponse<String> added = api.send("POST", "api/libraries", jsonLibrary("carol", source("carol"), "carol"), true);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
    assertThat(added.headers().firstValue("Location")).hasValue("/api/libraries/carol");
    assertThat(JSON.readTree(added.body()).get("origin").asText()).isEqualTo("api");
    awaitBackedUp("carol");

    // dave, removed in the middle of its big file: the upload stops and stays stopped.
    Path part = target("dave").resolve("Videos/.long.mov.autoupload-part");
    await().atMost(TIMEOUT).until(() -> MediaFiles.sizeOrMinusOne(part) >= MIB);
    assertThat(api.send("DELETE", "api/libraries/dave", null, true).statusCode()).isEqualTo(204);
    long atRemoval = MediaFiles.sizeOrMinusOne(part);
    // The chunk being written when the backup stopped still ends (README): at most one chunk more
    // (autoupload.upload.chunk-bytes, 1 MiB), then nothing for 3 s.
    AtomicLong lastSeen = new AtomicLong(atRemoval);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(15))
        .until(() -> {
          long now = MediaFiles.sizeOrMinusOne(part);
          return now == lastSeen.getAndSet(now);
        });
    long stoppedAt = lastSeen.get();
    assertThat(stoppedAt - atRemoval).as("bytes written after the removal").isBetween(0L, (long) MIB);
    assertThat(stoppedAt).isBetween((long) MIB, BIG_FILE_BYTES - 1);
    assertThat(target("dave").resolve("Videos/long.mov")).doesNotExist();
    assertThat(ids(api.get("api/libraries"))).containsExactly("alice", "bob", "carol");
    assertThat(StreamSupport.stream(api.get("api/status").get("libraries").spliterator(), false).map(l -> l.get("id").asText()))
        .containsExactly("alice", "bob", "carol");
    assertThat(first.stdout()).contains("autoupload: library dave removed");
    assertThat(first.stdout()).as("each file's line names its library").anyMatch(line -> line.startsWith("alice: uploaded "));

    Map<String, String> hashes = new TreeMap<>();
    Map<String, FileTime> times = new TreeMap<>();
    for (String name : List.of("alice", "bob", "carol", "dave")) {
      MediaFiles.regularFiles(target(name)).forEach(file -> {
        hashes.put(MediaFiles.relative(tmp, file), MediaFiles.sha256(file));
        times.put(MediaFiles.relative(tmp, file), modified(file));
      });
    }
    first.terminate();
    assertThat(first.waitFor(TIMEOUT)).as(first.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);
    assertThat(tmp.resolve("data/libraries.json")).isRegularFile();

    // Restarted: alice and bob from the config file, carol as added, dave not (the API removed it).
    AppProcess second = apps.start(serve(config));
    Api again = Api.of(second);
    second.awaitLine(line -> line.startsWith("autoupload: serving 3 libraries"), TIMEOUT);
    assertThat(second.stdout())
        .contains("autoupload: library dave of the config file was removed through the API: it does not run (add it again with POST /api/libraries)");
    assertThat(ids(again.get("api/libraries"))).containsExactly("alice", "bob", "carol");
    assertThat(again.get("api/libraries").get("libraries").get(2).get("origin").asText()).isEqualTo("api");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              JsonNode libraries = again.get("api/status").get("libraries");
              assertThat(libraries).hasSize(3);
              for (JsonNode library : libraries) {
                assertThat(library.get("scanning").asBoolean()).as(library.toString()).isFalse();
                assertThat(library.get("discovered").asLong()).as(library.toString()).isEqualTo(12);
                assertThat(library.get("queued").asLong() + library.get("running").asLong()).isZero();
              }
            });
    for (JsonNode library : again.get("api/status").get("libraries")) {
      assertThat(library.get("completed").asLong()).as("nothing uploaded again: " + library).isZero();
      assertThat(library.get("bytesSent").asLong()).as(library.toString()).isZero();
    }
    assertThat(second.stdout()).noneMatch(line -> line.contains(": uploaded "));
    for (Map.Entry<String, String> file : hashes.entrySet()) {
      Path onTarget = tmp.resolve(file.getKey());
      assertThat(MediaFiles.sha256(onTarget)).as(file.getKey()).isEqualTo(file.getValue());
      assertThat(modified(onTarget)).as(file.getKey()).isEqualTo(times.get(file.getKey()));
    }
    second.terminate();
    assertThat(second.waitFor(TIMEOUT)).as(second.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);
  }

  private AppProcess.Launch serve(Path config) {
    return AppProcess.launch(
        "serve", "--config", config.toString(), "--data-dir", tmp.resolve("data").toString(), "--http", "127.0.0.1:0");
  }

  /** Waits until the library's target holds exactly its source's photos and videos, byte for byte. */
  private void awaitBackedUp(String name) {
    Map<String, String> expected = MediaFiles.sha256Tree(source(name));
    expected.keySet().removeIf(path -> path.endsWith(".pdf"));
    // A part file may be renamed while it is hashed.
    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> assertThat(MediaFiles.sha256Tree(target(name))).isEqualTo(expected));
  }

  private String library(String name) {
    return "{ id = \"" + name + "\", source = \"" + source(name) + "\", target = \"" + target(name).toUri() + "\" }";
  }

  private String jsonLibrary(String id, Path source, String targetName) {
    return "{\"id\": \"" + id + "\", \"source\": \"" + source + "\", \"target\": \"" + target(targetName).toUri() + "\"}";
  }

  private Path source(String name) {
    return tmp.resolve("photos").resolve(name);
  }

  private Path target(String name) {
    return tmp.resolve("backup").resolve(name);
  }

  private static List<String> ids(JsonNode libraries) {
    return StreamSupport.stream(libraries.get("libraries").spliterator(), false).map(l -> l.get("id").asText()).toList();
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The running app's control endpoint, with its token. */
  private record Api(URI base, String token) {

    static Api of(AppProcess app) throws IOException {
      Matcher endpoint = ENDPOINT.matcher(app.awaitLine(line -> ENDPOINT.matcher(line).matches(), TIMEOUT));
      assertThat(endpoint.matches()).isTrue();
      return new Api(URI.create(endpoint.group(1)), Files.readString(Path.of(endpoint.group(2))).strip());
    }

    JsonNode get(String path) throws IOException, InterruptedException {
      HttpResponse<String> response = send("GET", path, null, true);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }

    HttpResponse<String> send(String method, String path, String body, boolean withToken) throws IOException, InterruptedException {
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
      if (withToken) {
        request.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
