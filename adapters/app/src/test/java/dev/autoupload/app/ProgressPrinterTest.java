package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final StringWriter written = new StringWriter();

  @Test
  void aStallAndItsRecoveryAreOneLineEach() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES);
    Stall stall =
        new Stall(
            "camera", Stall.Kind.NO_PROGRESS, Instant.EPOCH, 40, Set.of(BlockerReason.WIFI_REQUIRED),
            List.of("IMG_1.jpg: HTTP 503"));

    printer.onEvent(new EngineEvent.Stalled(stall, Duration.ofHours(6).plusMinutes(3)));
    printer.onEvent(new EngineEvent.Recovered(stall, Instant.EPOCH, LibraryWatch.Recovery.BACKED_UP));
    printer.finish();

    assertThat(written.toString().lines())
        .containsExactly(
            "stalled camera: nothing backed up for 6h 3m, 40 file(s) waiting: WIFI_REQUIRED; IMG_1.jpg: HTTP 503",
            "recovered camera: a file was backed up again");
  }

  @Test
  void serveNamesTheLibraryOfEachFileLine() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES, true);

    printer.onEvent(new EngineEvent.AssetUploaded("alice", "1", "a/b.jpg", Optional.of("2023/05/b.jpg"), 1234, Instant.EPOCH, false));
    printer.onEvent(new EngineEvent.AssetUploaded("bob", "2", "c.jpg", Optional.empty(), 10, Instant.EPOCH, true));
    printer.onEvent(new EngineEvent.AssetSkipped("bob", "5", "e.jpg", "vanished before upload"));
    printer.finish();

    assertThat(written.toString().lines())
        .containsExactly(
            "alice: uploaded a/b.jpg -> 2023/05/b.jpg 1234",
            "bob: already-on-target c.jpg",
            "bob: skipped e.jpg: vanished before upload");
  }

  @Test
  void lineModePrintsOneStableLinePerEvent() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES);

    printer.onEvent(new EngineEvent.AssetUploaded("lib", "1", "a/b.jpg", Optional.of("a/b.jpg"), 1234, Instant.EPOCH, false));
    printer.onEvent(new EngineEvent.AssetUploaded("lib", "2", "c.jpg", Optional.empty(), 10, Instant.EPOCH, true));
    printer.onEvent(new EngineEvent.AssetResumed("lib", "3", "big.mov", 8_388_608, 20_000_000));
    printer.onEvent(
        new EngineEvent.AssetFailed(
            "lib", "4", "d.jpg", new UploadError.Transient("connection\nreset"), 1, true, Optional.of(Duration.ofSeconds(2))));
    printer.onEvent(
        new EngineEvent.AssetFailed("lib", "4", "d.jpg", new UploadError.Permanent("gone bad"), 5));
    printer.onEvent(new EngineEvent.AssetSkipped("lib", "5", "e.jpg", "vanished before upload"));
    printer.onEvent(new EngineEvent.ScanFailed("lib", "/photos", "permission denied"));
    printer.onEvent(
        new EngineEvent.VerdictChanged(
            new Verdict(false, 0, Set.of(BlockerReason.WIFI_REQUIRED, BlockerReason.LOW_POWER_MODE))));
    printer.onEvent(new EngineEvent.VerdictChanged(new Verdict(true, 1, Set.of(BlockerReason.OS_THROTTLED))));
    printer.onEvent(new EngineEvent.VerdictChanged(Verdict.run(4)));
    printer.onEvent(
        new EngineEvent.VerdictChanged(new Verdict(false, 0, Set.of(BlockerReason.CONDITIONS_UNKNOWN)), Optional.of("phone")));
    printer.finish();

    assertThat(written.toString().lines())
        .containsExactly(
            "uploaded a/b.jpg -> a/b.jpg 1234",
            "already-on-target c.jpg",
            "resumed big.mov at 8388608/20000000",
            "retrying d.jpg in 2s (attempt 2): connection reset",
            "failed d.jpg: gone bad",
            "skipped e.jpg: vanished before upload",
            "scan-failed /photos: permission denied",
            "waiting: LOW_POWER_MODE (Waiting — Low Power Mode is on), "
                + "WIFI_REQUIRED (Waiting for Wi-Fi — mobile data is off in settings)",
            "slowed: OS_THROTTLED (Slowed down by the system)",
            "uploading",
            "phone: waiting: CONDITIONS_UNKNOWN (" + BlockerReason.CONDITIONS_UNKNOWN.description() + ")");
  }

  @Test
  void lineModePrintsProgressAtMostEveryTenSeconds() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES);

    printer.update(status(1, 100), 0);
    printer.update(status(2, 200), 5 * SECOND);
    printer.update(status(3, 300), 10 * SECOND);
    printer.update(status(4, 400), 15 * SECOND);
    printer.update(status(5, 500), 20 * SECOND);
    printer.update(status(5, 500), 35 * SECOND);

    assertThat(written.toString().lines())
        .containsExactly(
            "progress files=3/10 bytes=300/1000", "progress files=5/10 bytes=500/1000");
  }

  @Test
  void terminalModeRedrawsOneLineAndPutsFailuresAboveIt() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.TERMINAL);

    printer.update(status(1, 0), 0);
    printer.onEvent(new EngineEvent.AssetUploaded("lib", "1", "a.jpg", Optional.of("a.jpg"), 100, Instant.EPOCH, false));
    printer.onEvent(
        new EngineEvent.AssetFailed("lib", "2", "b.jpg", new UploadError.Permanent("unreadable"), 1));
    printer.update(status(2, 500), 2 * SECOND);
    printer.finish();

    String out = written.toString();
    assertThat(out).doesNotContain("uploaded a.jpg");
    assertThat(out).contains("\r\033[Kfailed b.jpg: unreadable\n");
    assertThat(out).contains("\rfiles 2/10  500 B/1000 B  250 B/s  ETA 2s\033[K");
    assertThat(out).endsWith("\n");
  }

  @Test
  void aWatchingRunTellsEachLibrarysNoteOnStderrEachTimeItSaysSomethingNew() {
    StringWriter err = new StringWriter();
    ProgressPrinter printer =
        new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES, true).withNotes(new PrintWriter(err));
    NotOffered none = NotOffered.NONE;

    printer.update(passedOver(none, none), 0);
    printer.update(passedOver(passedOver(2, "txt"), none), SECOND);
    printer.update(passedOver(passedOver(2, "txt"), none), 2 * SECOND);
    printer.update(passedOver(none, passedOver(1, "pdf")), 3 * SECOND);
    printer.update(passedOver(passedOver(2, "txt"), passedOver(1, "pdf")), 4 * SECOND);
    printer.finish(passedOver(passedOver(3, "txt"), passedOver(1, "pdf")));

    assertThat(err.toString().lines())
        .containsExactly(
            "autoupload: note: 2 files under /photos0 are not a photo or video by extension and were not backed up (.txt 2); autoupload.source.folder.extensions lists what is",
            "autoupload: note: 1 file under /photos1 is not a photo or video by extension and was not backed up (.pdf 1); autoupload.source.folder.extensions lists what is",
            "autoupload: note: 2 files under /photos0 are not a photo or video by extension and were not backed up (.txt 2); autoupload.source.folder.extensions lists what is",
            "autoupload: note: 3 files under /photos0 are not a photo or video by extension and were not backed up (.txt 3); autoupload.source.folder.extensions lists what is");
    assertThat(written.toString()).doesNotContain("note");
  }

  @Test
  void withoutNotesAskedForNoneIsPrinted() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES);

    printer.update(passedOver(passedOver(2, "txt")), 0);
    printer.finish(passedOver(passedOver(2, "txt")));

    assertThat(written.toString()).isEmpty();
  }

  @Test
  void onATerminalANoteTakesTheLiveLineAwayFirst() {
    StringWriter both = new StringWriter();
    PrintWriter shared = new PrintWriter(both);
    ProgressPrinter printer = new ProgressPrinter(shared, ProgressPrinter.Mode.TERMINAL).withNotes(shared);

    printer.update(passedOver(NotOffered.NONE), 0);
    printer.update(passedOver(passedOver(2, "txt")), SECOND);
    printer.finish();

    assertThat(both.toString()).contains("\033[K\r\033[Kautoupload: note: 2 files under /photos0 ").contains("lists what is\n\rfiles 1/10");
  }

  @Test
  void lineModeSaysOnceWhyEachFileTheRulesHoldBackWaits() {
    ProgressPrinter printer = new ProgressPrinter(new PrintWriter(written), ProgressPrinter.Mode.LINES);
    LibraryStatus.Held video =
        new LibraryStatus.Held("v", "clip.mp4", Set.of(BlockerReason.VIDEOS_WAIT_FOR_WIFI), Optional.empty());
    LibraryStatus.Held fresh =
        new LibraryStatus.Held("f", "new.jpg", Set.of(BlockerReason.TOO_RECENT), Optional.of(Instant.EPOCH));

    printer.update(held(List.of(video)), 0);
    printer.update(held(List.of(video, fresh)), SECOND);
    printer.update(held(List.of(video)), 2 * SECOND);

    assertThat(written.toString().lines())
        .containsExactly(
            "held clip.mp4: VIDEOS_WAIT_FOR_WIFI (Waiting for Wi-Fi — videos upload on unmetered networks only)",
            "held new.jpg: TOO_RECENT (" + BlockerReason.TOO_RECENT.description() + ")");
  }

  private static EngineStatus held(List<LibraryStatus.Held> held) {
    LibraryStatus library =
        new LibraryStatus(
            "lib", "/photos", "file:///backup", false, Optional.empty(), 1, 0, held.size(), 0, 0,
            0, 0, 0, 1000, 0, 0, Set.of(), List.of(), List.of(), List.of(), List.of(),
            Optional.empty(), Optional.empty(), false, List.of(), Optional.empty(), held, 0, NotOffered.NONE);
    return new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of(library));
  }

  @Test
  void humanUnits() {
    assertThat(ProgressPrinter.humanBytes(999)).isEqualTo("999 B");
    assertThat(ProgressPrinter.humanBytes(1536)).isEqualTo("1.5 KiB");
    assertThat(ProgressPrinter.humanBytes(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
    assertThat(ProgressPrinter.humanDuration(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(ProgressPrinter.humanDuration(Duration.ofSeconds(252))).isEqualTo("4m12s");
    assertThat(ProgressPrinter.humanDuration(Duration.ofMinutes(125))).isEqualTo("2h05m");
  }

  private static EngineStatus status(long backedUp, long bytesDone) {
    return new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), List.of(library("lib", "/photos", backedUp, bytesDone, NotOffered.NONE)));
  }

  private static LibraryStatus library(String id, String source, long backedUp, long bytesDone, NotOffered notOffered) {
    return new LibraryStatus(
        id, source, "file:///backup", false, Optional.empty(), 10, 0, 10 - backedUp, 0, 0,
        backedUp, 0, 0, 1000, bytesDone, bytesDone, Set.of(), List.of(), List.of(), List.of(), List.of(),
        Optional.empty(), Optional.empty(), false, List.of(), Optional.empty(), List.of(), 0, notOffered);
  }

  private static NotOffered passedOver(int files, String extension) {
    return new NotOffered(files, new TreeMap<>(Map.of(extension, files)));
  }

  private static EngineStatus passedOver(NotOffered... byLibrary) {
    List<LibraryStatus> libraries = new ArrayList<>();
    for (int i = 0; i < byLibrary.length; i++) {
      libraries.add(library("lib" + i, "/photos" + i, 1, 100, byLibrary[i]));
    }
    return new EngineStatus(Verdict.run(4), DeviceConditions.desktop(), libraries);
  }
}
