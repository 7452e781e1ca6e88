package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the app with SIGKILL in the middle of a big file and checks that the next run finishes
 * the job byte-exact, re-sending at most one checkpoint interval, and that a run after that has
 * nothing left to send.
 */
class KillAndResumeIT {

  private static final long BIG_FILE_BYTES = 300L * MIB;
  private static final long CHECKPOINT_BYTES = 8L * MIB;
  private static final String BIG_FILE = "Videos/Sommer 2024/Großes Video 🎬.mp4";
  private static final String PART_SUFFIX = ".autoupload-part";
  private static final Pattern RESUMED = Pattern.compile("resumed (.+) at (\\d+)/(\\d+)");
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @Test
  void resumesTheInterruptedFileAfterKill9AndSendsFinishedFilesNeverAgain(@TempDir Path tmp) {
    Path source = tmp.resolve("photos");
    Path target = tmp.resolve("backup");
    Path dataDir = tmp.resolve("data");
    SplittableRandom random = new SplittableRandom(20240501);
    MediaFiles.randomTree(source, 199, KIB, 64 * KIB, random);
    MediaFiles.write(source.resolve(BIG_FILE), BIG_FILE_BYTES, random);
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    assertThat(sourceHashes).hasSize(200);
    long totalBytes = totalSize(source, sourceHashes.keySet());

    AppProcess.Launch run =
        AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", dataDir.toString(), "--once",
                "--set", "autoupload.upload.chunk-bytes=256KiB")
            // A heap smaller than the big file: it must stream through, never sit in memory.
            .withJvmOptions("-Xmx192m");

    // First run: killed while the big file is between 32 MiB and its full size on the target.
    AppProcess first = apps.start(run);
    Path bigOnTarget = target.resolve(BIG_FILE);
    Path bigPart = bigOnTarget.resolveSibling("." + bigOnTarget.getFileName() + PART_SUFFIX);
    await("the big file's part on the target between 32 MiB and 300 MiB")
        .atMost(Duration.ofMinutes(2))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .failFast(
            "the first run ended or published the big file before it could be killed",
            () -> !first.isAlive() || Files.exists(bigOnTarget))
        .until(
            () -> {
              long length = MediaFiles.sizeOrMinusOne(bigPart);
              return length > 32L * MIB && length < BIG_FILE_BYTES;
            });
    first.kill9();

    // The process is dead: what is on the target now is exactly what it left at the kill.
    long completeAtKill = 0;
    int filesCompleteAtKill = 0;
    for (String file : sourceHashes.keySet()) {
      if (Files.exists(target.resolve(file))) {
        completeAtKill += MediaFiles.sizeOrMinusOne(source.resolve(file));
        filesCompleteAtKill++;
      }
    }
    List<Path> parts =
        MediaFiles.regularFiles(target).stream()
            .filter(file -> file.getFileName().toString().endsWith(PART_SUFFIX))
            .toList();
    long partBytesAtKill = parts.stream().mapToLong(MediaFiles::sizeOrMinusOne).sum();
    long bigPartAtKill = MediaFiles.sizeOrMinusOne(bigPart);
    assertThat(bigPartAtKill).isBetween(32L * MIB, BIG_FILE_BYTES);
    long leftToSend = totalBytes - completeAtKill - partBytesAtKill;

    // Second run: finishes everything, resuming the big file instead of starting it over.
    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    RunSummary afterKill = second.summary();
    assertThat(afterKill.files()).isEqualTo(200);
    assertThat(afterKill.backedUp()).isEqualTo(200);
    assertThat(afterKill.uploaded() + afterKill.already()).isEqualTo(200);
    assertThat(afterKill.failed()).isZero();
    assertThat(afterKill.skipped()).isZero();
    assertThat(MediaFiles.sha256Tree(target))
        .as("every file once, byte-exact, no part files or strays left")
        .isEqualTo(sourceHashes);

    String resumedLine =
        second.firstLine(line -> line.startsWith("resumed " + BIG_FILE + " at "))
            .orElseThrow(() -> new AssertionError("no resumed line for the big file\n" + second.describe()));
    Matcher resumed = RESUMED.matcher(resumedLine);
    assertThat(resumed.matches()).as(resumedLine).isTrue();
    long resumedAt = Long.parseLong(resumed.group(2));
    assertThat(resumed.group(1)).isEqualTo(BIG_FILE);
    assertThat(Long.parseLong(resumed.group(3))).isEqualTo(BIG_FILE_BYTES);
    assertThat(resumedAt).isPositive().isLessThanOrEqualTo(bigPartAtKill);

    long resent = afterKill.bytesSent() - leftToSend;
    System.out.printf(
        "KillAndResumeIT: killed with %d/200 files complete (%d bytes) and %d part file(s) of %d bytes"
            + " (big file at %d); second run resumed the big file at %d and sent %d bytes,"
            + " %d left to send, so %d bytes re-sent (limit %d)%n",
        filesCompleteAtKill, completeAtKill, parts.size(), partBytesAtKill, bigPartAtKill, resumedAt,
        afterKill.bytesSent(), leftToSend, resent, CHECKPOINT_BYTES);
    assertThat(afterKill.bytesSent())
        .as("bytes sent after the kill: what was left plus at most one checkpoint interval")
        .isLessThanOrEqualTo(leftToSend + CHECKPOINT_BYTES);

    // Third run: everything is known to be backed up; nothing is sent.
    AppProcess third = apps.start(run);
    assertThat(third.waitFor(RUN_TIMEOUT)).as(third.describe()).isZero();
    RunSummary again = third.summary();
    assertThat(again.uploaded()).as(third.describe()).isZero();
    assertThat(again.bytesSent()).isZero();
    assertThat(again.already()).isEqualTo(200);
    assertThat(again.backedUp()).isEqualTo(200);
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(sourceHashes);
  }

  private static long totalSize(Path root, Iterable<String> files) {
    List<Long> sizes = new ArrayList<>();
    files.forEach(file -> sizes.add(MediaFiles.sizeOrMinusOne(root.resolve(file))));
    return sizes.stream().mapToLong(Long::longValue).sum();
  }
}
