package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source folder as hostile as real ones get, backed up by the packaged app: odd names (Unicode
 * forms, emoji, overlong, reserved characters, spaces and dots at the ends, case-only twins,
 * Windows device names, control characters, names that look like paths), special files (links in
 * and out and in loops, a FIFO, a socket, a device, sparse, empty and hard-linked files) and sizes
 * around the chunk size. One run backs up the whole folder to a local target, a second one the
 * names Windows refuses under Windows' rules; each case below checks its own files. Files the
 * permissions hide and files changed while they upload have runs of their own. Each case is a row
 * of the README's "What we test and how".
 */
class HostileSourceIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);
  private static final int CHUNK = 64 * 1024;
  private static final String NFC = "caf\u00e9.jpg";
  private static final String NFD = "cafe\u0301.jpg";
  private static final String LONG_NAME = "\u00e9".repeat(120) + ".jpg";
  private static final String RESERVED = "a<b>c:d\"e|f?g*h.jpg";
  private static final String BACKSLASHES = "x..\\..\\evil.jpg";

  @RegisterExtension final AppProcesses apps = new AppProcesses();

  @TempDir static Path tmp;
  private static Path source;
  private static Path target;
  private static Path outside;
  private static AppProcess posix;
  private static Path windowsTarget;
  private static Map<String, String> windowsSource;
  private static AppProcess windows;

  @BeforeAll
  static void backUpBothFolders() throws Exception {
    source = Files.createDirectories(tmp.resolve("photos"));
    target = tmp.resolve("backup");
    outside = Files.createDirectories(tmp.resolve("outside"));
    writeHostileSource();
    Path windowsSourceFolder = Files.createDirectories(tmp.resolve("for windows"));
    windowsSource = writeWindowsSource(windowsSourceFolder);
    windowsTarget = tmp.resolve("windows backup");

    posix = once(source, target, tmp.resolve("data")).start();
    windows =
        once(windowsSourceFolder, windowsTarget, tmp.resolve("windows data"), "--set", "autoupload.target.name-rules=windows")
            .start();
    posix.waitFor(RUN_TIMEOUT);
    windows.waitFor(RUN_TIMEOUT);
  }

  @AfterAll
  static void stopRuns() {
    for (AppProcess run : new AppProcess[] {posix, windows}) {
      if (run != null) {
        run.close();
      }
    }
  }

  // ---- the whole run ----

  @Test
  void theHostileFolderIsBackedUpWithExit0AndOneLinePerFile() {
    assertThat(posix.waitFor(RUN_TIMEOUT)).as(posix.describe()).isZero();
    RunSummary summary = posix.summary();
    List<String> fileLines =
        posix.stdout().stream().filter(line -> line.startsWith("uploaded ") || line.startsWith("already-on-target ")).toList();
    assertThat(fileLines).as(posix.describe()).hasSize((int) summary.backedUp());
    assertThat(summary.failed()).isZero();
    assertThat(summary.skipped()).isZero();
    assertThat(summary.backedUp()).isEqualTo(summary.files());
    assertThat(posix.stdout()).as("a newline in a name does not break its line").noneMatch(line -> line.startsWith("line.jpg"));
    assertThat(posix.errorLines()).isEmpty();
  }

  // ---- names ----

  @Test
  void twoNamesThatDifferOnlyInUnicodeFormAreBothBackedUp() {
    assertThat(content(target.resolve(NFC))).isEqualTo("composed");
    String keptBoth = "caf\u00e9~" + sha256("decomposed").substring(0, 8) + ".jpg";
    assertThat(content(target.resolve(keptBoth))).as("beside it under its own content hash").isEqualTo("decomposed");
  }

  @Test
  void aDecomposedNameLandsInComposedForm() {
    assertThat(content(target.resolve("Cr\u00e8me/br\u00fbl\u00e9e.jpg"))).isEqualTo("dessert");
  }

  @Test
  void emojiNamesAreKeptAsTheyAre() {
    assertThat(content(target.resolve("\ud83d\udcf7 sunset \ud83c\udf05.jpg"))).isEqualTo("emoji");
  }

  @Test
  void anOverlongNameIsShortenedBeforeItsExtensionAndMarkedWithAHash() {
    List<String> shortened = targetNames(name -> name.startsWith("\u00e9".repeat(10)));

    assertThat(shortened).singleElement().satisfies(name -> {
      assertThat(name).endsWith(".jpg").contains("~");
      assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255 - ".autoupload-part".length() - 1);
      assertThat(content(target.resolve(name))).isEqualTo("long");
    });
  }

  @Test
  void charactersWindowsReservesAreKeptOnAPosixTarget() {
    assertThat(content(target.resolve(RESERVED))).isEqualTo("reserved");
  }

  @Test
  void leadingAndTrailingSpacesAndDotsAreKeptOnAPosixTarget() {
    assertThat(content(target.resolve(" lead.jpg"))).isEqualTo("leading space");
    assertThat(content(target.resolve("trail.jpg "))).isEqualTo("trailing space");
    assertThat(content(target.resolve("dots.jpg."))).isEqualTo("trailing dot");
  }

  @Test
  void namesThatDifferOnlyInCaseAreTwoFiles() {
    assertThat(content(target.resolve("IMG_1.JPG"))).isEqualTo("upper");
    assertThat(content(target.resolve("img_1.jpg"))).isEqualTo("lower");
  }

  @Test
  void windowsDeviceNamesAreKeptOnAPosixTarget() {
    assertThat(content(target.resolve("CON.jpg"))).isEqualTo("con");
    assertThat(content(target.resolve("nul.jpg"))).isEqualTo("nul");
    assertThat(content(target.resolve("COM1.jpg"))).isEqualTo("com1");
  }

  @Test
  void controlCharactersBecomeUnderscores() {
    assertThat(content(target.resolve("tab_here.jpg"))).isEqualTo("tab");
    assertThat(content(target.resolve("new_line.jpg"))).isEqualTo("newline");
    assertThat(content(target.resolve("bell_.jpg"))).isEqualTo("bell");
  }

  @Test
  void namesThatLookLikePathsStayOneNameInsideTheTarget() {
    assertThat(content(target.resolve("x.._.._evil.jpg"))).isEqualTo("backslashes");
    assertThat(content(target.resolve("%2e%2e%2fetc.jpg"))).isEqualTo("percent");
    assertThat(tmp.resolve("evil.jpg")).doesNotExist();
  }

  @Test
  void aNameThatIsOnlyAnExtensionIsAHiddenFileAndLeftOut() {
    assertThat(target.resolve(".jpg")).doesNotExist();
    assertThat(posix.stdout()).noneMatch(line -> line.contains(" .jpg"));
  }

  @Test
  void windowsRulesGiveReservedCharactersTrailingDotsAndSpacesAndDeviceNamesLookalikes() {
    assertThat(windows.waitFor(RUN_TIMEOUT)).as(windows.describe()).isZero();
    assertThat(windows.summary().backedUp()).isEqualTo(windowsSource.size());
    assertThat(content(windowsTarget.resolve("a\uff1cb\uff1ec\uff1ad\uff02e\uff5cf\uff1fg\uff0ah.jpg"))).isEqualTo("reserved");
    assertThat(content(windowsTarget.resolve("back\uff3cslash.jpg"))).isEqualTo("backslash");
    assertThat(content(windowsTarget.resolve("dots.jpg\uff0e"))).isEqualTo("trailing dot");
    assertThat(content(windowsTarget.resolve("trail.jpg\u2420"))).isEqualTo("trailing space");
    assertThat(content(windowsTarget.resolve("\uff23ON.jpg"))).isEqualTo("con");
    assertThat(content(windowsTarget.resolve("\uff4eul.jpg"))).isEqualTo("nul");
    assertThat(content(windowsTarget.resolve("\uff2cPT9"))).isEqualTo("lpt9");
    assertThat(content(windowsTarget.resolve("CONSOLE.jpg"))).as("not a device").isEqualTo("console");
  }

  @Test
  void twoNamesWindowsStoresAsOneAreBothKept() {
    String first = "x\uff1ay.jpg";
    String second = "x\uff1ay~" + sha256("fullwidth colon").substring(0, 8) + ".jpg";
    String secondIfTheOtherCameFirst = "x\uff1ay~" + sha256("colon").substring(0, 8) + ".jpg";

    List<String> both = names(windowsTarget, name -> name.startsWith("x\uff1ay"));

    assertThat(both).hasSize(2).contains(first);
    assertThat(both).containsAnyOf(second, secondIfTheOtherCameFirst);
    assertThat(both.stream().map(name -> content(windowsTarget.resolve(name))).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("colon", "fullwidth colon");
  }

  // ---- special files ----

  @Test
  void symbolicLinksAreNotFollowedInOrOutOrInALoop() {
    assertThat(content(target.resolve("one.jpg"))).isEqualTo("a");
    assertThat(target.resolve("link-in.jpg")).doesNotExist();
    assertThat(target.resolve("link-out.jpg")).doesNotExist();
    assertThat(target.resolve("linked-folder")).doesNotExist();
    assertThat(target.resolve("loop")).doesNotExist();
    assertThat(target.resolve("ping.jpg")).doesNotExist();
    assertThat(target.resolve("dangling.jpg")).doesNotExist();
    assertThat(MediaFiles.sha256Tree(target).values()).as("nothing from outside the source").doesNotContain(sha256("outside"));
  }

  @Test
  void aFifoASocketAndADeviceAreNotReadAndDoNotHoldTheRunUp() {
    assumeThat(AppProcess.runningAsRoot()).as("only root may make a device node").isTrue();
    assertThat(posix.waitFor(RUN_TIMEOUT)).isZero();
    for (String special : List.of("pipe.jpg", "socket.jpg", "zero-device.jpg")) {
      assertThat(target.resolve(special)).as(special).doesNotExist();
      assertThat(posix.stdout()).as(special).noneMatch(line -> line.contains(special));
    }
  }

  @Test
  void aSparseFileIsBackedUpByteExact() {
    assertThat(MediaFiles.sha256(target.resolve("sparse.mov"))).isEqualTo(MediaFiles.sha256(source.resolve("sparse.mov")));
    assertThat(posix.stdout()).contains("uploaded sparse.mov -> sparse.mov " + 32L * MIB);
  }

  @Test
  void hardLinksAreOneContentBackedUpOnce() {
    assertThat(content(target.resolve("hard-1.jpg"))).isEqualTo("hard");
    assertThat(posix.stdout()).contains("uploaded hard-1.jpg -> hard-1.jpg 4", "already-on-target hard-2.jpg");
  }

  // ---- sizes ----

  @Test
  void filesOfZeroAndOneByteAndAroundTheChunkSizeAreByteExact() {
    assertThat(target.resolve("empty.jpg")).isEmptyFile();
    assertThat(posix.stdout()).contains("uploaded empty.jpg -> empty.jpg 0");
    for (long size : List.of(1L, CHUNK - 1L, (long) CHUNK, CHUNK + 1L, 2L * CHUNK)) {
      String name = "size-" + size + ".jpg";
      assertThat(MediaFiles.sha256(target.resolve(name))).as(name).isEqualTo(MediaFiles.sha256(source.resolve(name)));
      assertThat(posix.stdout()).contains("uploaded " + name + " -> " + name + " " + size);
    }
  }

  // ---- what permissions hide, as a user they apply to ----

  @Test
  void anUnreadableFileFailsAndFoldersThatCannotBeListedFailTheScanWhileTheRestIsBackedUp() throws IOException {
    AppProcess.sharedDir(tmp);
    Path locked = AppProcess.sharedDir(tmp.resolve("locked"));
    Path src = Files.createDirectories(locked.resolve("photos"));
    write(src.resolve("ok.jpg"), "readable");
    write(src.resolve("unreadable.jpg"), "secret");
    write(src.resolve("no-execute/inside.jpg"), "hidden by the folder");
    write(src.resolve("no-read/inside.jpg"), "hidden by the folder");
    AppProcess.readableTree(src);
    Files.setPosixFilePermissions(src.resolve("unreadable.jpg"), PosixFilePermissions.fromString("---------"));
    Files.setPosixFilePermissions(src.resolve("no-execute"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(src.resolve("no-read"), PosixFilePermissions.fromString("-wx-wx-wx"));
    Path dst = AppProcess.sharedDir(locked.resolve("backup"));

    AppProcess run = apps.start(once(src, dst, AppProcess.sharedDir(locked.resolve("data"))).runAsUnprivileged());

    try {
      assertThat(run.waitFor(RUN_TIMEOUT)).as(run.describe()).isEqualTo(1);
      assertThat(run.stdout()).anySatisfy(line -> assertThat(line).startsWith("failed unreadable.jpg: ").contains("permission denied"));
      assertThat(run.stdout())
          .anySatisfy(line -> assertThat(line).startsWith("scan-failed ").contains("cannot read ", "no-execute", "(and 1 more)"));
      assertThat(run.errorLines()).singleElement().asString().contains("scan of " + src + " failed");
      assertThat(MediaFiles.sha256Tree(dst)).containsOnlyKeys("ok.jpg");
    } finally {
      Files.setPosixFilePermissions(src.resolve("no-execute"), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(src.resolve("no-read"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  // ---- files that change while they upload ----

  @Test
  void filesTruncatedReplacedOrDeletedDuringTheirUploadEndWithTheirFinalContentOrSkipped() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("changing"));
    Path dst = tmp.resolve("changing backup");
    for (String name : List.of("truncated.mov", "replaced.mov", "deleted.mov")) {
      MediaFiles.write(src.resolve(name), 6L * MIB, new SplittableRandom(name.hashCode()));
      Files.setLastModifiedTime(src.resolve(name), FileTime.from(Instant.now().minusSeconds(60)));
    }
    AppProcess run =
        apps.start(
            AppProcess.launch(
                "run", "--source", src.toString(), "--target", dst.toUri().toString(),
                "--data-dir", tmp.resolve("changing data").toString(), "--once",
                // Slow enough to change them while they are sent.
                "--set", "autoupload.policy.bandwidth-limit=3MiB",
                "--set", "autoupload.source.folder.stable-for=1s"));
    for (String name : List.of("truncated.mov", "replaced.mov", "deleted.mov")) {
      Path part = dst.resolve("." + name + ".autoupload-part");
      await(name + " under way")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(10))
          .failFast("the run ended first", () -> !run.isAlive())
          .until(() -> MediaFiles.sizeOrMinusOne(part) > 256 * 1024);
    }

    try (var file = Files.newByteChannel(src.resolve("truncated.mov"), StandardOpenOption.WRITE)) {
      file.truncate(MIB);
    }
    Path replacement = src.resolve("replacement.tmp.part");
    MediaFiles.write(replacement, 6L * MIB, new SplittableRandom(7));
    Files.move(replacement, src.resolve("replaced.mov"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(src.resolve("deleted.mov"));

    assertThat(run.waitFor(RUN_TIMEOUT)).as(run.describe()).isZero();
    assertThat(run.stdout())
        .as(run.describe())
        .contains(
            "skipped truncated.mov: truncated.mov became shorter while it was uploaded; it is uploaded again once it settles",
            "skipped replaced.mov: replaced.mov changed while it was uploaded; it is uploaded again once it settles",
            "skipped deleted.mov: deleted.mov was deleted while it was uploaded")
        .noneMatch(line -> line.startsWith("failed "))
        .as("the new versions start from nothing, not from the old ones' bytes")
        .noneMatch(line -> line.startsWith("retrying ") || line.startsWith("resumed "));
    assertThat(MediaFiles.sha256Tree(dst))
        .as("the final content of each file, nothing torn, no part file left, not even the deleted one's")
        .isEqualTo(MediaFiles.sha256Tree(src));
  }

  // ---- the source folders ----

  private static void writeHostileSource() throws IOException, InterruptedException {
    write(source.resolve(NFC), "composed");
    write(source.resolve(NFD), "decomposed");
    // The newest is sent first, and the second to the shared name is the one kept beside it; with
    // one modification time the scan's order decides, which puts the name already in NFC first.
    FileTime sameInstant = FileTime.from(Instant.now().minusSeconds(120));
    Files.setLastModifiedTime(source.resolve(NFC), sameInstant);
    Files.setLastModifiedTime(source.resolve(NFD), sameInstant);
    write(source.resolve("Cre\u0300me/bru\u0302le\u0301e.jpg"), "dessert");
    write(source.resolve("\ud83d\udcf7 sunset \ud83c\udf05.jpg"), "emoji");
    write(source.resolve(LONG_NAME), "long");
    write(source.resolve(RESERVED), "reserved");
    write(source.resolve(" lead.jpg"), "leading space");
    write(source.resolve("trail.jpg "), "trailing space");
    write(source.resolve("dots.jpg."), "trailing dot");
    write(source.resolve("IMG_1.JPG"), "upper");
    write(source.resolve("img_1.jpg"), "lower");
    write(source.resolve("CON.jpg"), "con");
    write(source.resolve("nul.jpg"), "nul");
    write(source.resolve("COM1.jpg"), "com1");
    write(source.resolve("tab\there.jpg"), "tab");
    write(source.resolve("new\nline.jpg"), "newline");
    write(source.resolve("bell\u0007.jpg"), "bell");
    write(source.resolve(BACKSLASHES), "backslashes");
    write(source.resolve("%2e%2e%2fetc.jpg"), "percent");
    write(source.resolve(".jpg"), "only an extension");

    write(source.resolve("one.jpg"), "a");
    Files.createSymbolicLink(source.resolve("link-in.jpg"), source.resolve("one.jpg"));
    write(outside.resolve("outside.jpg"), "outside");
    Files.createSymbolicLink(source.resolve("link-out.jpg"), outside.resolve("outside.jpg"));
    Files.createSymbolicLink(source.resolve("linked-folder"), outside);
    Files.createDirectories(source.resolve("loop"));
    Files.createSymbolicLink(source.resolve("loop/up"), source);
    Files.createSymbolicLink(source.resolve("ping.jpg"), source.resolve("pong.jpg"));
    Files.createSymbolicLink(source.resolve("pong.jpg"), source.resolve("ping.jpg"));
    Files.createSymbolicLink(source.resolve("dangling.jpg"), source.resolve("nowhere.jpg"));
    command("mkfifo", source.resolve("pipe.jpg").toString());
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(source.resolve("socket.jpg")));
    }
    if (AppProcess.runningAsRoot()) {
      // /dev/zero under a photo's name: read, it would never end.
      command("mknod", source.resolve("zero-device.jpg").toString(), "c", "1", "5");
    }
    try (RandomAccessFile sparse = new RandomAccessFile(source.resolve("sparse.mov").toFile(), "rw")) {
      sparse.setLength(32L * MIB);
      sparse.seek(16L * MIB);
      sparse.write("a few real bytes in the middle of a hole".getBytes(StandardCharsets.US_ASCII));
    }
    write(source.resolve("hard-1.jpg"), "hard");
    Files.createLink(source.resolve("hard-2.jpg"), source.resolve("hard-1.jpg"));
    write(source.resolve("empty.jpg"), "");
    for (long size : List.of(1L, CHUNK - 1L, (long) CHUNK, CHUNK + 1L, 2L * CHUNK)) {
      MediaFiles.write(source.resolve("size-" + size + ".jpg"), size, new SplittableRandom(size));
    }
  }

  private static Map<String, String> writeWindowsSource(Path folder) throws IOException {
    Map<String, String> files =
        Map.of(
            RESERVED, "reserved",
            "back\\slash.jpg", "backslash",
            "dots.jpg.", "trailing dot",
            "trail.jpg ", "trailing space",
            "CON.jpg", "con",
            "nul.jpg", "nul",
            "LPT9", "lpt9",
            "CONSOLE.jpg", "console",
            "x:y.jpg", "colon",
            "x\uff1ay.jpg", "fullwidth colon");
    for (Map.Entry<String, String> file : files.entrySet()) {
      write(folder.resolve(file.getKey()), file.getValue());
    }
    return files;
  }

  // ---- helpers ----

  /** {@code run --once} of every file (whatever its extension), offered as soon as it is found. */
  private static AppProcess.Launch once(Path from, Path to, Path dataDir, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run", "--source", from.toString(), "--target", to.toUri().toString(), "--data-dir", dataDir.toString(),
                "--once",
                "--set", "autoupload.source.folder.extensions=[\"*\"]",
                "--set", "autoupload.source.folder.stable-for=0s",
                "--set", "autoupload.upload.chunk-bytes=" + CHUNK));
    args.addAll(List.of(more));
    return AppProcess.launch(args.toArray(String[]::new));
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private static String content(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file + " on the target\n" + posix.describe(), e);
    }
  }

  private static List<String> targetNames(java.util.function.Predicate<String> matching) {
    return names(target, matching);
  }

  private static List<String> names(Path folder, java.util.function.Predicate<String> matching) {
    try (var children = Files.list(folder)) {
      return children.map(path -> path.getFileName().toString()).filter(matching).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(String content) {
    return MediaFiles.sha256(content.getBytes(StandardCharsets.UTF_8));
  }

  private static void command(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
  }
}
