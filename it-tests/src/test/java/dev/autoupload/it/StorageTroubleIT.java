package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged app when storage fails it: a target or a data dir that fills up, a journal that is
 * damaged, a umask that would leave the data dir readable by all. The full disks are real: small
 * tmpfs mounts, which need root (as CI runs) and the right to mount; without it those tests skip.
 */
class StorageTroubleIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;
  private final List<Path> mounts = new ArrayList<>();

  @AfterEach
  void unmount() throws Exception {
    for (Path mount : mounts) {
      exec("umount", mount.toString());
    }
  }

  /** A tmpfs of {@code size} (as mount takes it: 512k, 2m) at a new folder named {@code name}. */
  private Path tmpfs(String name, String size) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    int mounted = exec("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    Assumptions.assumeTrue(mounted == 0, "mounting a tmpfs needs root and the right to mount");
    mounts.add(dir);
    return dir;
  }

  private static void resize(Path mount, String size) throws Exception {
    assertThat(exec("mount", "-o", "remount,size=" + size, mount.toString())).isZero();
  }

  private static int exec(String... command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  private Path photos(int count, int minBytes, int maxBytes) {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, count, minBytes, maxBytes, new SplittableRandom(count));
    return source;
  }

  private static AppProcess.Launch run(Path source, Path target, Path data, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--source", source.toString(), "--target", target.toUri().toString(), "--data-dir",
                data.toString(), "--set", "autoupload.source.folder.stable-for=0s"));
    args.addAll(List.of(more));
    return AppProcess.launch(args.toArray(String[]::new));
  }

  private static long stackTraceLines(AppProcess app) {
    return app.stderr().stream().filter(line -> line.startsWith("\tat ")).count();
  }

  @Test
  void aFullTargetEndsARunOnceWithinSecondsSayingSo() throws Exception {
    Path source = photos(60, 20 * KIB, 40 * KIB);
    Path target = tmpfs("target", "512k");

    AppProcess app = apps.start(run(source, target, tmp.resolve("data"), "--once"));
    app.awaitLine(line -> line.startsWith("retrying ") && line.contains("No space left on device"), RUN_TIMEOUT);
    long stoppedAt = System.nanoTime();

    // Without the end the run would wait for the retry after max-backoff, 5 minutes.
    assertThat(app.waitFor(Duration.ofSeconds(60))).as(app.describe()).isEqualTo(1);
    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(30));
    assertThat(app.errorLines())
        .singleElement()
        .asString()
        .startsWith("autoupload: error: target full: " + target + ": ")
        .endsWith("No space left on device");
    assertThat(app.summary().uploaded()).isPositive().isLessThan(60);
    assertThat(app.summary().failed()).isZero();
  }

  @Test
  void aFullTargetWithoutOnceIsWaitedForAndRetried() throws Exception {
    Path source = photos(40, 20 * KIB, 40 * KIB);
    Map<String, String> hashes = MediaFiles.sha256Tree(source);
    Path target = tmpfs("target", "512k");
    Path data = tmp.resolve("data");

    AppProcess app = apps.start(run(source, target, data, "--set", "autoupload.upload.retry.max-backoff=3s"));
    app.awaitLine(line -> line.startsWith("retrying ") && line.contains("No space left on device"), RUN_TIMEOUT);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              AppProcess status = apps.start("status", "--data-dir", data.toString());
              assertThat(status.waitFor(Duration.ofSeconds(30))).as(status.describe()).isZero();
              assertThat(status.stdout())
                  .contains("  Stopped — the backup storage is full")
                  .anyMatch(
                      line -> line.startsWith("stopped: " + target + ": ")
                          && line.matches(".*No space left on device \\(trying again in \\d+s\\)"));
            });
    assertThat(app.isAlive()).as(app.describe()).isTrue();

    resize(target, "16m");

    // Part files come and go while it uploads: a tree read that meets one gone is read again.
    await().atMost(RUN_TIMEOUT).ignoreExceptions().until(() -> MediaFiles.sha256Tree(target).equals(hashes));
    assertThat(app.isAlive()).as(app.describe()).isTrue();
    app.terminate();
    assertThat(app.waitFor(RUN_TIMEOUT)).isEqualTo(AppProcess.SIGTERM_EXIT);
  }

  @Test
  void aFullDataDirIsOneLineNamingItAndLosesNothing() throws Exception {
    Path source = photos(300, 2 * KIB, 4 * KIB);
    Map<String, String> hashes = MediaFiles.sha256Tree(source);
    Path target = tmp.resolve("backup");
    Path data = tmpfs("data", "1500k");

    AppProcess full = apps.start(run(source, target, data, "--once"));

    assertThat(full.waitFor(RUN_TIMEOUT)).as(full.describe()).isEqualTo(1);
    assertThat(full.errorLines())
        .containsExactly(
            "autoupload: error: the backup of " + source + " stopped: no space left on " + data
                + ": the journal cannot be written; free some space and start again (nothing backed up is lost)");
    assertThat(stackTraceLines(full)).as(full.describe()).isZero();
    long recorded = full.summary().backedUp();

    resize(data, "64m");
    AppProcess again = apps.start(run(source, target, data, "--once"));

    assertThat(again.waitFor(RUN_TIMEOUT)).as(again.describe()).isZero();
    assertThat(again.summary().backedUp()).isEqualTo(300);
    assertThat(again.summary().already()).isGreaterThanOrEqualTo(recorded);
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(hashes);
  }

  @Test
  void aDataDirTooFullToStartExits3NamingIt() throws Exception {
    Path source = photos(3, KIB, 2 * KIB);
    Path data = tmpfs("data", "100k");

    AppProcess app = apps.start(run(source, tmp.resolve("backup"), data, "--once"));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
    assertThat(app.errorLines())
        .containsExactly(
            "autoupload: error: no space left on " + data
                + ": the journal cannot be written; free some space and start again (nothing backed up is lost)");
    assertThat(stackTraceLines(app)).isZero();
  }

  @Test
  void aDamagedJournalExits3SayingHowToMoveItAsideAndAfterThatTheBackupGoesOn() throws Exception {
    Path source = photos(5, KIB, 2 * KIB);
    Path target = tmp.resolve("backup");
    Path data = tmp.resolve("data");
    assertThat(apps.start(run(source, target, data, "--once")).waitFor(RUN_TIMEOUT)).isZero();
    Path journal = data.resolve("journal.mv.db");
    byte[] garbage = new byte[(int) Files.size(journal)];
    new SplittableRandom(5).nextBytes(garbage);
    Files.write(journal, garbage);

    AppProcess damaged = apps.start(run(source, target, data, "--once"));

    assertThat(damaged.waitFor(RUN_TIMEOUT)).as(damaged.describe()).isEqualTo(3);
    String moveAside = "mv " + journal + " " + journal + ".damaged";
    assertThat(damaged.errorLines())
        .containsExactly(
            "autoupload: error: the journal " + journal + " is damaged (H2 finds it corrupt): move it aside with `"
                + moveAside + "` and start again; the new journal finds what is already on the target, so"
                + " nothing is uploaded twice");

    assertThat(exec(moveAside.split(" "))).isZero();
    AppProcess after = apps.start(run(source, target, data, "--once"));
    assertThat(after.waitFor(RUN_TIMEOUT)).as(after.describe()).isZero();
    assertThat(after.summary().already()).isEqualTo(5);
    assertThat(after.summary().bytesSent()).isZero();
  }

  @Test
  void theDataDirIsTheOwnersAloneEvenUnderUmask000() throws Exception {
    Path source = photos(3, KIB, 2 * KIB);
    Path data = tmp.resolve("data");
    List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh"));
    // The endpoint at once, as a run that lasts would start it: its token file is checked too.
    command.addAll(
        run(source, tmp.resolve("backup"), data, "--once", "--set", "autoupload.http.once-start-after=0s").command());
    File output = tmp.resolve("output.txt").toFile();

    Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();

    assertThat(app.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(app.exitValue()).as(Files.readString(output.toPath())).isZero();
    assertThat(permissions(data)).isEqualTo("rwx------");
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(data)) {
      for (Path file : list.toList()) {
        files.put(file.getFileName().toString(), permissions(file));
      }
    }
    assertThat(files).containsKeys("journal.mv.db", "autoupload.lock", "http-token");
    assertThat(files.values()).as("%s", files).containsOnly("rw-------");
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
