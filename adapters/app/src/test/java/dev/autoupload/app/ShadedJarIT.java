package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded {@code autoupload.jar} run as a child JVM, the way the launcher runs it. */
class ShadedJarIT {

  private static final long TIMEOUT_SECONDS = 60;
  /** What the README says {@code run} prints on stdout, line by line; scripts parse nothing else. */
  private static final Pattern DOCUMENTED =
      Pattern.compile(
          "(autoupload: backing up |autoupload: control endpoint |uploaded |already-on-target |resumed |retrying "
              + "|failed |skipped |scan-failed |progress |waiting: |slowed: |stalled |recovered |summary: ).*|uploading");

  @TempDir Path dir;

  private Path source;
  private Path target;
  private Path data;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void files() throws IOException {
    source = Files.createDirectories(dir.resolve("photos"));
    target = dir.resolve("backup");
    data = dir.resolve("data");
    byte[] content = new byte[2 * 1024 * 1024 + 17];
    new Random(42).nextBytes(content);
    Files.write(source.resolve("movie.mov"), content);
    // Dated by its file time (no metadata in it): the default layout files it under 2021/07.
    Files.setLastModifiedTime(source.resolve("movie.mov"), FileTime.from(Instant.parse("2021-07-04T12:00:00Z")));
    Files.createDirectories(source.resolve("2024"));
    Files.writeString(source.resolve("2024/a.jpg"), "a");
  }

  @AfterEach
  void stopLeftovers() throws InterruptedException {
    for (Process process : started) {
      process.destroyForcibly().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void onceBacksUpByteExactAndTheNextRunFindsEverythingThere() throws Exception {
    Finished first = finish(start("--once"));

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.err()).doesNotContain("ERROR", "Exception");
    assertThat(first.out().lines()).as("stdout carries only the documented lines").allMatch(DOCUMENTED.asMatchPredicate());
    assertThat(first.out()).contains("uploaded movie.mov -> 2021/07/movie.mov 2097169", "uploaded 2024/a.jpg -> ");
    assertThat(first.summary())
        .startsWith("summary: files=2 backed-up=2 uploaded=2 already=0 skipped=0 failed=0 bytes-sent=2097170 ");
    assertThat(Files.readAllBytes(target.resolve("2021/07/movie.mov")))
        .isEqualTo(Files.readAllBytes(source.resolve("movie.mov")));

    Finished second = finish(start("--once"));

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.out().lines()).as("stdout carries only the documented lines").allMatch(DOCUMENTED.asMatchPredicate());
    assertThat(second.summary())
        .startsWith("summary: files=2 backed-up=2 uploaded=0 already=2 skipped=0 failed=0 bytes-sent=0 ");
  }

  @Test
  void aRunOnceThatLastsStartsItsEndpointAfterASecondAndAnswersWhileItRuns() throws Exception {
    // 2 MiB at 128 KiB/s: about sixteen seconds, the endpoint due after one (the default).
    Process run = start("--once", "--http", "127.0.0.1:0", "--set", "autoupload.policy.bandwidth-limit=128KiB");
    Lines out = Lines.of(run);
    out.await(line -> line.startsWith("autoupload: backing up "));

    String endpoint = out.await(line -> line.startsWith("autoupload: control endpoint ") || line.startsWith("summary: "));
    assertThat(endpoint).matches("autoupload: control endpoint http://127\\.0\\.0\\.1:\\d+/ \\(token in .*http-token\\)");
    Finished status = finish(jar("status", "--data-dir", data.toString()));
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).startsWith("autoupload at " + endpoint.split(" ")[3] + ": ");
    assertThat(run.isAlive()).as("the run still going when its endpoint answered").isTrue();

    assertThat(out.await(line -> line.startsWith("summary: "))).startsWith("summary: files=2 backed-up=2 uploaded=2 ");
    assertThat(run.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isZero();
    assertThat(data.resolve("http-address")).doesNotExist();
  }

