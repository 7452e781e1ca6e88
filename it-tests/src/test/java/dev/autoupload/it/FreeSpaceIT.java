package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.webdav.NginxWebDav;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload verify --free-space} with the packaged app against nginx over WebDAV: after a
 * {@code run --once}, the server is made to lie about one backup (its hash sidecar names another
 * sha256, so the target reports a wrong hash); verifying with {@code delete-after:0} deletes every
 * other original and leaves that one untouched.
 */
class FreeSpaceIT {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  @RegisterExtension static final NginxServer nginx = new NginxServer();
  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  private AppProcess finished(String command, Path source, String target, String... more) {
    List<String> args =
        new ArrayList<>(List.of(command, "--source", source.toString(), "--target", target, "--data-dir", tmp.resolve("data").toString()));
    if (command.equals("verify")) {
      args.addAll(List.of("--set", "autoupload.layout.pattern=\"{path}\""));
    }
    args.addAll(Arrays.asList(more));
    AppProcess app =
        apps.start(
            AppProcess.launch(args.toArray(String[]::new)).withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD));
    app.waitFor(TIMEOUT);
    return app;
  }

  /**
   * Rewrites the entry of {@code file}'s backup in its folder's hash manifest to name another
   * sha256, keeping its size and time.
   */
  private static void lieAbout(Path backup, String file) throws IOException {
    Path backedUp = backup.resolve(file);
    Path manifest = backedUp.resolveSibling(".autoupload-sha256");
    String name = backedUp.getFileName().toString();
    List<String> lines = new ArrayList<>();
    int lies = 0;
    for (String line : Files.readAllLines(manifest)) {
      String[] fields = line.split(" ", 4);
      if (fields.length == 4 && URLDecoder.decode(fields[2], StandardCharsets.UTF_8).equals(name)) {
        line = "0".repeat(64) + line.substring(64);
        lies++;
      }
      lines.add(line);
    }
    assertThat(lies).isEqualTo(1);
    Files.write(manifest, lines);
  }

  @Test
  void aTargetThatLiesAboutOneBackupKeepsThatOriginalAndTheProvenOnesAreDeleted() throws IOException {
    Path source = tmp.resolve("photos");
    List<String> files = MediaFiles.randomTree(source, 6, KIB, 64 * KIB, new SplittableRandom(61));
    String target = nginx.uri("freed");
    AppProcess run = finished("run", source, target, "--once");
    assertThat(run.waitFor(TIMEOUT)).as(run.describe()).isZero();
    String lie = files.get(0);
    byte[] lieBytes = Files.readAllBytes(source.resolve(lie));
    lieAbout(nginx.folder("freed"), lie);

    AppProcess verify =
        finished("verify", source, target, "--free-space", "--set", "autoupload.after-backup=\"delete-after:0\"");

    assertThat(verify.waitFor(TIMEOUT)).as(verify.describe()).isEqualTo(1);
    assertThat(verify.stdout()).filteredOn(line -> line.startsWith("* ")).singleElement().asString().contains("sha256 0000");
    assertThat(verify.stdout()).filteredOn(line -> line.startsWith("freed ")).hasSize(files.size() - 1);
    assertThat(verify.stdout().get(verify.stdout().size() - 1))
        .matches(
            "verify: files=%d same=%d differ=1 missing=0 unchecked=0 freed=%d kept=0 elapsed=\\d+\\.\\ds"
                .formatted(files.size(), files.size() - 1, files.size() - 1));
    assertThat(source.resolve(lie)).hasBinaryContent(lieBytes);
    for (String file : files.subList(1, files.size())) {
      assertThat(source.resolve(file)).as(file).doesNotExist();
      assertThat(nginx.folder("freed").resolve(file)).as(file).exists();
    }
  }
}
