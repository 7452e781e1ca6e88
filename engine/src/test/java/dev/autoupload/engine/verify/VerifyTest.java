package dev.autoupload.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UploadEngine#verify} on the real journal (H2 in the data dir): a library is backed up,
 * the target is changed behind the engine's back, and verify tells each file's state from what the
 * target holds.
 */
class VerifyTest {

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;
  @TempDir Path otherDataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  private static UploadEngine start(Path dataDir) {
    return EngineInternals.start(
        ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dataDir.toString(),
                    "autoupload.layout.pattern", "{path}",
                    "autoupload.verify.parallelism", "2"))
            .withFallback(ConfigFactory.load()));
  }

  private static void backUp(UploadEngine engine, Library library) throws Exception {
    engine.addLibrary(library).toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestProbe<Object> probe = probes.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> {
          EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertThat(status.idle()).as("idle: %s", status).isTrue();
          assertThat(status.failed()).isZero();
          return status;
        });
  }

  private static VerifyReport verify(UploadEngine engine, Library library, VerifyMode mode) throws Exception {
    return verify(engine, library, mode, progress -> {});
  }

  private static VerifyReport verify(
      UploadEngine engine, Library library, VerifyMode mode, Consumer<VerifyProgress> progress) throws Exception {
    return engine.verify(library, mode, progress).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Map<String, FileVerdict> byPath(VerifyReport report) {
    return report.files().stream().collect(Collectors.toMap(FileVerdict::path, file -> file));
  }

  private static byte[] otherBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size * 31L + 7).nextBytes(bytes);
    return bytes;
  }

  @Test
  void tellsTheSameMissingAndChangedBackupsApartAndReportsProgress() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    source.add("same.jpg", 3_000);
    source.add("deleted.jpg", 3_500);
    byte[] truncated = source.add("truncated.jpg", 4_000);
    source.add("replaced.jpg", 5_000);
    Library library = new Library("camera", source, target);
    List<VerifyProgress> progress = new CopyOnWriteArrayList<>();

    VerifyReport report;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      target.deleteFile("deleted.jpg");
      target.putFile("truncated.jpg", Arrays.copyOf(truncated, 1_000));
      target.putFile("replaced.jpg", otherBytes(5_000));

      report = verify(engine, library, VerifyMode.HASHES, progress::add);
    }

    Map<String, FileVerdict> files = byPath(report);
    assertThat(files.get("same.jpg").mark()).isEqualTo(Mark.SAME);
    assertThat(files.get("same.jpg").remotePath()).hasValue("same.jpg");
    assertThat(files.get("deleted.jpg").mark()).isEqualTo(Mark.MISSING);
    assertThat(files.get("deleted.jpg").reason()).isEqualTo("not on the target at deleted.jpg");
    assertThat(files.get("truncated.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(files.get("truncated.jpg").reason()).isEqualTo("truncated.jpg holds other content: 1000 bytes there, 4000 here");
    assertThat(files.get("replaced.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(files.get("replaced.jpg").reason())
        .startsWith("replaced.jpg holds other content of the same size (5000 bytes): sha256 ");
    assertThat(report.complete()).isFalse();
    assertThat(report.count(Mark.SAME)).isEqualTo(1);
    assertThat(report.count(Mark.DIFFERS)).isEqualTo(2);
    assertThat(report.count(Mark.MISSING)).isEqualTo(1);
    assertThat(report.files()).extracting(FileVerdict::path).as("in the order the source lists them")
        .containsExactly("deleted.jpg", "replaced.jpg", "same.jpg", "truncated.jpg");

    assertThat(progress.get(0)).isEqualTo(new VerifyProgress.Started("camera", 4, 15_500));
    List<VerifyProgress.Checked> checked =
        progress.stream().skip(1).map(VerifyProgress.Checked.class::cast).toList();
    assertThat(checked).extracting(VerifyProgress.Checked::checked).containsExactly(1L, 2L, 3L, 4L);
    assertThat(checked).allSatisfy(each -> assertThat(each.total()).isEqualTo(4));
    assertThat(checked).extracting(VerifyProgress.Checked::file).containsExactlyInAnyOrderElementsOf(report.files());
    assertThat(checked.get(3).bytesRead()).isEqualTo(report.bytesRead()).isPositive();
  }

  @Test
  void aCompleteBackupIsAllTheSameForAnEngineThatOnlyReadsTheJournal() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    for (int i = 0; i < 12; i++) {
      source.add("DCIM/IMG_%04d.HEIC".formatted(i), 2_000 + i);
    }
    Library library = new Library("camera", source, target);
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
    }

    VerifyReport report;
    try (UploadEngine engine = start(dataDir)) {
      report = verify(engine, library, VerifyMode.HASHES);
    }

    assertThat(report.files()).hasSize(12).allSatisfy(file -> assertThat(file.mark()).isEqualTo(Mark.SAME));
    assertThat(report.complete()).isTrue();
    assertThat(report.libraryId()).isEqualTo("camera");
  }

  @Test
  void findsAKeptBothBackupAndACopyBackedUpAsAnAliasWhereTheJournalRecordedThem() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    byte[] photo = source.add("IMG_0001.jpg", 6_000);
    source.copy("IMG_0001.jpg", "copies/IMG_0001 copy.jpg");
    target.putFile("IMG_0001.jpg", otherBytes(6_000));
    String keptBoth = RemoteLayout.keepBothPath("IMG_0001.jpg", Sha256.of(new ByteArrayInputStream(photo)));
    Library library = new Library("camera", source, target);

    VerifyReport withJournal;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      withJournal = verify(engine, library, VerifyMode.HASHES);
    }
    VerifyReport withoutJournal;
    try (UploadEngine engine = start(otherDataDir)) {
      withoutJournal = verify(engine, library, VerifyMode.HASHES);
    }

    assertThat(target.files().keySet()).containsExactlyInAnyOrder("IMG_0001.jpg", keptBoth);
    Map<String, FileVerdict> recorded = byPath(withJournal);
    assertThat(recorded.get("IMG_0001.jpg").mark()).isEqualTo(Mark.SAME);
    assertThat(recorded.get("IMG_0001.jpg").remotePath()).hasValue(keptBoth);
    assertThat(recorded.get("copies/IMG_0001 copy.jpg").mark()).isEqualTo(Mark.SAME);
    assertThat(recorded.get("copies/IMG_0001 copy.jpg").remotePath()).hasValue(keptBoth);
    Map<String, FileVerdict> found = byPath(withoutJournal);
    assertThat(found.get("IMG_0001.jpg").mark()).as("found beside its layout path").isEqualTo(Mark.SAME);
    assertThat(found.get("IMG_0001.jpg").remotePath()).hasValue(keptBoth);
    assertThat(found.get("copies/IMG_0001 copy.jpg").mark())
        .as("without the journal nothing says the copy is an alias")
        .isEqualTo(Mark.MISSING);
  }

  @Test
  void comparesByMd5WhereTheTargetTellsOnlyThat() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    target.reportOnlyMd5();
    source.add("kept.jpg", 3_000);
    source.add("replaced.jpg", 3_001);
    Library library = new Library("camera", source, target);

    VerifyReport report;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      target.putFile("replaced.jpg", otherBytes(3_001));
      report = verify(engine, library, VerifyMode.HASHES);
    }

    Map<String, FileVerdict> files = byPath(report);
    assertThat(files.get("kept.jpg").mark()).isEqualTo(Mark.SAME);
    assertThat(files.get("kept.jpg").reason()).isEqualTo("kept.jpg has the same size and MD5");
    assertThat(files.get("replaced.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(files.get("replaced.jpg").reason()).contains("MD5 ");
  }

  @Test
  void readsABackupBackWhereTheTargetTellsNoHashAndLeavesItUncheckedWhereItCannotReadBack() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    target.reportNoHash();
    source.add("kept.jpg", 3_000);
    source.add("replaced.jpg", 3_001);
    Library library = new Library("camera", source, target);

    VerifyReport readBack;
    VerifyReport unreadable;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      target.putFile("replaced.jpg", otherBytes(3_001));
      readBack = verify(engine, library, VerifyMode.HASHES);
      target.cannotReadBack();
      unreadable = verify(engine, library, VerifyMode.HASHES);
    }

    assertThat(byPath(readBack).get("kept.jpg").reason()).isEqualTo("kept.jpg has the same size and sha256 (read back)");
    assertThat(byPath(readBack).get("replaced.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(unreadable.files()).allSatisfy(file -> assertThat(file.mark()).isEqualTo(Mark.UNCHECKED));
    assertThat(byPath(unreadable).get("kept.jpg").reason())
        .isEqualTo("kept.jpg has the same size, but the target tells no hash of it and cannot read it back");
  }

  @Test
  void downloadReadsEveryBackupBackEvenWhereTheTargetTellsItsHash() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    source.add("a.jpg", 40_000);
    source.add("b.jpg", 50_000);
    Library library = new Library("camera", source, target);

    VerifyReport hashes;
    VerifyReport download;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      hashes = verify(engine, library, VerifyMode.HASHES);
      download = verify(engine, library, VerifyMode.DOWNLOAD);
    }

    assertThat(hashes.files()).extracting(FileVerdict::reason).allMatch(reason -> reason.endsWith("the same size and sha256"));
    assertThat(download.files()).extracting(FileVerdict::reason).allMatch(reason -> reason.contains("sha256 (read back)"));
    assertThat(download.mode()).isEqualTo(VerifyMode.DOWNLOAD);
    assertThat(download.bytesRead()).as("every backup read back, the sources known from the first pass").isEqualTo(90_000);
  }

  @Test
  void aFileThatCannotBeReadHereIsUncheckedWithTheReason() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    source.add("fine.jpg", 3_000);
    source.add("locked.jpg", 3_001);
    Library library = new Library("camera", source, target);

    VerifyReport report;
    try (UploadEngine engine = start(dataDir)) {
      backUp(engine, library);
      source.makeUnreadable("locked.jpg");
      report = verify(engine, library, VerifyMode.HASHES);
    }

    FileVerdict locked = byPath(report).get("locked.jpg");
    assertThat(locked.mark()).isEqualTo(Mark.UNCHECKED);
    assertThat(locked.reason()).startsWith("cannot read it here: ");
    assertThat(locked.remotePath()).isEmpty();
    assertThat(byPath(report).get("fine.jpg").mark()).isEqualTo(Mark.SAME);
  }

  @Test
  void aSourceThatCannotBeScannedFailsTheVerificationSayingSo() {
    AssetSource missing =
        new AssetSource() {
          @Override
          public String describe() {
            return "/media/card";
          }

          @Override
          public void scan(Consumer<List<Asset>> batches) throws IOException {
            throw new IOException("/media/card does not exist");
          }

          @Override
          public InputStream open(Asset asset) throws IOException {
            throw new IOException("no files");
          }
        };

    Throwable failure;
    try (UploadEngine engine = start(dataDir)) {
      failure =
          catchThrowable(() -> verify(engine, new Library("card", missing, new InMemoryTarget()), VerifyMode.HASHES));
    }

    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause()).isInstanceOf(VerifyException.class);
    VerifyException verifyFailure = (VerifyException) failure.getCause();
    assertThat(verifyFailure.problem()).isEqualTo(VerifyException.Problem.SCAN_FAILED);
    assertThat(verifyFailure.getMessage()).isEqualTo("cannot scan /media/card: /media/card does not exist");
  }
}
