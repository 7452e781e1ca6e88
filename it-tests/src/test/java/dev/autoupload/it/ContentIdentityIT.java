package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Assets are known by their content: after files are renamed, moved into other folders or copied,
 * the next run sends nothing, and a library holding the same photo twice uploads it once.
 */
class ContentIdentityIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void renamedMovedAndCopiedFilesAreNotUploadedAgain() throws Exception {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 12, 10 * KIB, 200 * KIB, new SplittableRandom(12));
    Path duplicate = source.resolve("DCIM/IMG_9999.jpg");
    MediaFiles.write(duplicate, 300 * KIB, new SplittableRandom(99));
    Files.createDirectories(source.resolve("Favourites"));
    Files.copy(duplicate, source.resolve("Favourites/best of.jpg"));
    Path target = tmp.resolve("backup");

    AppProcess first = apps.start(run(source, target));
    assertThat(first.waitFor(TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).as("the duplicate once").isEqualTo(13);
    assertThat(first.summary().already()).as("its copy as an alias").isEqualTo(1);
    long filesOnTarget = MediaFiles.sha256Tree(target).size();
    assertThat(filesOnTarget).isEqualTo(13);

    Map<String, String> before = MediaFiles.sha256Tree(source);
    String someFile = before.keySet().stream().filter(p -> !p.contains("IMG_9999") && !p.contains("best of")).findFirst().orElseThrow();
    Files.move(source.resolve(someFile), source.resolve("renamed in place.jpg"));
    Files.createDirectories(source.resolve("Moved/deeper"));
    Files.move(duplicate, source.resolve("Moved/deeper/IMG_9999.jpg"));

    AppProcess second = apps.start(run(source, target));
    assertThat(second.waitFor(TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().uploaded()).isZero();
    assertThat(second.summary().bytesSent()).isZero();
    assertThat(second.summary().already()).isEqualTo(14);
    assertThat(MediaFiles.sha256Tree(target)).as("nothing new on the target").hasSize((int) filesOnTarget);
  }

  private AppProcess.Launch run(Path source, Path target) {
    return AppProcess.launch(
        "run", "--source", source.toString(), "--target", target.toUri().toString(),
        "--data-dir", tmp.resolve("data").toString(), "--once");
  }
}
