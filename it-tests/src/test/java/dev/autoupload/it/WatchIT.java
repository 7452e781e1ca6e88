package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run} without {@code --once} keeps watching the folder: photos and videos that
 * appear later, in new folders too, are backed up byte-exact; documents, hidden and partial files
 * are left alone, and the documents are named on stderr once a scan has passed them over.
 */
class WatchIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void backsUpWhatAppearsWhileItRunsAndNothingElse() throws Exception {
    Path source = tmp.resolve("DCIM");
    Path target = tmp.resolve("backup");
    MediaFiles.write(source.resolve("IMG_0001.jpg"), 50 * KIB, new SplittableRandom(1));
    AppProcess app =
        apps.start(
            AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("data").toString(),
                "--set", "autoupload.source.folder.change-quiet-period=200ms",
                "--set", "autoupload.source.folder.stable-for=1s"));
    app.awaitLine(line -> line.startsWith("uploaded IMG_0001.jpg "), TIMEOUT);

    MediaFiles.write(source.resolve("Import 2024/Été/IMG_0002.heic"), 300 * KIB, new SplittableRandom(2));
    MediaFiles.write(source.resolve("Import 2024/clip.mov"), 2 * MediaFiles.MIB, new SplittableRandom(3));
    Files.writeString(source.resolve("Import 2024/notes.txt"), "not a photo");
    Files.writeString(source.resolve("Import 2024/.thumbnail.jpg"), "hidden");
    Files.writeString(source.resolve("Import 2024/IMG_0003.jpg.part"), "a download in progress");

    app.awaitLine(line -> line.startsWith("uploaded Import 2024/Été/IMG_0002.heic "), TIMEOUT);
    app.awaitLine(line -> line.startsWith("uploaded Import 2024/clip.mov "), TIMEOUT);
    // Said while it watches, not only when it stops: the scan that found them passed these over
    // (the hidden file is no user's photo, and is not counted).
    String note = app.awaitErrorLine(line -> line.startsWith("autoupload: note: "), TIMEOUT);
    assertThat(note).startsWith("autoupload: note: 2 files under " + source + " ").contains("(.part 1, .txt 1)");
    assertThat(app.isAlive()).isTrue();
    app.terminate();
    assertThat(app.waitFor(TIMEOUT)).as(app.describe()).isEqualTo(AppProcess.SIGTERM_EXIT);

    Map<String, String> expected = new TreeMap<>();
    for (String media : new String[] {"IMG_0001.jpg", "Import 2024/Été/IMG_0002.heic", "Import 2024/clip.mov"}) {
      expected.put(media, MediaFiles.sha256(source.resolve(media)));
    }
    assertThat(MediaFiles.sha256Tree(target)).as("the photos and videos, nothing else").isEqualTo(expected);
    assertThat(app.summary().uploaded()).isEqualTo(3);
    assertThat(app.errorLines()).isEmpty();
    assertThat(app.stderr()).as("the note, once").filteredOn(line -> line.startsWith("autoupload: note: ")).hasSize(1);
  }
}
