package dev.autoupload.sources.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.NotOffered;
import dev.autoupload.engine.testing.Unprivileged;
import dev.autoupload.sources.media.TestMedia;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FolderSourceTest {

  /** Files written by the test are offered at once; the stability tests set their own window. */
  private static final FolderSource.Settings SETTLED_AT_ONCE =
      FolderSource.Settings.defaults().withStableFor(Duration.ZERO);

  @TempDir Path temp;
  private Path root;
  private FolderSource source;

  @BeforeEach
  void createSource() throws IOException {
    root = Files.createDirectories(temp.resolve("Photos"));
    source = new FolderSource("lib-1", root, SETTLED_AT_ONCE);
  }

  @Test
  void listsFilesOfNestedFoldersWithSlashSeparatedPaths() throws Exception {
    write("top.jpg", "a");
    write("2024/06/IMG_0001.jpg", "bb");
    write("2024/06/IMG_0002.jpg", "ccc");
    write("2024/beach/sunset.mov", "dddd");
    Files.createDirectories(root.resolve("empty/folder"));

    List<Asset> assets = scan(source);

    assertThat(assets)
        .extracting(Asset::relativePath)
        .containsExactly(
            "top.jpg", "2024/06/IMG_0001.jpg", "2024/06/IMG_0002.jpg", "2024/beach/sunset.mov");
    Asset movie = assets.get(3);
    assertThat(movie.libraryId()).isEqualTo("lib-1");
    assertThat(movie.size()).isEqualTo(4);
    assertThat(movie.contentHash()).isEmpty();
  }

  @Test
  void anEditThatKeepsSizeAndRestoresTheModificationTimeIsAnotherVersion() throws Exception {
    Path photo = write("IMG_0001.jpg", "first content");
    FileTime taken = FileTime.from(Instant.parse("2023-05-10T12:00:00Z"));
    Files.setLastModifiedTime(photo, taken);
    Asset before = scan(source).get(0);
    // ctime has a clock tick's resolution; the edit must land on a later tick to move it.
    waitForTheClockToTick(before.changeStamp().orElseThrow(), photo);

    Files.writeString(photo, "other content");
    Files.setLastModifiedTime(photo, taken);
    Asset after = scan(source).get(0);

    assertThat(after.size()).isEqualTo(before.size());
    assertThat(after.modifiedAt()).isEqualTo(before.modifiedAt());
    assertThat(after.version()).as("the change stamp (inode, ctime) tells").isNotEqualTo(before.version());
    assertThat(source.refresh(before)).hasValueSatisfying(now -> assertThat(now.version()).isEqualTo(after.version()));
  }

  @Test
  void aNewFileUnderAnOldNameIsAnotherVersionEvenWithTheSameSizeAndTime() throws Exception {
    Path photo = write("DSC_0001.JPG", "old photo");
    FileTime time = FileTime.from(Instant.parse("2024-01-01T00:00:00Z"));
    Files.setLastModifiedTime(photo, time);
    Asset before = scan(source).get(0);

    Path replacement = write("incoming.tmp", "new photo");
    Files.setLastModifiedTime(replacement, time);
    Files.move(replacement, photo, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Asset after = scan(source).get(0);

    assertThat(after.id()).isEqualTo(before.id());
    assertThat(after.version()).as("another inode").isNotEqualTo(before.version());
  }

  @Test
  void anUntouchedFileKeepsItsVersionFromScanToScan() throws Exception {
    write("a.jpg", "content");

    assertThat(scan(source).get(0).version()).isEqualTo(scan(source).get(0).version());
  }

  /** Waits until a fresh file's ctime differs from {@code stamp}'s, bounded by a timeout. */
  private void waitForTheClockToTick(String stamp, Path beside) throws Exception {
    Path probe = beside.resolveSibling(".tick");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    String ctime = stamp.split(":", 3)[2];
    do {
      Files.writeString(probe, "tick");
    } while (FolderSource.changeStamp(probe).orElseThrow().split(":", 3)[2].equals(ctime)
        && System.nanoTime() < deadline);
    Files.delete(probe);
  }

  @Test
  void datesEachAssetByItsMetadataAndSaysWhereTheDateCameFrom() throws Exception {
    TestMedia.jpegTakenAt(root.resolve("2023/trip.jpg"), "2023:06:01 14:30:00", Optional.of("+02:00"));
    TestMedia.movieCreatedAt(root.resolve("2023/clip.mov"), "qt  ", Instant.parse("2023-06-01T12:31:00Z"));
    write("copied.png", "no metadata in here");
    Instant copiedAt = Instant.parse("2024-02-03T04:05:06Z");
    Files.setLastModifiedTime(root.resolve("copied.png"), FileTime.from(copiedAt));

    Map<String, Asset> assets =
        scan(source).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));

    assertThat(assets.get("2023/trip.jpg").createdAt()).isEqualTo(Instant.parse("2023-06-01T12:30:00Z"));
    assertThat(assets.get("2023/trip.jpg").createdAtSource()).isEqualTo(CreationDateSource.EXIF);
    assertThat(assets.get("2023/clip.mov").createdAt()).isEqualTo(Instant.parse("2023-06-01T12:31:00Z"));
    assertThat(assets.get("2023/clip.mov").createdAtSource()).isEqualTo(CreationDateSource.VIDEO_METADATA);
    assertThat(assets.get("copied.png").createdAt()).isEqualTo(copiedAt);
    assertThat(assets.get("copied.png").createdAtSource()).isEqualTo(CreationDateSource.FILE_TIME);
  }

  @Test
  void aRescanReadsTheMetadataOfNewAndChangedFilesOnly() throws Exception {
    TestMedia.jpegTakenAt(root.resolve("2023/trip.jpg"), "2023:06:01 14:30:00", Optional.of("+02:00"));
    TestMedia.jpegTakenAt(root.resolve("2023/beach.jpg"), "2023:06:02 10:00:00", Optional.of("+02:00"));
    write("copied.png", "no metadata in here");
    scan(source);
    assertThat(source.knownDates().reads()).isEqualTo(3);

    Map<String, Asset> again = scan(source).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));
    assertThat(source.knownDates().reads()).as("nothing changed: nothing read").isEqualTo(3);
    assertThat(again.get("2023/trip.jpg").createdAt()).isEqualTo(Instant.parse("2023-06-01T12:30:00Z"));
    assertThat(again.get("2023/trip.jpg").createdAtSource()).isEqualTo(CreationDateSource.EXIF);

    // Edited in place, same name: another version, whose date is read again.
    String before = FolderSource.changeStamp(root.resolve("2023/trip.jpg")).orElseThrow();
    waitForTheClockToTick(before, root.resolve("2023/trip.jpg"));
    TestMedia.jpegTakenAt(root.resolve("2023/trip.jpg"), "2021:01:01 08:00:00", Optional.of("+00:00"));
    Files.delete(root.resolve("copied.png"));
    Map<String, Asset> edited = scan(source).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));
    assertThat(source.knownDates().reads()).isEqualTo(4);
    assertThat(edited.get("2023/trip.jpg").createdAt()).isEqualTo(Instant.parse("2021-01-01T08:00:00Z"));
    assertThat(source.knownDates().size()).as("the deleted file's date is forgotten").isEqualTo(2);
  }

  @Test
  void aSourceKeepingItsDatesInAFileSparesTheNextProcessTheReads(@TempDir Path dataDir) throws Exception {
    TestMedia.jpegTakenAt(root.resolve("2023/trip.jpg"), "2023:06:01 14:30:00", Optional.of("+02:00"));
    write("copied.png", "no metadata in here");
    Path dates = dataDir.resolve("creation-dates-lib");
    FolderSource first = FolderSource.keepingDatesIn("lib", root, SETTLED_AT_ONCE, dates);
    scan(first);
    assertThat(first.knownDates().reads()).isEqualTo(2);
    assertThat(dates).exists();

    // Another process: the same versions, so nothing is read; the dates are those read before.
    FolderSource restarted = FolderSource.keepingDatesIn("lib", root, SETTLED_AT_ONCE, dates);
    Map<String, Asset> assets = scan(restarted).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));
    assertThat(restarted.knownDates().reads()).as("nothing changed: nothing read").isZero();
    assertThat(assets.get("2023/trip.jpg").createdAt()).isEqualTo(Instant.parse("2023-06-01T12:30:00Z"));
    assertThat(assets.get("2023/trip.jpg").createdAtSource()).isEqualTo(CreationDateSource.EXIF);
    assertThat(assets.get("copied.png").createdAtSource()).isEqualTo(CreationDateSource.FILE_TIME);

    // Edited while no process ran: another version, read again.
    String before = FolderSource.changeStamp(root.resolve("2023/trip.jpg")).orElseThrow();
    waitForTheClockToTick(before, root.resolve("2023/trip.jpg"));
    TestMedia.jpegTakenAt(root.resolve("2023/trip.jpg"), "2021:01:01 08:00:00", Optional.of("+00:00"));
    FolderSource third = FolderSource.keepingDatesIn("lib", root, SETTLED_AT_ONCE, dates);
    Map<String, Asset> edited = scan(third).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));
    assertThat(third.knownDates().reads()).isEqualTo(1);
    assertThat(edited.get("2023/trip.jpg").createdAt()).isEqualTo(Instant.parse("2021-01-01T08:00:00Z"));

    // A damaged file is only a cache: every date is read again.
    Files.writeString(dates, "damaged");
    FolderSource afterDamage = FolderSource.keepingDatesIn("lib", root, SETTLED_AT_ONCE, dates);
    scan(afterDamage);
    assertThat(afterDamage.knownDates().reads()).isEqualTo(2);
    FolderSource repaired = FolderSource.keepingDatesIn("lib", root, SETTLED_AT_ONCE, dates);
    scan(repaired);
    assertThat(repaired.knownDates().reads()).as("rewritten after the scan that read them").isZero();
  }

  @Test
  void offersPhotosAndVideosOnlyUnlessEveryFileIsAsked() throws Exception {
    for (String name : List.of("a.jpg", "B.MOV", "c.HEIC", "raw/d.dng", "e.txt", "f.jpg.part", "g", "h.pdf", "i.crdownload")) {
      write(name, "x");
    }

    assertThat(scan(source)).extracting(Asset::relativePath).containsExactlyInAnyOrder("a.jpg", "B.MOV", "c.HEIC", "raw/d.dng");
    assertThat(scan(new FolderSource("lib-1", root, SETTLED_AT_ONCE.withExtensions(Set.of("*")))))
        .hasSize(9);
  }

  @Test
  void rejectsExtensionSettingsThatWouldBackUpNothingOrAreNotExtensions() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SETTLED_AT_ONCE.withExtensions(Set.of()))
        .withMessageContaining("nothing would be backed up");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SETTLED_AT_ONCE.withExtensions(Set.of(".jpg")))
        .withMessageContaining("\".jpg\" is not an extension");
  }

  @Test
  @Timeout(30)
  void offersAFileStillBeingWrittenOnlyOnceItHasStoppedChanging() throws Exception {
    Path growing = root.resolve("recording.mov");
    Files.write(growing, new byte[1024]);
    ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger appends = new AtomicInteger();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    writer.scheduleAtFixedRate(
        () -> {
          try {
            Files.write(growing, new byte[1024], StandardOpenOption.APPEND);
            if (appends.incrementAndGet() == 40) {
              finished.complete(null);
              throw new IllegalStateException("done: stops the schedule");
            }
          } catch (IOException e) {
            finished.completeExceptionally(e);
          }
        },
        20,
        20,
        TimeUnit.MILLISECONDS);
    try {
      FolderSource patient = new FolderSource("lib-1", root, SETTLED_AT_ONCE.withStableFor(Duration.ofSeconds(2)));

      List<Asset> found = scan(patient);

      finished.get(10, TimeUnit.SECONDS);
      assertThat(found).singleElement().satisfies(asset -> assertThat(asset.size()).isEqualTo(41 * 1024));
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  @Timeout(30)
  void leavesAFileThatNeverSettlesForTheNextScanAndOffersTheRest() throws Exception {
    write("done.jpg", "finished long ago");
    Files.setLastModifiedTime(root.resolve("done.jpg"), FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
    Path busy = root.resolve("busy.mov");
    Files.write(busy, new byte[1]);
    ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    writer.scheduleAtFixedRate(
        () -> {
          try {
            Files.write(busy, new byte[1], StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        0,
        20,
        TimeUnit.MILLISECONDS);
    try {
      FolderSource.Settings settings =
          new FolderSource.Settings(
              Set.of("jpg", "mov"), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMinutes(10), Duration.ofSeconds(1));

      assertThat(scan(new FolderSource("lib-1", root, settings))).extracting(Asset::relativePath).containsExactly("done.jpg");
    } finally {
      writer.shutdownNow();
    }
  }

  @Test
  @Timeout(30)
  void watchingReportsAFileThatAppearsInANewFolderOnceTheBurstIsQuiet() throws Exception {
    FolderSource.Settings settings =
        new FolderSource.Settings(
            Set.of("jpg"), Duration.ZERO, Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofMillis(200));
    Semaphore changes = new Semaphore(0);

    try (AutoCloseable watch = new FolderSource("lib-1", root, settings).watch(changes::release)) {
      Files.createDirectories(root.resolve("2024/imported"));
      write("2024/imported/IMG_0001.jpg", "new photo");
      write("2024/imported/IMG_0002.jpg", "another");

      assertThat(changes.tryAcquire(20, TimeUnit.SECONDS)).as("a change was reported").isTrue();
      // The burst was reported once, after it calmed down; a rescan then finds the new files.
      assertThat(scan(source)).extracting(Asset::relativePath)
          .contains("2024/imported/IMG_0001.jpg", "2024/imported/IMG_0002.jpg");
      write("2024/imported/later/IMG_0003.jpg", "later still");
      assertThat(changes.tryAcquire(20, TimeUnit.SECONDS)).as("a file in a folder made after the watch began").isTrue();
    }
  }

  @Test
  @Timeout(30)
  void watchingAQuietFolderStillAsksForARescanEveryInterval() throws Exception {
    FolderSource.Settings settings =
        new FolderSource.Settings(
            Set.of("jpg"), Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(50));
    Semaphore changes = new Semaphore(0);

    try (AutoCloseable watch = new FolderSource("lib-1", root, settings).watch(changes::release)) {
      assertThat(changes.tryAcquire(3, 20, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void refreshTellsTheCurrentSizeAndTimeOrThatTheFileIsGone() throws Exception {
    write("a.jpg", "first");
    Asset scanned = scan(source).get(0);
    Files.writeString(root.resolve("a.jpg"), "first and more");
    Files.setLastModifiedTime(root.resolve("a.jpg"), FileTime.from(scanned.modifiedAt().plusSeconds(5)));

    Asset now = source.refresh(scanned).orElseThrow();
    assertThat(now.size()).isEqualTo("first and more".length());
    assertThat(now.modifiedAt()).isEqualTo(scanned.modifiedAt().plusSeconds(5));
    assertThat(now.id()).isEqualTo(scanned.id());

    Files.delete(root.resolve("a.jpg"));
    assertThat(source.refresh(scanned)).isEmpty();
  }

  @Test
  void datesALivePhotosVideoByItsStillSoThePairStaysTogether() throws Exception {
    TestMedia.jpegTakenAt(root.resolve("DCIM/IMG_0001.JPG"), "2023:05:31 23:59:59", Optional.of("+00:00"));
    TestMedia.movieCreatedAt(root.resolve("DCIM/IMG_0001.MOV"), "qt  ", Instant.parse("2023-06-01T00:00:01Z"));
    TestMedia.movieCreatedAt(root.resolve("DCIM/IMG_0002.MOV"), "qt  ", Instant.parse("2023-06-01T00:00:01Z"));

    Map<String, Asset> assets =
        scan(source).stream().collect(Collectors.toMap(Asset::relativePath, a -> a));

    assertThat(assets.get("DCIM/IMG_0001.MOV").createdAt()).isEqualTo(Instant.parse("2023-05-31T23:59:59Z"));
    assertThat(assets.get("DCIM/IMG_0001.MOV").createdAtSource()).isEqualTo(CreationDateSource.EXIF);
    assertThat(assets.get("DCIM/IMG_0002.MOV").createdAt())
        .as("a video without a still keeps its own date")
        .isEqualTo(Instant.parse("2023-06-01T00:00:01Z"));
  }

  @Test
  void leavesOutHiddenFilesHiddenFoldersAndPartialUploads() throws Exception {
    write("keep.jpg", "x");
    write(".hidden.jpg", "x");
    write(".thumbnails/t.jpg", "x");
    write("album/.DS_Store", "x");
    write("album/.photo.jpg.autoupload-part", "x");
    write("album/odd.autoupload-part", "x");
    write("album/keep too.jpg", "x");

    assertThat(scan(source))
        .extracting(Asset::relativePath)
        .containsExactly("keep.jpg", "album/keep too.jpg");
  }

  @Test
  void countsTheFilesItPassedOverForTheirExtensionButNotHiddenOnesOrParts() throws Exception {
    assertThat(source.notOffered().files()).as("before the first scan").isZero();
    write("keep.jpg", "x");
    write("notes.txt", "x");
    write("album/IMG_E0001.AAE", "x");
    write("album/IMG_E0002.aae", "x");
    write("album/README", "x");
    write("album/deep/scan.PDF", "x");
    write("album/.DS_Store", "x");
    write("album/.hidden.txt", "x");
    write("album/odd.autoupload-part", "x");
    Files.createDirectories(root.resolve("folder.txt"));

    assertThat(scan(source)).extracting(Asset::relativePath).containsExactly("keep.jpg");

    assertThat(source.notOffered().files()).isEqualTo(5);
    assertThat(source.notOffered().byExtension()).containsExactly(
        Map.entry("", 1), Map.entry("aae", 2), Map.entry("pdf", 1), Map.entry("txt", 1));

    Files.delete(root.resolve("notes.txt"));
    scan(source);
    assertThat(source.notOffered().files()).as("each scan counts anew").isEqualTo(4);
  }

  @Test
  void countsFilesOfOddExtensionsBeyondTheFirst64InTheTotalAlone() throws Exception {
    for (int i = 0; i < 100; i++) {
      write("odd/file." + String.format("x%03d", i), "x");
    }
    write("odd/more.x000", "x");

    scan(source);

    NotOffered notOffered = source.notOffered();
    assertThat(notOffered.files()).isEqualTo(101);
    assertThat(notOffered.byExtension()).hasSize(NotOffered.MOST_EXTENSIONS);
    assertThat(notOffered.byExtension().get("x000")).as("a known extension is still counted").isEqualTo(2);
  }

  @Test
  void givesTheSameIdOnEveryScanAndDifferentIdsToDifferentPaths() throws Exception {
    write("a.jpg", "same");
    write("b.jpg", "same");
    write("sub/a.jpg", "same");

    List<Asset> first = scan(source);
    List<Asset> second = scan(new FolderSource("lib-1", root, SETTLED_AT_ONCE));

    assertThat(second).extracting(Asset::id).containsExactlyElementsOf(ids(first));
    assertThat(ids(first)).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-f]{32}"));
    assertThat(first.get(0).id()).isEqualTo(sha256("path:a.jpg").substring(0, 32));
  }

  @Test
  void handsOverAtMostAThousandAssetsABatch() throws Exception {
    for (int i = 0; i < 2500; i++) {
      write(String.format("f%02d/img-%04d.jpg", i % 7, i), "");
    }
    List<List<Asset>> batches = new ArrayList<>();

    source.scan(batches::add);

    assertThat(batches).extracting(List::size).containsExactly(1000, 1000, 500);
    assertThat(batches.stream().flatMap(List::stream).map(Asset::relativePath).distinct())
        .hasSize(2500);
  }

  @Test
  void scansInTheSameOrderEveryTime() throws Exception {
    for (String name : List.of("b.jpg", "a.jpg", "c/z.jpg", "c/a.jpg", "B.jpg", "d.jpg")) {
      write(name, "x");
    }

    List<String> order = scan(source).stream().map(Asset::relativePath).toList();

    assertThat(order).containsExactly("B.jpg", "a.jpg", "b.jpg", "d.jpg", "c/a.jpg", "c/z.jpg");
    assertThat(scan(source)).extracting(Asset::relativePath).containsExactlyElementsOf(order);
  }

  @Test
  void failsWithAClearMessageWhenTheFolderIsMissing() {
    Path missing = temp.resolve("unplugged");

    assertThatThrownBy(() -> new FolderSource("lib-1", missing).scan(batch -> {}))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage("source folder " + missing + " does not exist");
  }

  @Test
  void failsWithAClearMessageWhenTheRootIsAFile() throws Exception {
    Path file = write("not-a-folder.jpg", "x");

    assertThatThrownBy(() -> new FolderSource("lib-1", file).scan(batch -> {}))
        .isInstanceOf(IOException.class)
        .hasMessage("source " + file + " is not a folder");
  }

  @Test
  void reportsDecomposedNamesInComposedFormAndStillOpensThem() throws Exception {
    write("Cafe\u0301/Cre\u0300me bru\u0302le\u0301e.jpg", "dessert");

    List<Asset> assets = scan(source);

    String composed = "Caf\u00e9/Cr\u00e8me br\u00fbl\u00e9e.jpg";
    assertThat(assets).extracting(Asset::relativePath).containsExactly(composed);
    assertThat(assets.get(0).id()).isEqualTo(sha256("path:" + composed).substring(0, 32));
    assertThat(read(assets.get(0))).isEqualTo("dessert");
  }

  @Test
  void listsBothOfTwoNamesThatDifferOnlyInUnicodeFormEachUnderItsOwnPath() throws Exception {
    write("Caf\u00e9.jpg", "composed");
    write("Cafe\u0301.jpg", "decomposed");
    write("Cafe\u0301/in the folder.jpg", "decomposed folder");
    write("Caf\u00e9/in the folder.jpg", "composed folder");

    List<Asset> assets = scan(source);

    assertThat(assets)
        .extracting(Asset::relativePath)
        .containsExactly("Caf\u00e9.jpg", "Cafe\u0301.jpg", "Caf\u00e9/in the folder.jpg", "Cafe\u0301/in the folder.jpg");
    assertThat(assets).extracting(Asset::id).doesNotHaveDuplicates();
    assertThat(assets).extracting(this::read).containsExactly("composed", "decomposed", "composed folder", "decomposed folder");
    assertThat(source.refresh(assets.get(1))).hasValueSatisfying(now -> assertThat(now.size()).isEqualTo(10));
  }

  @Test
  void backsUpNamesThatAreNotUtf8UnderNamesThatKeepEveryByte() throws Exception {
    // Latin-1 names, as an old camera or a Windows copy leaves them: 0xFF and 0xE9 alone are not UTF-8.
    write(rawChild(root, "bad%FF.jpg"), "stray byte");
    Path folder = Files.createDirectories(rawChild(root, "caf%E9"));
    write(rawChild(folder, "x.jpg"), "in a Latin-1 folder");
    write("quote\u201Bname.jpg", "a quote of its own");

    List<Asset> assets = scan(source);

    assertThat(assets)
        .extracting(Asset::relativePath)
        .containsExactly("bad\u201BFF.jpg", "quote\u201B\u201Bname.jpg", "caf\u201BE9/x.jpg");
    assertThat(assets).extracting(this::read).containsExactly("stray byte", "a quote of its own", "in a Latin-1 folder");
    assertThat(source.refresh(assets.get(0))).hasValueSatisfying(now -> assertThat(now.size()).isEqualTo(10));
  }

  @Test
  void aFileGoneWithItsWholeSourceFolderFailsInsteadOfVanishing() throws Exception {
    write("2024/a.jpg", "x");
    Asset asset = scan(source).get(0);
    Files.delete(root.resolve("2024/a.jpg"));
    Files.delete(root.resolve("2024"));
    Files.delete(root);

    String expected = "cannot read 2024/a.jpg: the source folder " + root + " no longer exists";
    assertThatThrownBy(() -> source.open(asset)).isNotInstanceOf(NoSuchFileException.class).hasMessage(expected);
    assertThatThrownBy(() -> source.refresh(asset)).isNotInstanceOf(NoSuchFileException.class).hasMessage(expected);
  }

  @Test
  void aFileGoneWithAnUnmountedOrReplacedSourceFolderFailsInsteadOfVanishing() throws Exception {
    write("a.jpg", "x");
    Asset asset = scan(source).get(0);
    // An unmounted drive leaves its empty mount point behind: another folder under the same name.
    Files.move(root, temp.resolve("unplugged"));
    Files.createDirectories(root);

    assertThatThrownBy(() -> source.open(asset))
        .isNotInstanceOf(NoSuchFileException.class)
        .hasMessage("cannot read a.jpg: the source folder " + root + " is no longer the folder scanned (unmounted or replaced)");
  }

  @Test
  @Timeout(10)
  void doesNotFollowSymbolicLinks() throws Exception {
    write("album/real.jpg", "x");
    Files.createSymbolicLink(root.resolve("album/loop"), root);
    Files.createSymbolicLink(root.resolve("album/self"), root.resolve("album"));
    Files.createSymbolicLink(root.resolve("link.jpg"), root.resolve("album/real.jpg"));
    Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
    Files.createSymbolicLink(root.resolve("outside"), elsewhere);
    write(elsewhere.resolve("secret.jpg"), "x");

    assertThat(scan(source)).extracting(Asset::relativePath).containsExactly("album/real.jpg");
  }

  @Test
  void usesTheModificationTimeWhenTheCreationTimeIsLater() throws Exception {
    Path copied = write("copied.jpg", "x");
    Instant taken = Instant.parse("2019-07-14T10:15:30Z");
    Files.setLastModifiedTime(copied, FileTime.from(taken));

    Asset asset = scan(source).get(0);

    assertThat(asset.modifiedAt()).isEqualTo(taken);
    assertThat(asset.createdAt()).isEqualTo(taken);
  }

  @Test
  void opensTheContent() throws Exception {
    write("dir/photo.jpg", "pixels");

    assertThat(read(scan(source).get(0))).isEqualTo("pixels");
  }

  @Test
  void saysAFileDeletedSinceTheScanNoLongerExists() throws Exception {
    Path file = write("2024/gone.jpg", "x");
    Asset asset = scan(source).get(0);
    Files.delete(file);

    assertThatThrownBy(() -> source.open(asset))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage("2024/gone.jpg no longer exists");
  }

  @Test
  void refusesToOpenAPathOutsideTheFolder() throws Exception {
    write(temp.resolve("secret.jpg"), "secret");
    Asset escaping = asset("../secret.jpg");

    assertThatThrownBy(() -> source.open(escaping))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot read ../secret.jpg: not a path inside the source folder");
  }

  @Test
  void refusesToOpenThroughALinkPlacedSinceTheScan() throws Exception {
    write("album/photo.jpg", "x");
    Asset asset = scan(source).get(0);
    Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
    write(elsewhere.resolve("photo.jpg"), "secret");
    Files.delete(root.resolve("album/photo.jpg"));
    Files.delete(root.resolve("album"));
    Files.createSymbolicLink(root.resolve("album"), elsewhere);

    assertThatThrownBy(() -> source.open(asset))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot read album/photo.jpg: a symbolic link leads outside the source folder");
  }

  @Test
  void listsAnUnreadableFileAndSaysWhyItCannotBeOpened() throws Exception {
    Path locked = write("locked.jpg", "x");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("-w-------"));
    Unprivileged.openToAll(root);

    // As a user the file's permissions stop: root may read anything.
    Unprivileged.run(FolderSourceTest.class, "anUnreadableFileIsListedAndSaysWhyItCannotBeOpened", root.toString());
  }

  static void anUnreadableFileIsListedAndSaysWhyItCannotBeOpened(String... root) throws IOException {
    FolderSource source = new FolderSource("lib-1", Path.of(root[0]), SETTLED_AT_ONCE);

    Asset asset = scan(source).get(0);

    assertThat(asset.relativePath()).isEqualTo("locked.jpg");
    assertThatThrownBy(() -> source.open(asset))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessage("cannot read locked.jpg: permission denied");
  }

  @Test
  void scansTheRestThenFailsNamingAFolderItCannotRead() throws Exception {
    write("open/a.jpg", "x");
    write("closed/b.jpg", "x");
    Path closed = root.resolve("closed");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
    Unprivileged.openToAll(root);
    try {
      Unprivileged.run(FolderSourceTest.class, "anUnreadableFolderFailsTheScanAfterTheRest", root.toString());
    } finally {
      Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
    }
  }

  static void anUnreadableFolderFailsTheScanAfterTheRest(String... root) {
    List<Asset> assets = new ArrayList<>();
    assertThatThrownBy(() -> new FolderSource("lib-1", Path.of(root[0]), SETTLED_AT_ONCE).scan(assets::addAll))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot read folder closed: permission denied; everything else was scanned");
    assertThat(assets).extracting(Asset::relativePath).containsExactly("open/a.jpg");
  }

  @Test
  void describesItselfByItsAbsoluteFolder() {
    assertThat(new FolderSource("lib-1", Path.of("relative")).describe())
        .isEqualTo(Path.of("relative").toAbsolutePath().toString());
  }

  private static List<Asset> scan(FolderSource source) throws IOException {
    List<Asset> assets = new ArrayList<>();
    source.scan(assets::addAll);
    return assets;
  }

  private String read(Asset asset) throws IOException {
    try (InputStream in = source.open(asset)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The child of {@code folder} whose name is these percent-encoded bytes, valid UTF-8 or not. */
  private static Path rawChild(Path folder, String percentEncodedName) {
    String base = folder.toUri().toString();
    return Path.of(URI.create((base.endsWith("/") ? base : base + "/") + percentEncodedName));
  }

  private Path write(String relativePath, String content) throws IOException {
    return write(root.resolve(relativePath), content);
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private static Asset asset(String relativePath) {
    Instant now = Instant.now();
    return new Asset("id", "lib-1", relativePath, 0, now, CreationDateSource.FILE_TIME, now, Optional.empty());
  }

  private static List<String> ids(List<Asset> assets) {
    return assets.stream().map(Asset::id).toList();
  }

  private static String sha256(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
