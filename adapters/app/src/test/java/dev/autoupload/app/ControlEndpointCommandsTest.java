package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code run --http} and the commands that talk to a running instance: status, activity, token. */
class ControlEndpointCommandsTest {

  private static final Pattern ENDPOINT_LINE =
      Pattern.compile("autoupload: control endpoint http://127\\.0\\.0\\.1:(\\d+)/ \\(token in (.+)\\)");

  @TempDir Path dir;

  private record Result(int code, String out, String err) {
    List<String> errorLines() {
      return err.lines().filter(line -> line.startsWith(Main.ERROR_PREFIX)).toList();
    }
  }

  private static Result execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private Path photos() throws IOException {
    Path source = Files.createDirectories(dir.resolve("photos"));
    Files.writeString(source.resolve("a.jpg"), "a".repeat(1000));
    Files.createDirectories(source.resolve("2023"));
    Files.writeString(source.resolve("2023/b.jpg"), "b".repeat(2000));
    return source;
  }

  private Result runOnce(Path source, String http, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--source", source.toString(), "--target", dir.resolve("backup").toUri().toString(),
                "--data-dir", dir.resolve("data").toString(), "--once", "--http", http));
    args.addAll(List.of(more));
    return execute(args.toArray(String[]::new));
  }

  @Test
  void runPrintsTheEndpointLineOnceAfterTheBackupLineAndCleansUpTheAddressFile() throws IOException {
    Result result = runOnce(photos(), "127.0.0.1:0", "--set", "autoupload.http.once-start-after=0s");

    assertThat(result.code()).as(result.err()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines.get(0)).startsWith("autoupload: backing up ");
    assertThat(lines.get(1)).matches(ENDPOINT_LINE);
    assertThat(lines.stream().filter(line -> line.contains("control endpoint"))).hasSize(1);
    Path tokenFile = dir.resolve("data/http-token");
    assertThat(lines.get(1)).endsWith("(token in " + tokenFile + ")");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
    assertThat(dir.resolve("data/http-address")).doesNotExist();
  }

  @Test
  void aRunOnceOverBeforeItsEndpointWouldStartStartsNone() throws IOException {
    Result result = runOnce(photos(), "127.0.0.1:0", "--set", "autoupload.http.once-start-after=10m");

    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).doesNotContain("control endpoint").contains("summary: files=2 backed-up=2 uploaded=2 ");
    assertThat(result.err()).doesNotContain("warning");
    assertThat(dir.resolve("data/http-token")).doesNotExist();
    assertThat(dir.resolve("data/http-address")).doesNotExist();
  }

  @Test
  void aNegativeEndpointDelayIsAUsageError() throws IOException {
    Result result = runOnce(photos(), "127.0.0.1:0", "--set", "autoupload.http.once-start-after=-1s");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.errorLines()).singleElement().asString().contains("autoupload.http.once-start-after must not be negative");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void httpOffStartsNoEndpoint() throws IOException {
    Result result = runOnce(photos(), "off");

    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).doesNotContain("control endpoint");
    assertThat(dir.resolve("data/http-token")).doesNotExist();
  }

  @Test
  void aBadHttpValueIsAUsageError() throws IOException {
    Path source = photos();
    for (String value : List.of("8686", "localhost", "::1:8686", "127.0.0.1:70000", "127.0.0.1:port", "[::1:80")) {
      Result result = runOnce(source, value);

      assertThat(result.code()).as(value).isEqualTo(2);
      assertThat(result.errorLines()).as(value).singleElement().asString().contains("--http " + value);
      assertThat(result.out()).isEmpty();
    }
  }

  /** Whether the endpoint would start at once or later, a taken address ends the run at the start. */
  @ParameterizedTest
  @ValueSource(strings = {"0s", "1s"})
  void aTakenPortExits3BeforeUploadingAnything(String startAfter) throws IOException {
    Path source = photos();
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Result result =
          runOnce(source, "127.0.0.1:" + taken.getLocalPort(), "--set", "autoupload.http.once-start-after=" + startAfter);

      assertThat(result.code()).isEqualTo(3);
      assertThat(result.errorLines())
          .singleElement()
          .asString()
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use", "--http");
      assertThat(result.err()).doesNotContain("\tat ");
      assertThat(result.out()).isEmpty();
    }
    try (var uploaded = Files.list(dir.resolve("backup"))) {
      assertThat(uploaded).isEmpty();
    } catch (java.nio.file.NoSuchFileException nothingCreated) {
      // No target folder at all: nothing was uploaded either.
    }
  }

  @Test
  void statusWithoutARunningInstanceExits3() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));

    Result never = execute("status", "--data-dir", data.toString());

    assertThat(never.code()).isEqualTo(3);
    assertThat(never.errorLines()).containsExactly(Main.ERROR_PREFIX + "no autoupload instance is running for data dir " + data);
    assertThat(never.out()).isEmpty();

    // What a killed instance leaves behind: an address nobody answers on.
    Files.writeString(data.resolve("http-token"), "x".repeat(43));
    try (ServerSocket closed = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Files.writeString(data.resolve("http-address"), "127.0.0.1:" + closed.getLocalPort());
    }
    Result stale = execute("status", "--data-dir", data.toString());
    assertThat(stale.code()).isEqualTo(3);
    assertThat(stale.errorLines()).singleElement().asString().contains("no autoupload instance is running", "nothing answers");
    assertThat(execute("activity", "--data-dir", data.toString()).code()).isEqualTo(3);
  }

  @Test
  void statusAndActivityShowWhatTheRunningInstanceDoes() throws Exception {
    Path data = dir.resolve("data");
    try (UploadEngine engine = EngineInternals.start(ConfigLoader.withDataDir(ConfigLoader.load(Optional.empty(), List.of()), data));
        HttpControlServer server = HttpControlServer.start(engine, data, "127.0.0.1", 0)) {
      engine
          .addLibrary(new Library("photos", new FolderSource("photos", photos()), TargetUris.open(dir.resolve("backup").toUri().toString(), TargetSettings.defaults())))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      awaitTwoUploads(data);

      Result status = execute("status", "--data-dir", data.toString());

      assertThat(status.code()).as(status.err()).isZero();
      assertThat(status.out().lines())
          .contains(
              "autoupload at " + server.url() + ": up to date",
              "files: 2 of 2 backed up, 0 uploading, 0 waiting, 0 failed, 0 skipped (this run)",
              "all runs: 2 uploaded, 0 uploading, 0 paused, 0 failed, 0 skipped");

      Result activity = execute("activity", "--data-dir", data.toString(), "--limit", "1", "--order", "created");

      assertThat(activity.code()).as(activity.err()).isZero();
      List<String> lines = activity.out().lines().toList();
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).matches("UPLOADED +TAKEN +SIZE +PATH");
      assertThat(lines.get(1)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  \\d{4}-\\d\\d-\\d\\d +\\S+ \\S+  (a\\.jpg|2023/b\\.jpg)");
      assertThat(lines.get(2)).startsWith("next page: autoupload activity --limit 1 --order created --before ");
      String cursor = lines.get(2).substring(lines.get(2).lastIndexOf(' ') + 1);
      Result next = execute("activity", "--data-dir", data.toString(), "--limit", "1", "--order", "created", "--before", cursor);
      assertThat(next.out().lines().toList()).hasSize(2);

      assertThat(execute("activity", "--data-dir", data.toString()).out().lines()).hasSize(3);
      Result badLimit = execute("activity", "--data-dir", data.toString(), "--limit", "0");
      assertThat(badLimit.code()).isEqualTo(2);
      assertThat(badLimit.errorLines()).singleElement().asString().contains("limit must be between 1 and 500");
      Result badOrder = execute("activity", "--data-dir", data.toString(), "--order", "sideways");
      assertThat(badOrder.code()).isEqualTo(2);
      assertThat(badOrder.errorLines()).containsExactly(Main.ERROR_PREFIX + "--order must be uploaded or created, got 'sideways'");

      Files.writeString(data.resolve("http-token"), "y".repeat(43));
      Result refused = execute("status", "--data-dir", data.toString());
      assertThat(refused.code()).isEqualTo(3);
      assertThat(refused.errorLines()).singleElement().asString().contains("refused");
    }
  }

  @Test
  void statusShowsALibraryWhoseBackupIsDownAndWhy() throws Exception {
    Path data = dir.resolve("data");
    UploadTarget folder = TargetUris.open(dir.resolve("backup").toUri().toString(), TargetSettings.defaults());
    UploadTarget broken =
        new UploadTarget() {
          @Override
          public String describe() {
            return folder.describe();
          }

          @Override
          public NameRules nameRules() {
            throw new IllegalStateException("the target lost its settings");
          }

          @Override
          public RemoteState probe(String remotePath) throws UploadException {
            return folder.probe(remotePath);
          }

          @Override
          public UploadSession open(String remotePath, long size) throws UploadException {
            return folder.open(remotePath, size);
          }

          @Override
          public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
            folder.discard(remotePath, resumeToken);
          }

          @Override
          public void check() throws UploadException {
            folder.check();
          }
        };
    Config config =
        ConfigLoader.withDataDir(
            ConfigLoader.load(Optional.empty(), List.of("autoupload.supervision.min-backoff=50ms", "autoupload.supervision.max-backoff=200ms")),
            data);
    try (UploadEngine engine = EngineInternals.start(config);
        HttpControlServer server = HttpControlServer.start(engine, data, "127.0.0.1", 0)) {
      engine.addLibrary(new Library("photos", new FolderSource("photos", photos()), broken).watched()).toCompletableFuture().get(10, TimeUnit.SECONDS);

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Result status = execute("status", "--data-dir", data.toString());
                assertThat(status.code()).as(status.err()).isZero();
                assertThat(status.out().lines())
                    .contains("autoupload at " + server.url() + ": waiting")
                    .anyMatch(
                        line ->
                            line.matches(
                                "library photos: DOWN: IllegalStateException: the target lost its settings \\(failed \\d+ times; restarting\\)"));
              });
    }
  }

  @Test
  void tokenPrintsTheSameTokenEveryTime() throws IOException {
    Path data = dir.resolve("data");

    Result first = execute("token", "--data-dir", data.toString());
    Result second = execute("token", "--data-dir", data.toString());

    assertThat(first.code()).isZero();
    assertThat(first.out()).matches("[A-Za-z0-9_-]{43}\\R");
    assertThat(second.out()).isEqualTo(first.out());
    assertThat(Files.readString(data.resolve("http-token"))).isEqualTo(first.out().strip() + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("http-token")))).isEqualTo("rw-------");
  }

  private static void awaitTwoUploads(Path data) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Result status = execute("status", "--data-dir", data.toString());
              assertThat(status.out()).contains("up to date", "all runs: 2 uploaded");
            });
  }
}
