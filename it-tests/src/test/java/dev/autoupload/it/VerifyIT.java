package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.webdav.NginxWebDav;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload verify} with the packaged app: a folder backed up with {@code run --once} to a
 * local folder and to nginx over WebDAV verifies as all {@code =} (exit 0); once backups are
 * deleted, truncated and replaced behind the app's back, those files get {@code -} and {@code *}
 * (exit 1). A running {@code run} verifies on {@code POST /api/verify}, reporting over its event
 * stream, and {@code verify} asks it when it holds the data dir.
 */
class VerifyIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern ENDPOINT = Pattern.compile("autoupload: control endpoint (http://\\S+/) \\(token in (.+)\\)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final NginxServer nginx = new NginxServer();
  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  private AppProcess.Launch command(String command, Path source, String target, String... more) {
    List<String> args =
        new ArrayList<>(List.of(command, "--source", source.toString(), "--target", target, "--data-dir", tmp.resolve("data").toString()));
    if (command.equals("verify")) {
      // What AppProcess gives every run: the backup mirrors the source's folders.
      args.addAll(List.of("--set", "autoupload.layout.pattern=\"{path}\""));
    }
    args.addAll(Arrays.asList(more));
    return AppProcess.launch(args.toArray(String[]::new)).withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD);
  }

  private AppProcess finished(AppProcess.Launch launch) {
    AppProcess app = apps.start(launch);
    app.waitFor(TIMEOUT);
    return app;
  }

  /** Deletes the first file's backup, truncates the second's and replaces the third's with other bytes of its size. */
  private static void tamper(Path backup, List<String> files) throws IOException {
    Files.delete(backup.resolve(files.get(0)));
    Path truncated = backup.resolve(files.get(1));
    Files.write(truncated, Arrays.copyOf(Files.readAllBytes(truncated), 100));
    Path replaced = backup.resolve(files.get(2));
    FileTime modified = Files.getLastModifiedTime(replaced);
    byte[] other = new byte[(int) Files.size(replaced)];
    new SplittableRandom(5).nextBytes(other);
    Files.write(replaced, other);
    // A later write, as servers date it to the second: WebDAV's hash sidecar then no longer applies.
    Files.setLastModifiedTime(replaced, FileTime.from(modified.toInstant().plusSeconds(60)));
  }

  private static String summary(int files, int same, int differ, int missing, int unchecked) {
    return "verify: files=%d same=%d differ=%d missing=%d unchecked=%d elapsed=\\d+\\.\\ds".formatted(files, same, differ, missing, unchecked);
  }

  private static void assertAllSame(AppProcess verify, List<String> files) {
    assertThat(verify.waitFor(TIMEOUT)).as(verify.describe()).isZero();
    assertThat(verify.stdout()).filteredOn(line -> line.startsWith("= ")).hasSize(files.size());
    for (String file : files) {
      assertThat(verify.stdout()).as(verify.describe()).contains("= " + file);
    }
    assertThat(verify.stdout().get(verify.stdout().size() - 1)).matches(summary(files.size(), files.size(), 0, 0, 0));
    assertThat(verify.errorLines()).isEmpty();
  }

  private static void assertTampered(AppProcess verify, List<String> files, long truncatedSize) {
    assertThat(verify.waitFor(TIMEOUT)).as(verify.describe()).isEqualTo(1);
    assertThat(verify.stdout())
        .as(verify.describe())
        .contains(
            "- " + files.get(0),
            "* " + files.get(1) + ": " + files.get(1) + " holds other content: 100 bytes there, " + truncatedSize + " here");
    assertThat(verify.stdout())
        .filteredOn(line -> line.startsWith("* " + files.get(2) + ": "))
        .singleElement()
        .asString()
        .contains(files.get(2) + " holds other content of the same size (")
        .contains("sha256");
    assertThat(verify.stdout()).filteredOn(line -> line.startsWith("= ")).hasSize(files.size() - 3);
    assertThat(verify.stdout().get(verify.stdout().size() - 1)).matches(summary(files.size(), files.size() - 3, 2, 1, 0));
    assertThat(verify.errorLines())
        .containsExactly("autoupload: error: 3 of " + files.size() + " files are not on the target as they are here");
  }

  @Test
  void aLocalBackupVerifiesAllTheSameUntilItIsChangedBehindTheAppsBack() throws IOException {
    Path source = tmp.resolve("photos");
    Path backup = tmp.resolve("backup");
    List<String> files = MediaFiles.randomTree(source, 12, KIB, 64 * KIB, new SplittableRandom(41));
    long truncatedSize = Files.size(source.resolve(files.get(1)));
    String target = backup.toUri().toString();
    AppProcess run = finished(command("run", source, target, "--once"));
    assertThat(run.waitFor(TIMEOUT)).as(run.describe()).isZero();

    assertAllSame(finished(command("verify", source, target)), files);

    tamper(backup, files);

    assertTampered(finished(command("verify", source, target)), files, truncatedSize);
    assertTampered(finished(command("verify", source, target, "--download")), files, truncatedSize);
  }

  @Test
  void aWebDavBackupOnNginxVerifiesByItsHashSidecarsOrByReadingBack() throws IOException {
    Path source = tmp.resolve("photos");
    List<String> files = MediaFiles.randomTree(source, 10, KIB, 96 * KIB, new SplittableRandom(43));
    long truncatedSize = Files.size(source.resolve(files.get(1)));
    String target = nginx.uri("verified");
    AppProcess run = finished(command("run", source, target, "--once"));
    assertThat(run.waitFor(TIMEOUT)).as(run.describe()).isZero();

    assertAllSame(finished(command("verify", source, target)), files);

    tamper(nginx.folder("verified"), files);

    assertTampered(finished(command("verify", source, target)), files, truncatedSize);
    assertTampered(finished(command("verify", source, target, "--download")), files, truncatedSize);
  }

  @Test
  void aRunningInstanceVerifiesOnRequestReportingOverItsEventStream() throws Exception {
    Path source = tmp.resolve("photos");
    Path backup = tmp.resolve("backup");
    List<String> files = MediaFiles.randomTree(source, 8, KIB, 32 * KIB, new SplittableRandom(47));
    String target = backup.toUri().toString();
    AppProcess run = apps.start(command("run", source, target));
    Matcher endpoint = ENDPOINT.matcher(run.awaitLine(line -> ENDPOINT.matcher(line).matches(), TIMEOUT));
    assertThat(endpoint.matches()).isTrue();
    Api api = new Api(URI.create(endpoint.group(1)), Files.readString(Path.of(endpoint.group(2))).strip());
    Awaitility.await("everything backed up")
        .atMost(TIMEOUT)
        .until(() -> api.get("api/status"), status -> status.at("/run/backedUp").asLong() == files.size() && status.get("state").asText().equals("idle"));
    Files.delete(backup.resolve(files.get(0)));

    HttpResponse<Stream<String>> events = api.events();
    Map<String, String> marks = new TreeMap<>();
    JsonNode done;
    String id;
    try {
      Iterator<String> lines = events.body().iterator();
      Api.next(lines, "ready");

      HttpResponse<String> accepted = api.post("api/verify", "");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      id = JSON.readTree(accepted.body()).get("id").asText();
      while (true) {
        Api.Event event = Api.next(lines, null);
        if (event.type().equals("verify-file") && event.data().get("id").asText().equals(id)) {
          marks.put(event.data().get("path").asText(), event.data().get("mark").asText());
        }
        if (event.type().equals("verify-done") && event.data().get("id").asText().equals(id)) {
          done = event.data();
          break;
        }
      }
    } finally {
      events.body().close();
    }

    Map<String, String> expected = new TreeMap<>();
    files.forEach(file -> expected.put(file, "="));
    expected.put(files.get(0), "-");
    assertThat(marks).isEqualTo(expected);
    assertThat(done.get("state").asText()).isEqualTo("done");
    assertThat(done.get("complete").asBoolean()).isFalse();
    assertThat(done.at("/counts/missing").asLong()).isEqualTo(1);
    JsonNode report = api.get("api/verify/" + id);
    assertThat(report.get("files")).hasSize(files.size());
    assertThat(report.get("files").findValuesAsText("path")).containsExactlyInAnyOrderElementsOf(files);

    AppProcess verify = finished(command("verify", source, target));
    assertThat(verify.waitFor(TIMEOUT)).as(verify.describe()).isEqualTo(1);
    assertThat(verify.stdout().get(0)).contains("through the autoupload running on data dir " + tmp.resolve("data"));
    assertThat(verify.stdout()).contains("- " + files.get(0));
    assertThat(verify.stdout().get(verify.stdout().size() - 1)).matches(summary(files.size(), files.size() - 1, 0, 1, 0));
    assertThat(run.isAlive()).isTrue();
    run.terminate();
    assertThat(run.waitFor(TIMEOUT)).as(run.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);
  }

  /** The running instance's control endpoint, with its token. */
  private record Api(URI base, String token) {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    record Event(String type, JsonNode data) {}

    private HttpRequest.Builder request(String path) {
      return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }

    JsonNode get(String path) throws IOException, InterruptedException {
      HttpResponse<String> response = HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return JSON.readTree(response.body());
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
      return HTTP.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<Stream<String>> events() throws IOException, InterruptedException {
      return HTTP.send(request("api/events").GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    /** The next event, of {@code type} when given; SSE frames come as data: then event:. */
    static Event next(Iterator<String> lines, String type) throws IOException {
      while (true) {
        String eventType = "message";
        String data = null;
        for (String line; ; ) {
          assertThat(lines.hasNext()).as("the event stream ended").isTrue();
          line = lines.next();
          if (line.isEmpty()) {
            break;
          }
          if (line.startsWith("data:")) {
            data = line.substring(5).strip();
          } else if (line.startsWith("event:")) {
            eventType = line.substring(6).strip();
          }
        }
        if (data != null && (type == null || type.equals(eventType))) {
          return new Event(eventType, JSON.readTree(data));
        }
      }
    }
  }
}
