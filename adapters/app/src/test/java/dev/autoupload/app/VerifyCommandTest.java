package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.HttpControlServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code autoupload verify} end to end: a folder backed up with {@code run --once} to a local
 * folder, changed there behind the app's back, verified with the journal in this process or
 * through the instance that holds it.
 */
class VerifyCommandTest {

  private static final String SUMMARY = "verify: files=%d same=%d differ=%d missing=%d unchecked=%d elapsed=\\d+\\.\\ds";

  @TempDir Path dir;

  private record Result(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }

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

  private Path source() {
    return dir.resolve("photos");
  }

  private Path backup() {
    return dir.resolve("backup");
  }

  /** Five photos, one with a newline in its name; dated in the past, so none waits to settle. */
  private void photos() throws IOException {
    Files.createDirectories(source());
    write("same.jpg", 1_000);
    write("deleted.jpg", 1_500);
    write("truncated.jpg", 2_000);
    write("replaced.jpg", 3_000);
    write("new\nline.jpg", 500);
  }

  private void write(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path file = source().resolve(name);
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-05-10T12:00:00Z")));
  }

  private Result command(String command, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command, "--source", source().toString(), "--target", backup().toUri().toString(),
                "--data-dir", dir.resolve("data").toString(), "--set", "autoupload.layout.pattern=\"{path}\""));
    args.addAll(Arrays.asList(more));
    return execute(args.toArray(String[]::new));
  }

  private void backUp() throws IOException {
    photos();
    Result run = command("run", "--once", "--http", "off");
    assertThat(run.code()).as(run.err()).isZero();
  }

  /** Truncates one backup, replaces one with other bytes of the same size and deletes one. */
  private void tamper() throws IOException {
    Files.delete(backup().resolve("deleted.jpg"));
    Path truncated = backup().resolve("truncated.jpg");
    Files.write(truncated, Arrays.copyOf(Files.readAllBytes(truncated), 1_000));
    byte[] other = new byte[3_000];
    new Random(99).nextBytes(other);
    Files.write(backup().resolve("replaced.jpg"), other);
  }

  @Test
  void aCompleteBackupIsAllTheSameAndExits0() throws IOException {
    backUp();

    Result verify = command("verify");

    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.lines().get(0)).startsWith("autoupload: verifying " + source() + " against " + backup());
    assertThat(verify.lines().subList(1, 6))
        .containsExactlyInAnyOrder("= same.jpg", "= deleted.jpg", "= truncated.jpg", "= replaced.jpg", "= new line.jpg");
    assertThat(verify.lines().get(6)).matches(SUMMARY.formatted(5, 5, 0, 0, 0));
    assertThat(verify.lines()).hasSize(7);
    assertThat(verify.err()).isEmpty();
  }

  @Test
  void aChangedBackupGetsTheMarkersAndExits1() throws IOException {
    backUp();
    tamper();

    for (String download : List.of("", "--download")) {
      Result verify = download.isEmpty() ? command("verify") : command("verify", download);

      assertThat(verify.code()).as(verify.err()).isEqualTo(1);
      assertThat(verify.lines())
          .contains(
              "= same.jpg",
              "= new line.jpg",
              "- deleted.jpg",
              "* truncated.jpg: truncated.jpg holds other content: 1000 bytes there, 2000 here");
      assertThat(verify.lines())
          .filteredOn(line -> line.startsWith("* replaced.jpg: "))
          .singleElement()
          .asString()
          .startsWith("* replaced.jpg: replaced.jpg holds other content of the same size (3000 bytes): sha256 ");
      assertThat(verify.lines().get(verify.lines().size() - 1)).matches(SUMMARY.formatted(5, 2, 2, 1, 0));
      assertThat(verify.errorLines())
          .containsExactly(Main.ERROR_PREFIX + "3 of 5 files are not on the target as they are here");
    }
  }

  @Test
  void badInputIsAUsageErrorAndAMissingSourceCannotStart() throws IOException {
    photos();

    Result unknownOption = command("verify", "--once");
    Result badTarget = execute("verify", "--source", source().toString(), "--target", "ftp://example.org/");
    Result badSetting = command("verify", "--set", "autoupload.verify.parallelism=0");
    Result noSource =
        execute("verify", "--source", dir.resolve("nowhere").toString(), "--target", backup().toUri().toString(),
            "--data-dir", dir.resolve("data").toString());

    assertThat(unknownOption.code()).isEqualTo(2);
    assertThat(badTarget.code()).isEqualTo(2);
    assertThat(badSetting.code()).isEqualTo(2);
    assertThat(badSetting.errorLines()).singleElement().asString().contains("autoupload.verify.parallelism must be at least 1");
    assertThat(noSource.code()).isEqualTo(3);
    assertThat(noSource.errorLines()).containsExactly(Main.ERROR_PREFIX + "source folder " + dir.resolve("nowhere") + " does not exist");
  }

  @Test
  void verifiesThroughTheRunningInstanceThatHoldsTheDataDir() throws Exception {
    backUp();
    Path data = dir.resolve("data");
    String id = LibraryIds.derive(source(), backup().toUri().toString());
    Config config = ConfigLoader.withDataDir(ConfigLoader.load(Optional.empty(), List.of("autoupload.layout.pattern=\"{path}\"")), data);
    try (UploadEngine engine = EngineInternals.start(config);
        HttpControlServer server = HttpControlServer.start(engine, data, "127.0.0.1", 0)) {
      Library library = CommandSetup.library(id, source(), CommandSetup.openTarget(backup().toUri().toString(), config, source()), config);
      engine.addLibrary(library).toCompletableFuture().get(10, TimeUnit.SECONDS);
      awaitIdle(engine);
      tamper();

      Result verify = command("verify");

      assertThat(verify.code()).as(verify.err()).isEqualTo(1);
      assertThat(verify.lines().get(0))
          .isEqualTo(
              "autoupload: verifying " + source() + " against " + backup().toUri() + " through the autoupload running on data dir "
                  + data + " (" + server.url() + ")");
      assertThat(verify.lines()).contains("= same.jpg", "- deleted.jpg", "* truncated.jpg: truncated.jpg holds other content: 1000 bytes there, 2000 here");
      assertThat(verify.lines().get(verify.lines().size() - 1)).matches(SUMMARY.formatted(5, 2, 2, 1, 0));

      Result otherLibrary = command("verify", "--library", "somewhere-else");
      assertThat(otherLibrary.code()).isEqualTo(3);
      assertThat(otherLibrary.errorLines())
          .singleElement()
          .asString()
          .contains("cannot do it: no library somewhere-else here; this instance backs up " + id);
    }
  }

  @Test
  void aRunWithoutAControlEndpointHoldingTheDataDirIsAOneLineErrorSayingWhatToDo() throws Exception {
    backUp();
    Path data = dir.resolve("data");
    try (UploadEngine engine = EngineInternals.start(ConfigLoader.withDataDir(ConfigLoader.load(Optional.empty(), List.of()), data))) {
      Result verify = command("verify");

      assertThat(verify.code()).isEqualTo(3);
      assertThat(verify.errorLines())
          .singleElement()
          .asString()
          .contains("cannot verify while another autoupload runs on data dir " + data + " without a control endpoint")
          .endsWith("stop it, or restart it with --http, then verify again");
      assertThat(verify.out()).isEmpty();
    }
  }

  private static void awaitIdle(UploadEngine engine) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).idle());
  }
}
