package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video still growing while it is uploaded (a recording app appending to it) never lands torn:
 * the run notices the change after the last byte, says so, scans the file again once it has
 * settled, and ends with the final content on the target, byte-exact.
 */
class ChangedDuringUploadIT {

  private static final String VIDEO = "recording.mov";
  private static final String PART_SUFFIX = ".autoupload-part";

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void aFileAppendedToDuringItsUploadEndsOnTheTargetWithItsFinalContent() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("camera"));
    Path video = source.resolve(VIDEO);
    MediaFiles.write(video, 24 * MIB, new SplittableRandom(24));
    Files.setLastModifiedTime(video, FileTime.from(Instant.now().minusSeconds(60)));
    Path target = tmp.resolve("backup");
    AppProcess run =
        apps.start(
            AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("data").toString(), "--once",
                // Slow enough to append while it is sent.
                "--set", "autoupload.policy.bandwidth-limit=4MiB",
                "--set", "autoupload.source.folder.stable-for=1s"));

    Path part = target.resolve("." + VIDEO + PART_SUFFIX);
    await("the upload under way")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(10))
        .failFast("the run ended before the append", () -> !run.isAlive())
        .until(() -> MediaFiles.sizeOrMinusOne(part) > 2L * MIB);
    byte[] more = new byte[3 * MIB];
    new SplittableRandom(3).nextBytes(more);
    Files.write(video, more, StandardOpenOption.APPEND);

    assertThat(run.waitFor(Duration.ofMinutes(3))).as(run.describe()).isZero();
    assertThat(run.stdout())
        .anySatisfy(line -> assertThat(line).startsWith("skipped " + VIDEO).contains("changed while it was uploaded"))
        .as("the new version starts from nothing, not from the old one's bytes")
        .noneMatch(line -> line.startsWith("retrying ") || line.startsWith("resumed "));
    assertThat(Files.size(target.resolve(VIDEO))).isEqualTo(27L * MIB);
    assertThat(MediaFiles.sha256(target.resolve(VIDEO))).isEqualTo(MediaFiles.sha256(video));
    assertThat(part).as("no part file left").doesNotExist();
  }
}
