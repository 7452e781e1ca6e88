package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names that are not what they seem, run through the packaged app: a name that is not valid
 * UTF-8 is backed up byte-exact under a name that keeps every byte, a right-to-left override is
 * shown, never obeyed, and stdout carries only the lines the README documents.
 */
class HostileNamesIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  /** 0xFF is never part of UTF-8: a Latin-1 "ÿ" as an old camera or a Windows copy leaves it. */
  private static final String NOT_UTF8 = "bad%FF.jpg";
  private static final String NOT_UTF8_SHOWN = "bad\u201BFF.jpg";
  /** Reads "invoice gpj.exe.jpg" backwards on a terminal that obeys the override: "…jpg.exe". */
  private static final String RTL = "invoice \u202Egpj.exe.jpg";
  private static final String RTL_SHOWN = "invoice <U+202E>gpj.exe.jpg";
  /** What the README says {@code run} prints on stdout, line by line; scripts parse nothing else. */
  private static final Pattern DOCUMENTED =
      Pattern.compile(
          "(autoupload: backing up |autoupload: control endpoint |uploaded |already-on-target |resumed |retrying "
              + "|failed |skipped |scan-failed |progress |waiting: |slowed: |stalled |recovered |summary: ).*|uploading");

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir Path tmp;
  private Path source;
  private Path target;

  @BeforeEach
  void writeSource() throws IOException {
    source = Files.createDirectories(tmp.resolve("photos"));
    target = tmp.resolve("backup");
    Files.writeString(rawChild(source, NOT_UTF8), "not UTF-8", StandardCharsets.UTF_8);
    Files.writeString(source.resolve(RTL), "right to left", StandardCharsets.UTF_8);
    Files.writeString(source.resolve("plain.jpg"), "plain", StandardCharsets.UTF_8);
  }

  @Test
  void aNameThatIsNotUtf8IsBackedUpByteExactAndEveryNameIsShownAsItIs() throws IOException {
    AppProcess first = apps.start(run());

    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().backedUp()).isEqualTo(3);
    assertThat(first.summary().skipped()).isZero();
    assertThat(Files.readString(target.resolve(NOT_UTF8_SHOWN))).isEqualTo("not UTF-8");
    assertThat(Files.readString(target.resolve(RTL))).isEqualTo("right to left");
    assertThat(first.stdout())
        .contains(
            "uploaded " + NOT_UTF8_SHOWN + " -> " + NOT_UTF8_SHOWN + " 9", "uploaded " + RTL_SHOWN + " -> " + RTL_SHOWN + " 13")
        .allMatch(DOCUMENTED.asMatchPredicate(), "a documented line");
    assertThat(first.stdout()).as("nothing obeys the override").noneMatch(line -> line.contains("\u202E"));
    assertThat(first.stderr()).noneMatch(line -> line.contains("\u202E"));

    AppProcess second = apps.start(run());

    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).as("the escaped name leads back to the same file").isEqualTo(3);
    assertThat(second.stdout()).allMatch(DOCUMENTED.asMatchPredicate(), "a documented line");
  }

  @Test
  void withoutAUtf8LocaleANameTheTargetCannotTakeFailsWithTheReason() {
    // Java fixes its file name encoding from the locale at start-up (the launcher sets a UTF-8 one).
    AppProcess app = apps.start(run().withEnvironment("LC_ALL", "C"));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(1);
    assertThat(app.summary().backedUp()).isEqualTo(1);
    assertThat(app.summary().failed()).isEqualTo(2);
    // Printed in the locale's ASCII too: the quote of the shown name comes out as '?'.
    assertThat(app.stdout()).anyMatch(line -> line.startsWith("failed bad?FF.jpg: ") && line.contains("UTF-8 locale"));
    assertThat(app.errorLines()).singleElement().asString().contains("2 files failed").contains("UTF-8 locale");
  }

  private AppProcess.Launch run() {
    return AppProcess.launch(
        "run", "--source", source.toString(), "--target", target.toUri().toString(),
        "--data-dir", tmp.resolve("data").toString(), "--once",
        "--set", "autoupload.source.folder.stable-for=0s");
  }

  /** The child of {@code folder} whose name is these percent-encoded bytes, valid UTF-8 or not. */
  private static Path rawChild(Path folder, String percentEncodedName) {
    return Path.of(URI.create(folder.toUri() + percentEncodedName));
  }
}
