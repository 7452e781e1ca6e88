package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code autoupload verify --free-space} end to end: a folder backed up with {@code run --once} to
 * a local folder, then verified with {@code autoupload.after-backup} set.
 */
class VerifyFreeSpaceCommandTest {

  @TempDir Path dir;

  private record Result(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private Path source() {
    return dir.resolve("photos");
  }

  private Path backup() {
    return dir.resolve("backup");
  }

  private void write(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path file = source().resolve(name);
    Files.createDirectories(file.getParent());
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
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private void backUp() throws IOException {
    write("a.jpg", 1_000);
    write("2024/b.jpg", 1_500);
    write("gone.jpg", 2_000);
    Result run = command("run", "--once", "--http", "off");
    assertThat(run.code()).as(run.err()).isZero();
  }

  @Test
  void deletesEveryProvenOriginalAndTellsEachButKeepsOneWhoseBackupIsGone() throws IOException {
    backUp();
    Files.delete(backup().resolve("gone.jpg"));

    Result verify = command("verify", "--free-space", "--set", "autoupload.after-backup=\"delete-after:0\"");

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    assertThat(verify.code()).as(verify.err()).isEqualTo(1);
    assertThat(verify.lines())
        .contains(
            "= a.jpg",
            "= 2024/b.jpg",
            "- gone.jpg",
            "freed a.jpg (deleted, backed up as a.jpg on " + today + ")",
            "freed 2024/b.jpg (deleted, backed up as 2024/b.jpg on " + today + ")");
    assertThat(verify.lines().get(verify.lines().size() - 1))
        .matches("verify: files=3 same=2 differ=0 missing=1 unchecked=0 freed=2 kept=0 elapsed=\\d+\\.\\ds");
    assertThat(source().resolve("a.jpg")).doesNotExist();
    assertThat(source().resolve("2024/b.jpg")).doesNotExist();
    assertThat(source().resolve("gone.jpg")).exists();
  }

  @Test
  void aTooYoungBackupIsToldAsKept() throws IOException {
    backUp();

    Result verify = command("verify", "--free-space", "--set", "autoupload.after-backup=\"delete-after:7\"");

    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.lines()).contains("kept a.jpg: its backup is younger than delete-after allows");
    assertThat(verify.lines().get(verify.lines().size() - 1)).contains(" freed=0 kept=3 ");
    assertThat(source().resolve("a.jpg")).exists();
  }

  @Test
  void withoutASettingOrWithAMoveToFolderInsideTheSourceOrTargetNothingRuns() throws IOException {
    backUp();

    Result keep = command("verify", "--free-space");
    Result inside =
        command("verify", "--free-space", "--set", "autoupload.after-backup=\"move-to:" + source().resolve("old") + "\"");
    Result inTarget =
        command("verify", "--free-space", "--set", "autoupload.after-backup=\"move-to:" + backup().resolve("old") + "\"");
    Result malformed = command("verify", "--free-space", "--set", "autoupload.after-backup=\"delete\"");
    Result plain = command("verify");

    assertThat(keep.code()).isEqualTo(Main.USAGE);
    assertThat(keep.err()).contains("--free-space needs autoupload.after-backup set");
    assertThat(inside.code()).isEqualTo(Main.USAGE);
    assertThat(inside.err()).contains("the move-to folder").contains("the source folder");
    assertThat(inTarget.code()).isEqualTo(Main.USAGE);
    assertThat(inTarget.err()).contains("the move-to folder").contains("the target folder");
    assertThat(malformed.code()).isEqualTo(Main.USAGE);
    assertThat(malformed.err()).contains("autoupload.after-backup: \"delete\" is not valid");
    assertThat(plain.code()).as(plain.err()).isZero();
    assertThat(plain.lines()).noneMatch(line -> line.startsWith("freed ") || line.startsWith("kept "));
    assertThat(source().resolve("a.jpg")).exists();
    assertThat(source().resolve("2024/b.jpg")).exists();
    assertThat(source().resolve("gone.jpg")).exists();
  }
}
