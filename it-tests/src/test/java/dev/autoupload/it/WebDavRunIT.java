package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.webdav.NginxWebDav;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run --once --target webdav://…} end to end: the packaged app backs up a folder
 * to a real nginx WebDAV server, every file sha256-equal on the server's disk, and a second run
 * sends nothing, even with the journal lost.
 */
class WebDavRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension static final NginxServer nginx = new NginxServer();
  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void backsUpAFolderToWebDavByteExactAndThenSendsNothing() {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 25, KIB, 200 * KIB, new SplittableRandom(25));
    MediaFiles.write(source.resolve("Videos/Sommer 2024/clip #1 + more.mov"), 3 * MediaFiles.MIB, new SplittableRandom(3));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    AppProcess.Launch run =
        AppProcess.launch(
                "run", "--source", source.toString(),
                "--target", nginx.uri("phone"),
                "--data-dir", tmp.resolve("data").toString(), "--once")
            .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD);

    AppProcess first = apps.start(run);
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(MediaFiles.withoutHashSidecars(MediaFiles.sha256Tree(nginx.folder("phone")))).isEqualTo(sourceHashes);
    assertThat(first.describe()).doesNotContain(NginxWebDav.PASSWORD);

    AppProcess second = apps.start(run);
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();
  }

  @Test
  void aFreshDataDirFindsEveryFileAlreadyBackedUpByItsFoldersManifest() {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 100 * KIB, new SplittableRandom(7));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
    String target = nginx.uri("reinstalled");

    AppProcess first = apps.start(run(source, target, tmp.resolve("data")));
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    Map<String, String> onServer = MediaFiles.sha256Tree(nginx.folder("reinstalled"));
    assertThat(MediaFiles.withoutHashSidecars(onServer)).isEqualTo(sourceHashes);
    // One manifest in each folder that holds a backup, and nothing else.
    assertThat(onServer.keySet().stream().filter(path -> path.endsWith(".autoupload-sha256")).toList())
        .containsExactlyInAnyOrderElementsOf(
            MediaFiles.withoutHashSidecars(onServer).keySet().stream()
                .map(path -> path.substring(0, path.lastIndexOf('/') + 1) + ".autoupload-sha256")
                .distinct()
                .toList());

    AppProcess afterReinstall = apps.start(run(source, target, tmp.resolve("fresh data")));
    assertThat(afterReinstall.waitFor(RUN_TIMEOUT)).as(afterReinstall.describe()).isZero();
    RunSummary summary = afterReinstall.summary();
    assertThat(summary.already()).as(afterReinstall.describe()).isEqualTo(sourceHashes.size());
    assertThat(summary.uploaded()).isZero();
    assertThat(summary.failed()).isZero();
    assertThat(summary.bytesSent()).isZero();
    assertThat(MediaFiles.withoutHashSidecars(MediaFiles.sha256Tree(nginx.folder("reinstalled")))).isEqualTo(sourceHashes);
  }

  private static AppProcess.Launch run(Path source, String target, Path dataDir) {
    return AppProcess.launch(
            "run", "--source", source.toString(), "--target", target, "--data-dir", dataDir.toString(), "--once")
        .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD);
  }
}
