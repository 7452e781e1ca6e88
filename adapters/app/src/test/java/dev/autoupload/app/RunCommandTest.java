package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code autoupload run --once} end to end: real engine, real H2 journal, real folders. */
class RunCommandTest {

  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private Result runOnce(Path source, Path target, Path data) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code =
        commandLine.execute(
            "run", "--source", source.toString(), "--target", target.toUri().toString(),
            "--data-dir", data.toString(), "--once", "--set", "autoupload.upload.chunk-bytes=64KiB",
            "--set", "autoupload.layout.time-zone=UTC",
            "--http", "127.0.0.1:0");
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void backsUpEveryFileByteExactThenFindsThemAlreadyBackedUp() throws IOException {
    Path source = Files.createDirectories(dir.resolve("photos"));
    Path target = Files.createDirectories(dir.resolve("backup"));
    Path data = dir.resolve("data");
    byte[] big = new byte[300 * 1024];
    new Random(7).nextBytes(big);
    Files.write(source.resolve("big.jpg"), big);
    Files.createDirectories(source.resolve("2024/05"));
    Files.writeString(source.resolve("2024/05/small.jpg"), "small");
    Files.write(source.resolve("empty.jpg"), new byte[0]);
    // No EXIF in these: the file times date them, and the default layout files them by month.
    Files.setLastModifiedTime(source.resolve("big.jpg"), FileTime.from(Instant.parse("2024-05-10T12:00:00Z")));
    Files.setLastModifiedTime(source.resolve("2024/05/small.jpg"), FileTime.from(Instant.parse("2023-11-30T23:59:00Z")));
    Files.setLastModifiedTime(source.resolve("empty.jpg"), FileTime.from(Instant.parse("2022-01-01T00:00:00Z")));

    Result first = runOnce(source, target, data);

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.err()).as("nothing passed over").doesNotContain("autoupload: note:");
    assertThat(first.out().lines().findFirst())
        .contains("autoupload: backing up " + source + " to " + target + " (data dir " + data + ")");
    assertThat(first.out())
        .contains("uploaded big.jpg -> 2024/05/big.jpg " + big.length, "uploaded 2024/05/small.jpg -> 2023/11/small.jpg 5");
    assertThat(summary(first))
        .matches("summary: files=3 backed-up=3 uploaded=3 already=0 skipped=0 failed=0 bytes-sent=307205 elapsed=\\d+\\.\\ds");
    assertThat(Files.readAllBytes(target.resolve("2024/05/big.jpg"))).isEqualTo(big);
    assertThat(Files.readString(target.resolve("2023/11/small.jpg"))).isEqualTo("small");
    assertThat(Files.size(target.resolve("2022/01/empty.jpg"))).isZero();

    Result second = runOnce(source, target, data);

    assertThat(second.code()).as(second.err()).isZero();
    assertThat(summary(second))
        .matches("summary: files=3 backed-up=3 uploaded=0 already=3 skipped=0 failed=0 bytes-sent=0 elapsed=\\d+\\.\\ds");
  }

  @Test
  void aFolderOfDocumentsBacksUpNothingAndSaysWhy() throws IOException {
    Path source = Files.createDirectories(dir.resolve("documents"));
    Files.writeString(source.resolve("letter.txt"), "dear");
    Files.writeString(source.resolve("notes.txt"), "notes");
    Files.writeString(source.resolve("IMG_0001.jpg"), "a photo");
    Path target = Files.createDirectories(dir.resolve("backup"));

    Result run = runOnce(source, target, dir.resolve("data"));

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(summary(run)).startsWith("summary: files=1 backed-up=1 uploaded=1 ");
    assertThat(run.err().lines().filter(line -> line.startsWith("autoupload: note: ")))
        .containsExactly(
            "autoupload: note: 2 files under " + source + " are not a photo or video by extension and were not backed"
                + " up (.txt 2); autoupload.source.folder.extensions lists what is");
    assertThat(run.out()).doesNotContain("note");
  }

  @Test
  void secondRunOnTheSameDataDirWhileTheFirstHoldsItCannotStart() throws IOException {
    Path source = Files.createDirectories(dir.resolve("photos"));
    Path data = dir.resolve("data");
    Files.writeString(source.resolve("a.jpg"), "a");

    UploadEngine holder =
        EngineInternals.start(ConfigLoader.withDataDir(ConfigLoader.load(Optional.empty(), List.of()), data));
    try {
      Result blocked = runOnce(source, Files.createDirectories(dir.resolve("backup")), data);

      assertThat(blocked.code()).isEqualTo(3);
      assertThat(blocked.err()).startsWith("autoupload: error: ").doesNotContain("\tat ");
      assertThat(blocked.err().lines()).hasSize(1);
      assertThat(blocked.out()).isEmpty();
    } finally {
      holder.close();
    }
  }

  private static String summary(Result result) {
    return result.out().lines().filter(l -> l.startsWith("summary: ")).findFirst().orElseThrow();
  }
}
