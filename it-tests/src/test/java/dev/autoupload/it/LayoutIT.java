package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.sources.media.TestMedia;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default remote layout end to end: real photos and videos land under the year and month they
 * were taken (EXIF with its offset, the movie header, the file time as the last resort), names
 * arrive in NFC, and a camera that reused a name gets both photos kept, the second under a name
 * from its own hash, never "(2)" and never overwriting.
 */
class LayoutIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void filesEveryAssetUnderTheMonthItWasTakenAndKeepsBothOfAReusedName() throws Exception {
    Path source = tmp.resolve("Camera Roll");
    Path target = tmp.resolve("backup");
    Path taken = TestMedia.jpegTakenAt(source.resolve("DCIM/IMG_0001.JPG"), "2023:05:31 23:30:00", Optional.of("-02:00"));
    Path reused =
        TestMedia.jpegTakenAt(source.resolve("Old camera/IMG_0001.JPG"), "2023:06:15 10:00:00", Optional.of("+00:00"));
    Path clip = TestMedia.movieCreatedAt(source.resolve("DCIM/clip.mov"), "qt  ", Instant.parse("2022-12-31T23:59:58Z"));
    Path screenshot = source.resolve("Screenshots/shot.png");
    MediaFiles.write(screenshot, 20 * KIB, new SplittableRandom(1));
    Files.setLastModifiedTime(screenshot, FileTime.from(Instant.parse("2021-03-03T12:00:00Z")));
    Path decomposed =
        TestMedia.jpegTakenAt(
            source.resolve(Normalizer.normalize("Été/café.jpg", Normalizer.Form.NFD)), "2024:01:02 08:00:00", Optional.of("+01:00"));

    AppProcess first = apps.start(run(source, target));
    assertThat(first.waitFor(TIMEOUT)).as(first.describe()).isZero();

    Map<String, String> common = new TreeMap<>();
    common.put("2022/12/clip.mov", MediaFiles.sha256(clip));
    common.put("2021/03/shot.png", MediaFiles.sha256(screenshot));
    common.put("2024/01/café.jpg", MediaFiles.sha256(decomposed));
    // 23:30 at -02:00 is already June 1st in UTC, the zone this run files by, so both photos named
    // IMG_0001.JPG belong in 2023/06: whichever got there first keeps the name, the other is kept
    // beside it under a name from its own hash.
    String takenSha256 = MediaFiles.sha256(taken);
    String reusedSha256 = MediaFiles.sha256(reused);
    Map<String, String> takenFirst = new TreeMap<>(common);
    takenFirst.put("2023/06/IMG_0001.JPG", takenSha256);
    takenFirst.put("2023/06/IMG_0001~" + reusedSha256.substring(0, 8) + ".JPG", reusedSha256);
    Map<String, String> reusedFirst = new TreeMap<>(common);
    reusedFirst.put("2023/06/IMG_0001.JPG", reusedSha256);
    reusedFirst.put("2023/06/IMG_0001~" + takenSha256.substring(0, 8) + ".JPG", takenSha256);
    Map<String, String> expected = MediaFiles.sha256Tree(target);
    assertThat(expected).isIn(takenFirst, reusedFirst);
    assertThat(first.summary().uploaded()).isEqualTo(5);
    // stdout is for scripts: one line per file and the summary, nothing a library prints of its own.
    assertThat(first.stdout())
        .as(first.describe())
        .allMatch(line -> line.startsWith("uploaded ") || line.startsWith("summary: ") || line.startsWith("autoupload: "));
    assertThat(first.stderr()).as(first.describe()).noneMatch(line -> line.startsWith("# stop "));

    AppProcess second = apps.start(run(source, target));
    assertThat(second.waitFor(TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().bytesSent()).isZero();

    AppProcess freshDataDir =
        apps.start(
            AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("fresh data").toString(), "--once",
                "--set", "autoupload.layout.time-zone=UTC"));
    assertThat(freshDataDir.waitFor(TIMEOUT)).as(freshDataDir.describe()).isZero();
    assertThat(freshDataDir.summary().already()).as("found on the target, kept-both name included").isEqualTo(5);
    assertThat(freshDataDir.summary().bytesSent()).isZero();
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(expected);
  }

  @Test
  void overwriteReplacesAnotherAppsFileButNeverTheBackupOfAnotherPhoto() throws Exception {
    Path source = tmp.resolve("Camera Roll");
    Path target = tmp.resolve("backup");
    Path edited = TestMedia.jpegTakenAt(source.resolve("Phone/IMG_0200.JPG"), "2023:05:10 12:00:00", Optional.of("+00:00"));
    Path phone = TestMedia.jpegTakenAt(source.resolve("Phone/IMG_0100.JPG"), "2023:05:11 12:00:00", Optional.of("+00:00"));
    Path oldCamera =
        TestMedia.jpegTakenAt(source.resolve("Old camera/IMG_0100.JPG"), "2023:05:12 12:00:00", Optional.of("+00:00"));
    Path fromAnotherApp = target.resolve("2023/05/IMG_0200.JPG");
    MediaFiles.write(fromAnotherApp, 30 * KIB, new SplittableRandom(2));
    String replacedSha256 = MediaFiles.sha256(fromAnotherApp);

    AppProcess first =
        apps.start(
            AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("data").toString(), "--once",
                "--set", "autoupload.layout.time-zone=UTC",
                "--set", "autoupload.upload.on-conflict=overwrite"));
    assertThat(first.waitFor(TIMEOUT)).as(first.describe()).isZero();

    Map<String, String> stored = MediaFiles.sha256Tree(target);
    assertThat(stored).containsEntry("2023/05/IMG_0200.JPG", MediaFiles.sha256(edited)).hasSize(3);
    assertThat(stored.values())
        .as("both photos named IMG_0100.JPG are kept")
        .contains(MediaFiles.sha256(phone), MediaFiles.sha256(oldCamera));
    assertThat(first.summary().uploaded()).isEqualTo(3);
    assertThat(String.join("\n", first.stdout()) + String.join("\n", first.stderr()))
        .as("the replacement is reported with what it replaced")
        .contains("2023/05/IMG_0200.JPG")
        .contains("replacing it (on-conflict = overwrite)");
    assertThat(replacedSha256).isNotEqualTo(MediaFiles.sha256(edited));
  }

  private AppProcess.Launch run(Path source, Path target) {
    return AppProcess.launch(
        "run", "--source", source.toString(), "--target", target.toUri().toString(),
        "--data-dir", tmp.resolve("data").toString(), "--once",
        "--set", "autoupload.layout.time-zone=UTC");
  }
}
