package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when the source, the target, the data dir or the command line is wrong: a
 * one-line error, the documented exit code, and nothing on the target deleted or changed.
 */
class BadInputIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static final String ERROR_PREFIX = "autoupload: error: ";

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir Path tmp;
  private Path source;
  private Path target;
  private Path dataDir;
  /** What was on the target before the run: it must survive every bad run unchanged. */
  private Map<String, String> preExisting;
  private List<String> preExistingEntries;

  @BeforeEach
  void prepareFolders() throws IOException {
    // Writable for the unprivileged app too, should a test run it as another user.
    AppProcess.sharedDir(tmp);
    source = tmp.resolve("photos");
    target = AppProcess.sharedDir(tmp.resolve("backup"));
    dataDir = AppProcess.sharedDir(tmp.resolve("data"));
    Files.writeString(target.resolve("keep me.txt"), "written before Autoupload ran\n", StandardCharsets.UTF_8);
    MediaFiles.write(target.resolve("2019/IMG_0001.jpg"), 3000, new SplittableRandom(1));
    preExisting = MediaFiles.sha256Tree(target);
    preExistingEntries = MediaFiles.entries(target);
  }

  @Test
  void missingSourceFolderIsRefusedWithExit3AndNothingOnTheTarget() {
    Path missing = tmp.resolve("no such folder");

    AppProcess app = apps.start(once(missing, targetUri()));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
    assertOneErrorLine(app, "does not exist");
    assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
    assertThat(app.stdout()).as("stdout").isEmpty();
    assertTargetUntouched();
  }

  @Test
  void unreadableFileFailsAloneWhileTheOtherNineteenAreBackedUp() throws IOException {
    Map<String, String> sourceHashes = sourceWithFiles(20);
    String unreadable = sourceHashes.keySet().iterator().next();
    Files.setPosixFilePermissions(source.resolve(unreadable), PosixFilePermissions.fromString("---------"));

    AppProcess app = apps.start(once(source, targetUri()).runAsUnprivileged());

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(1);
    String error = assertOneErrorLine(app, "permission denied");
    assertThat(error).contains(unreadable);
    assertThat(app.firstLine(line -> line.startsWith("failed " + unreadable + ": ")))
        .as(app.describe())
        .hasValueSatisfying(line -> assertThat(line).contains("permission denied"));
    RunSummary summary = app.summary();
    assertThat(summary.files()).isEqualTo(20);
    assertThat(summary.backedUp()).isEqualTo(19);
    assertThat(summary.failed()).isEqualTo(1);

    Map<String, String> expected = new TreeMap<>(preExisting);
    sourceHashes.forEach(
        (file, sha) -> {
          if (!file.equals(unreadable)) {
            expected.put(file, sha);
          }
        });
    Map<String, String> onTarget = new TreeMap<>(MediaFiles.sha256Tree(target));
    assertThat(onTarget)
        .as("the 19 readable files byte-exact, nothing else new, nothing old changed")
        .isEqualTo(expected);
  }

  @Test
  void sourceDeletedDuringARunEndsWithAnErrorAndExit1() throws IOException {
    MediaFiles.randomTree(source, 40, 64 * KIB, 128 * KIB, new SplittableRandom(40));
    AppProcess app =
        apps.start(once(source, targetUri(), "--set", "autoupload.policy.bandwidth-limit=512KiB"));
    app.awaitLine(line -> line.startsWith("uploaded "), RUN_TIMEOUT);

    // Gone at once, as an unmounted drive is: an rm -r takes the files first, which the run may
    // then see vanish one by one while the folder is still there.
    Path away = Files.move(source, tmp.resolve("photos (deleted)"));
    MediaFiles.deleteTree(away);

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(1);
    String error = assertOneErrorLine(app, "the source folder " + source + " no longer exists");
    assertThat(error).contains("files failed");
    RunSummary summary = app.summary();
    assertThat(summary.files()).isEqualTo(40);
    assertThat(summary.failed()).as(app.describe()).isPositive();
    assertThat(summary.skipped()).as("nothing passed off as vanished\n" + app.describe()).isZero();
    assertThat(summary.backedUp() + summary.failed()).isEqualTo(40);
  }

  @Test
  void targetThatOverlapsTheSourceIsRefusedWithExit2() throws IOException {
    sourceWithFiles(3);
    List<String> sourceEntries = MediaFiles.entries(source);
    Path linkToSource = Files.createSymbolicLink(tmp.resolve("link to photos"), source);

    for (Path overlapping : List.of(source, source.resolve("backup"), tmp, linkToSource, linkToSource.resolve("b"))) {
      AppProcess app = apps.start(once(source, overlapping.toUri().toString()));

      assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(2);
      assertOneErrorLine(app, "; choose a target folder outside the source folder");
      assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
      assertThat(app.stdout()).as("stdout").isEmpty();
    }
    assertThat(MediaFiles.entries(source)).as("nothing made in the source").isEqualTo(sourceEntries);
    assertTargetUntouched();
  }

  @Test
  void targetBelowARegularFileIsRefusedWithExit3() throws IOException {
    sourceWithFiles(3);
    Path regularFile = tmp.resolve("regular-file");
    Files.writeString(regularFile, "not a folder\n", StandardCharsets.UTF_8);
    Path below = regularFile.resolve("backup");

    AppProcess app = apps.start(once(source, below.toUri().toString()));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
    String error = assertOneErrorLine(app, "not a directory");
    assertThat(error).contains(regularFile.toString());
    assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
    assertThat(Files.readString(regularFile, StandardCharsets.UTF_8)).isEqualTo("not a folder\n");
    assertTargetUntouched();
  }

  @Test
  void readOnlyTargetFolderIsRefusedWithExit3() throws IOException {
    sourceWithFiles(3);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      AppProcess app = apps.start(once(source, targetUri()).runAsUnprivileged());

      assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
      String error = assertOneErrorLine(app, "not writable");
      assertThat(error).contains(target.toString()).contains("permission denied");
      assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
    } finally {
      AppProcess.sharedDir(target);
    }
    assertTargetUntouched();
  }

  @Test
  void dataDirInUseByARunningInstanceIsRefusedWithExit3() {
    Map<String, String> sourceHashes = sourceWithFiles(1);
    String file = sourceHashes.keySet().iterator().next();
    AppProcess first = apps.start(untilStopped(source, targetUri()));
    first.awaitLine(line -> line.startsWith("uploaded " + file + " "), RUN_TIMEOUT);
    assertThat(first.isAlive()).as("without --once the app keeps running").isTrue();
    assertThat(first.firstLine(line -> line.startsWith("summary: "))).isEmpty();

    AppProcess second = apps.start(once(source, targetUri()));

    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isEqualTo(3);
    assertOneErrorLine(second, "in use");
    assertThat(first.isAlive()).as("the first instance is unaffected").isTrue();

    first.terminate();
    // A JVM ended by a signal exits 128 + its number, also after a clean shutdown; systemd and
    // shells read 143 as "stopped by SIGTERM". Clean means: summary printed, no error.
    assertThat(first.waitFor(RUN_TIMEOUT))
        .as("SIGTERM closes it cleanly\n" + first.describe())
        .isEqualTo(AppProcess.SIGTERM_EXIT);
    assertThat(first.summary().backedUp()).isEqualTo(1);
    assertThat(first.errorLines()).isEmpty();

    Map<String, String> expected = new TreeMap<>(preExisting);
    expected.put(file, sourceHashes.get(file));
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(expected);
  }

  @Test
  void invalidSettingValueIsAUsageError() {
    sourceWithFiles(3);

    AppProcess app = apps.start(once(source, targetUri(), "--set", "autoupload.upload.parallelism=oops"));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(2);
    String error = assertOneErrorLine(app, "autoupload.upload.parallelism");
    assertThat(error).contains("oops");
    assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
    assertTargetUntouched();
  }

  @Test
  void unknownTargetSchemeIsRefusedNamingFileUris() {
    sourceWithFiles(3);

    AppProcess app = apps.start(once(source, "ftp://x"));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isIn(2, 3);
    assertOneErrorLine(app, "file://");
    assertThat(app.stderr()).as("stderr is just the error").hasSize(1);
    assertTargetUntouched();
  }

  private String targetUri() {
    return target.toUri().toString();
  }

  private AppProcess.Launch once(Path from, String targetUri, String... more) {
    List<String> args = new ArrayList<>(untilStopped(from, targetUri).args());
    args.add("--once");
    args.addAll(List.of(more));
    return AppProcess.launch(args.toArray(String[]::new));
  }

  /** Without {@code --once}: the app keeps watching until it is stopped. */
  private AppProcess.Launch untilStopped(Path from, String targetUri) {
    return AppProcess.launch(
        "run", "--source", from.toString(), "--target", targetUri, "--data-dir", dataDir.toString());
  }

  /** Fills the source with {@code count} small files and returns them with their sha256. */
  private Map<String, String> sourceWithFiles(int count) {
    MediaFiles.randomTree(source, count, KIB, 16 * KIB, new SplittableRandom(count));
    AppProcess.readableTree(source);
    return MediaFiles.sha256Tree(source);
  }

  /** Not a file or folder added, removed or changed on the target. */
  private void assertTargetUntouched() {
    assertThat(MediaFiles.sha256Tree(target)).as("files on the target").isEqualTo(preExisting);
    assertThat(MediaFiles.entries(target)).as("files and folders on the target").isEqualTo(preExistingEntries);
  }

  /** Asserts exactly one error line on stderr containing {@code text}, and returns it. */
  private static String assertOneErrorLine(AppProcess app, String text) {
    List<String> errors = app.errorLines();
    assertThat(errors).as("error lines\n" + app.describe()).hasSize(1);
    assertThat(errors.get(0)).as(app.describe()).startsWith(ERROR_PREFIX).contains(text);
    return errors.get(0);
  }
}
