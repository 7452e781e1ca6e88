package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Settings and target URIs the packaged app must refuse before it touches anything: one line on
 * stderr saying what is wrong (never a stack trace, never a password), nothing on stdout, the
 * documented exit code, and the target untouched. Each case is a row of the README's "What we
 * test and how".
 */
class HostileCommandLineIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(1);
  private static final String PASSWORD = "S3cretPW";

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir Path tmp;
  private Path source;
  private Path target;

  @BeforeEach
  void folders() throws IOException {
    AppProcess.sharedDir(tmp);
    source = AppProcess.sharedDir(tmp.resolve("photos"));
    Files.writeString(source.resolve("IMG_0001.jpg"), "a photo", StandardCharsets.UTF_8);
    AppProcess.readableTree(source);
    target = tmp.resolve("backup");
  }

  @ParameterizedTest(name = "--set {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "autoupload.upload.paralelism=2         | unknown setting autoupload.upload.paralelism (from --set",
        "autoupload.upload.parallelism=0        | autoupload.upload.parallelism must be at least 1",
        "autoupload.ledger-snapshot-every=0     | autoupload.ledger-snapshot-every must be at least 1",
        "autoupload.journal.max-connections=0   | autoupload.journal.max-connections must be at least 1",
        "autoupload.upload.retry.max-backoff=1s | autoupload.upload.retry.max-backoff must be at least min-backoff",
        "autoupload.layout.time-zone=Mars/Olympus | autoupload.layout.time-zone: \"Mars/Olympus\" is not a time zone",
        "`autoupload.layout.pattern=\"../{filename}\"` | autoupload.layout.pattern must be a relative path without '..'"
      })
  void aSettingOutOfRangeIsAOneLineErrorNamingItWithExit2(String assignment, String message) {
    AppProcess app = apps.start(once(target.toUri().toString(), "--set", assignment));

    assertRefused(app, 2, message);
  }

  @Test
  void aFolderGivenAsTheConfigFileIsRefusedWithExit2() {
    AppProcess app = apps.start(once(target.toUri().toString(), "--config", tmp.toString()));

    assertRefused(app, 2, "config file " + tmp + " is a folder");
  }

  @Test
  void anUnreadableConfigFileIsRefusedWithExit2() throws IOException {
    Path config = Files.writeString(tmp.resolve("autoupload.conf"), "autoupload.upload.parallelism = 2\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("---------"));

    AppProcess app = apps.start(once(target.toUri().toString(), "--config", config.toString()).runAsUnprivileged());

    assertRefused(app, 2, "cannot read config file " + config + ": permission denied");
  }

  @ParameterizedTest(name = "--target {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/srv/backup                          | unsupported target \"/srv/backup\": use file:///absolute/dir",
        "backup                               | unsupported target \"backup\": use file:///absolute/dir",
        "file:backup                          | the folder must be an absolute path",
        "file://backup/photos                 | host \"backup\" is not supported (an absolute path needs three slashes)",
        "file:///srv/bad%zz                   | Malformed escape pair",
        "webdav://anna@127.0.0.1:99999/dav    | port 99999 is not between 1 and 65535",
        "webdav://anna@[::1/dav               | Expected closing bracket for IPv6 address",
        "webdav://alice:S3cretPW@127.0.0.1/dav | put the password in autoupload.target.password"
      })
  void aMalformedTargetUriIsAOneLineErrorWithExit2(String uri, String message) {
    AppProcess app = apps.start(once(uri));

    assertRefused(app, 2, message);
  }

  @Test
  void anIpv6LiteralTargetNobodyAnswersOnStopsTheRunWithExit3() {
    AppProcess app = apps.start(once("webdav://anna@[::1]:9/dav").withEnvironment("AUTOUPLOAD_TARGET_PASSWORD", PASSWORD));

    assertRefused(app, 3, "PROPFIND /dav failed: cannot connect");
  }

  // ---- helpers ----

  private AppProcess.Launch once(String targetUri, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--source", source.toString(), "--target", targetUri,
                "--data-dir", AppProcess.sharedDir(tmp.resolve("data")).toString(), "--once"));
    args.addAll(List.of(more));
    return AppProcess.launch(args.toArray(String[]::new));
  }

  /** Exit code, one error line with {@code message}, nothing else said, no password, no target. */
  private void assertRefused(AppProcess app, int exit, String message) {
    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(exit);
    assertThat(app.errorLines()).as(app.describe()).singleElement().asString().contains(message);
    assertThat(app.stderr()).as("stderr is just the error\n" + app.describe()).hasSize(1);
    assertThat(app.stdout()).as("stdout\n" + app.describe()).isEmpty();
    assertThat(String.join("\n", app.stdout()) + String.join("\n", app.stderr())).doesNotContain(PASSWORD);
    assertThat(target).as("nothing made on the target").doesNotExist();
  }
}