  @Test
  void sigtermStopsCleanlyPrintsTheSummaryAndReleasesTheDataDir() throws Exception {
    Process watching = start();
    Lines out = Lines.of(watching);
    out.awaitAll("uploaded movie.mov ", "uploaded 2024/a.jpg ");

    // SIGTERM through the handle: Process.destroy() would also close our end of its stdout.
    watching.toHandle().destroy();

    assertThat(watching.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(out.await(line -> line.startsWith("summary: ")))
        .startsWith("summary: files=2 backed-up=2 uploaded=2 ");
    Finished next = finish(start("--once"));
    assertThat(next.exitCode()).as(next.err()).isZero();
  }

  @Test
  void aSecondRunOnTheSameDataDirCannotStart() throws Exception {
    Process first = start();
    Lines.of(first).await(line -> line.startsWith("autoupload: backing up"));

    Finished second = finish(start("--once"));

    assertThat(second.exitCode()).isEqualTo(3);
    assertThat(second.err().lines().filter(l -> l.startsWith("autoupload: error: ")).count()).isOne();
    assertThat(second.err()).doesNotContain("\tat ");
  }

  private Process start(String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", data.toString(), "--set", "autoupload.upload.chunk-bytes=256KiB"));
    args.addAll(List.of(extra));
    return jar(args.toArray(String[]::new));
  }

  /** {@code java -jar autoupload.jar args...} */
  private Process jar(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(System.getProperty("autoupload.jar", "target/autoupload.jar"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    started.add(process);
    return process;
  }

  @Test
  void aRunningInstanceAnswersStatusAndActivityAndServesThePageFromTheJar() throws Exception {
    Process running = start("--http", "127.0.0.1:0");
    Lines out = Lines.of(running);
    String endpoint = out.await(line -> line.startsWith("autoupload: control endpoint "));
    assertThat(endpoint).matches("autoupload: control endpoint http://127\\.0\\.0\\.1:\\d+/ \\(token in .*http-token\\)");
    URI url = URI.create(endpoint.split(" ")[3]);
    out.awaitAll("uploaded movie.mov ", "uploaded 2024/a.jpg ");

    Finished status = finish(jar("status", "--data-dir", data.toString()));
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).startsWith("autoupload at " + url + ": ");
    // The Activity list trails the uploaded lines by a moment: ask again until both are in it.
    Finished activity = null;
    for (int attempt = 0; attempt < 30; attempt++) {
      activity = finish(jar("activity", "--data-dir", data.toString()));
      if (activity.out().contains("movie.mov") && activity.out().contains("2024/a.jpg")) {
        break;
      }
    }
    assertThat(activity.exitCode()).as(activity.err()).isZero();
    assertThat(activity.out()).contains("movie.mov", "2024/a.jpg");

    HttpResponse<String> page =
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("id=\"recent\"", "/app.js");

    running.toHandle().destroy();
    assertThat(running.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(data.resolve("http-address")).doesNotExist();
    Finished afterStop = finish(jar("status", "--data-dir", data.toString()));
    assertThat(afterStop.exitCode()).isEqualTo(3);
    assertThat(afterStop.err()).contains("autoupload: error: no autoupload instance is running for data dir " + data);
  }

  private record Finished(int exitCode, String out, String err) {
    String summary() {
      return out.lines().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow(
          () -> new AssertionError("no summary in: " + out + err));
    }
  }

  private static Finished finish(Process process) throws Exception {
    var out = process.getInputStream().readAllBytes();
    var err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    return new Finished(
        process.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  /** A child's stdout read on its own thread, so a test can wait for a line with a timeout. */
  private static final class Lines {
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    static Lines of(Process process) {
      Lines result = new Lines();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    result.lines.add(line);
                  }
                } catch (IOException e) {
                  result.lines.add("<stdout failed: " + e + ">");
                }
              });
      reader.setDaemon(true);
      reader.start();
      return result;
    }

    /** Waits until a line starting with each prefix has come, in any order. */
    void awaitAll(String... prefixes) throws InterruptedException {
      Set<String> missing = new HashSet<>(List.of(prefixes));
      while (!missing.isEmpty()) {
        String line = await(l -> missing.stream().anyMatch(l::startsWith));
        missing.removeIf(line::startsWith);
      }
    }

    String await(Predicate<String> wanted) throws InterruptedException {
      List<String> seen = new ArrayList<>();
      while (true) {
        String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (line == null) {
          throw new AssertionError("no such line within " + TIMEOUT_SECONDS + "s; saw " + seen);
        }
        if (wanted.test(line)) {
          return line;
        }
        seen.add(line);
      }
    }
  }
}
