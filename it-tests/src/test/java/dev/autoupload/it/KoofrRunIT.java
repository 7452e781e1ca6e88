package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.koofr.FakeKoofr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run --once --target koofr://…} end to end: the packaged app backs up a folder
 * through Koofr's REST API to the fake Koofr server, every file sha256-equal in the fake's storage;
 * a second run sends nothing, and neither does a run that lost its journal: Koofr's MD5 tells it
 * the files are already there.
 */
class KoofrRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static FakeKoofr koofr;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeAll
  static void startKoofr() throws Exception {
    koofr = FakeKoofr.start();
  }

  @AfterAll
  static void stopKoofr() {
    if (koofr != null) {
      koofr.close();
    }
  }

  @Test
  void backsUpAFolderToKoofrByteExactAndThenSendsNothing() {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 25, KIB, 200 * KIB, new SplittableRandom(6));
    MediaFiles.write(source.resolve("Videos/Sommer 2024/clip #1 + more.mov"), 3 * MediaFiles.MIB, new SplittableRandom(3));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    String uri = "koofr://" + FakeKoofr.EMAIL.replace("@", "%40") + "@Koofr/Backup/Phone?endpoint=" + koofr.endpoint();
    AppProcess.Launch run =
        AppProcess.launch(
                "run", "--source", source.toString(), "--target", uri,
                "--data-dir", tmp.resolve("data").toString(), "--once")
            .withEnvironment(TargetSettings.PASSWORD_VARIABLE, FakeKoofr.APP_PASSWORD);

    AppProcess first = apps.start(run);
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(stored()).isEqualTo(sourceHashes);
    assertThat(first.describe()).doesNotContain(FakeKoofr.APP_PASSWORD);
    long uploadedBytes = koofr.uploadedBytes();
    assertThat(uploadedBytes).isEqualTo(MediaFiles.totalSize(source));

    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();
    assertThat(koofr.uploadedBytes()).isEqualTo(uploadedBytes);

    AppProcess withoutJournal =
        apps.start(
            AppProcess.launch(
                    "run", "--source", source.toString(), "--target", uri,
                    "--data-dir", tmp.resolve("fresh-data").toString(), "--once")
                .withEnvironment(TargetSettings.PASSWORD_VARIABLE, FakeKoofr.APP_PASSWORD));
    assertThat(withoutJournal.waitFor(RUN_TIMEOUT)).as(withoutJournal.describe()).isZero();
    assertThat(withoutJournal.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(withoutJournal.summary().bytesSent()).isZero();
    assertThat(koofr.uploadedBytes()).isEqualTo(uploadedBytes);
    assertThat(stored()).isEqualTo(sourceHashes);
  }

  /** Every file the fake Koofr holds under the target folder, with the sha256 of its bytes. */
  private static Map<String, String> stored() {
    Map<String, String> hashes = new TreeMap<>();
    koofr.files("Koofr", "/Backup/Phone").forEach((path, bytes) -> hashes.put(path, MediaFiles.sha256(bytes)));
    return hashes;
  }
}
