package dev.autoupload.it.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.it.AppProcess;
import dev.autoupload.it.AppProcesses;
import dev.autoupload.it.MediaFiles;
import dev.autoupload.it.RunSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's report, command by command, with the packaged app: a camera that reuses a file name
 * after the first photo was renamed, then an edit in place of that renamed photo. Each new content
 * goes up; the earlier versions stay on the target.
 */
class ChangedFilesIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void aReusedNameAndAnEditInPlaceAreBothUploadedBesideTheEarlierVersions() throws Exception {
    SplittableRandom random = new SplittableRandom(12);
    Path source = tmp.resolve("src");
    Path backup = tmp.resolve("backup");
    Path photo = source.resolve("DSC_0001.JPG");
    Path renamed = source.resolve("renamed.JPG");

    // head -c 5000 /dev/urandom > src/DSC_0001.JPG; touch -d '2023-05-10 12:00' src/DSC_0001.JPG
    MediaFiles.write(photo, 5000, random);
    Files.setLastModifiedTime(
        photo, FileTime.from(LocalDateTime.of(2023, 5, 10, 12, 0).atZone(ZoneId.systemDefault()).toInstant()));
    String first = MediaFiles.sha256(photo);
    AppProcess run1 = run(source, backup);
    assertThat(run1.summary().uploaded()).as(run1.describe()).isEqualTo(1);

    // mv src/DSC_0001.JPG src/renamed.JPG; head -c 6000 /dev/urandom > src/DSC_0001.JPG
    Files.move(photo, renamed);
    MediaFiles.write(photo, 6000, random);
    String second = MediaFiles.sha256(photo);
    AppProcess run2 = run(source, backup);
    assertThat(run2.summary().files()).as(run2.describe()).isEqualTo(2);
    assertThat(run2.summary().uploaded()).as("the new photo under the reused name\n" + run2.describe()).isEqualTo(1);
    assertThat(run2.summary().already()).as("the renamed first photo\n" + run2.describe()).isEqualTo(1);

    // head -c 100 /dev/urandom >> src/renamed.JPG
    byte[] more = new byte[100];
    random.nextBytes(more);
    Files.write(renamed, more, StandardOpenOption.APPEND);
    String edited = MediaFiles.sha256(renamed);
    AppProcess run3 = run(source, backup);
    assertThat(run3.summary().files()).as(run3.describe()).isEqualTo(2);
    assertThat(run3.summary().uploaded()).as("the edit\n" + run3.describe()).isEqualTo(1);
    assertThat(run3.summary().already()).as("the second photo\n" + run3.describe()).isEqualTo(1);

    Map<String, String> onTarget = MediaFiles.sha256Tree(backup);
    assertThat(onTarget.values()).as("both photos and the edit, each once").containsExactlyInAnyOrder(first, second, edited);
    assertThat(onTarget)
        .as("the first photo stays under its name, the second beside it")
        .containsEntry("DSC_0001.JPG", first)
        .containsEntry("DSC_0001~" + second.substring(0, 8) + ".JPG", second);
  }

  /** {@code ./autoupload run --once --source src --target file://$PWD/backup --data-dir data}. */
  private AppProcess run(Path source, Path backup) {
    AppProcess app =
        apps.start(
            "run", "--once", "--source", source.toString(), "--target", backup.toUri().toString(),
            "--data-dir", tmp.resolve("data").toString());
    assertThat(app.waitFor(TIMEOUT)).as(app.describe()).isZero();
    RunSummary summary = app.summary();
    assertThat(summary.backedUp()).as(app.describe()).isEqualTo(summary.files());
    assertThat(summary.failed() + summary.skipped()).as(app.describe()).isZero();
    return app;
  }
}
