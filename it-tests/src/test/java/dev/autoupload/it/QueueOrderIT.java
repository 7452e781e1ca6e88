package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of the {@code uploaded} lines, one upload at a time: newest photos first by default
 * (by creation date, not by name or by the order the folder lists them), oldest first when asked,
 * and photos before videos when asked.
 */
class QueueOrderIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  /** A file: its name and the day it was taken, days after 2020-01-01, none the same. */
  private record Taken(String name, int day) {}

  private static final List<Taken> FILES =
      List.of(
          new Taken("IMG_0001.jpg", 900),
          new Taken("IMG_0002.jpg", 12),
          new Taken("clip_0003.mov", 1500),
          new Taken("Trip/IMG_0004.heic", 400),
          new Taken("Trip/IMG_0005.jpg", 1200),
          new Taken("clip_0006.mp4", 30),
          new Taken("Old/IMG_0007.png", 700),
          new Taken("Old/IMG_0008.jpg", 1400));

  @Test
  void newestFirstByDefault() throws Exception {
    List<String> expected = sorted(Comparator.comparingInt(Taken::day).reversed());
    assertThat(uploadedOrder()).isEqualTo(expected);
  }

  @Test
  void oldestFirstWithPhotosAheadOfVideosWhenAsked() throws Exception {
    Comparator<Taken> videosLast = Comparator.comparing(taken -> isVideo(taken.name()));
    List<String> expected = sorted(videosLast.thenComparingInt(Taken::day));
    assertThat(
            uploadedOrder(
                "--set", "autoupload.queue.order=oldest-first", "--set", "autoupload.queue.photos-first=true"))
        .isEqualTo(expected);
  }

  private List<String> uploadedOrder(String... settings) throws Exception {
    Path source = tmp.resolve("DCIM");
    Path target = tmp.resolve("backup");
    SplittableRandom random = new SplittableRandom(7);
    Map<String, String> expectedTree = new TreeMap<>();
    Instant epoch = Instant.parse("2020-01-01T12:00:00Z");
    for (int i = 0; i < FILES.size(); i++) {
      Taken file = FILES.get(i);
      Path path = source.resolve(file.name());
      MediaFiles.write(path, 20 * KIB + i * 997L, random);
      Files.setLastModifiedTime(path, FileTime.from(epoch.plus(Duration.ofDays(file.day()))));
      expectedTree.put(file.name(), MediaFiles.sha256(path));
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--once", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("data").toString(), "--set", "autoupload.upload.parallelism=1",
                "--set", "autoupload.layout.pattern={path}"));
    args.addAll(List.of(settings));
    AppProcess app = apps.start(AppProcess.launch(args.toArray(String[]::new)));
    assertThat(app.waitFor(TIMEOUT)).as(app.describe()).isZero();
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(expectedTree);
    return app.stdout().stream()
        .filter(line -> line.startsWith("uploaded "))
        .map(line -> line.substring("uploaded ".length()).split(" ")[0])
        .toList();
  }

  private static List<String> sorted(Comparator<Taken> order) {
    return FILES.stream().sorted(order).map(Taken::name).toList();
  }

  private static boolean isVideo(String name) {
    return name.endsWith(".mov") || name.endsWith(".mp4");
  }
}
