package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(CommandLine commandLine, String... args) {
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void missingSourceExitsThreeWithOneLine() {
    Path missing = dir.resolve("no-such-folder");

    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", missing.toString(), "--target", "file://" + dir.resolve("target"),
            "--data-dir", dir.resolve("data").toString(), "--once");

    assertThat(code).isEqualTo(3);
    assertThat(err.toString())
        .isEqualTo("autoupload: error: source folder " + missing + " does not exist" + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void aPasswordInAnArgumentPicocliCannotPlaceIsNotEchoed() {
    int code =
        execute(
            Main.commandLine(),
            "run", "--source", dir.toString(), "--target", "file://" + dir.resolve("target"),
            "--targt", "webdav://alice:S3cret@PW@host/dav", "nextcloud://bob:0ther/PW@cloud");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("autoupload: error: Unknown options: '--targt', 'webdav://***@host/dav', 'nextcloud://***@cloud'")
        .doesNotContain("S3cret", "PW@host", "0ther");
  }

  @Test
  void sourceThatIsAFileExitsThree() throws IOException {
    Path file = Files.writeString(dir.resolve("photo.jpg"), "x");

    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", file.toString(), "--target", "file://" + dir.resolve("target"), "--once");

    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).startsWith("autoupload: error: source " + file + " is not a folder");
  }

  @Test
  void badSetExitsTwoWithOneLineAndNoStackTrace() {
    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", dir.toString(), "--target", "file://" + dir.resolve("target"),
            "--set", "autoupload.upload.parallelism");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "autoupload: error: --set autoupload.upload.parallelism: expected KEY=VALUE, "
                + "e.g. --set autoupload.upload.parallelism=2");
  }

  @Test
  void unsupportedTargetExitsTwo() {
    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", dir.toString(), "--target", "ftp://example.org/photos");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("autoupload: error: unsupported target").doesNotContain("\tat ");
  }

  @Test
  void aBrokenConditionsScenarioExitsTwoNamingTheStep() throws IOException {
    Path scenario = Files.writeString(dir.resolve("scenario.json"), "[{\"afterMs\": 0, \"conditions\": {\"batery\": 5}}]");

    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", dir.toString(), "--target", "file://" + dir.resolve("target"),
            "--data-dir", dir.resolve("data").toString(), "--conditions", scenario.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines())
        .singleElement()
        .asString()
        .startsWith("autoupload: error: conditions scenario file " + scenario + ", step 0: ")
        .contains("batery");
  }

  @Test
  void targetThatCannotBeWrittenExitsThree() throws IOException {
    Path blocker = Files.writeString(dir.resolve("not-a-folder"), "x");
    Path photos = Files.createDirectories(dir.resolve("photos"));

    int code =
        execute(
            new CommandLine(new Main()),
            "run", "--source", photos.toString(), "--target", "file://" + blocker.resolve("backup"),
            "--data-dir", dir.resolve("data").toString());

    assertThat(code).isEqualTo(3);
    assertThat(err.toString()).startsWith("autoupload: error: ").doesNotContain("\tat ");
    assertThat(err.toString().lines()).hasSize(1);
  }

  @Test
  void missingRequiredOptionIsAOneLineUsageError() {
    int code = execute(Main.commandLine(), "run", "--target", "file:///tmp/x");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().lines())
        .containsExactly(
            "autoupload: error: Missing required option: '--source=DIR' (see 'autoupload run --help')");
  }

  @Test
  void helpListsTheExitCodes() {
    int code = execute(new CommandLine(new Main()), "run", "--help");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("Exit codes:", "  0   every file is backed up", "  3   cannot start");
  }

  @Test
  void versionNamesTheBuild() {
    int code = execute(new CommandLine(new Main()), "version");

    assertThat(code).isZero();
    assertThat(out.toString()).matches("autoupload \\d+\\.\\d+\\.\\d+.*\\R");
  }
}
