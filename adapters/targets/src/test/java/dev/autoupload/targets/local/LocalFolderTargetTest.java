package dev.autoupload.targets.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.autoupload.engine.testing.Unprivileged;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.TargetSettings.NameRulesSetting;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalFolderTargetTest {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  @TempDir Path temp;
  private Path root;
  private LocalFolderTarget target;

  @BeforeEach
  void createTarget() {
    root = temp.resolve("backup");
    target = new LocalFolderTarget(root);
  }

  @Test
  void storesFileUnderItsFinalNameAfterVerifyingIt() throws Exception {
    byte[] content = randomBytes(300 * KIB, 1);

    RemoteFile stored = upload("2024/06/IMG_0001.jpg", content, 64 * KIB);

    assertThat(stored)
        .isEqualTo(new RemoteFile("2024/06/IMG_0001.jpg", content.length, sha256(content)));
    assertThat(Files.readAllBytes(root.resolve("2024/06/IMG_0001.jpg"))).isEqualTo(content);
    assertThat(filesIn(root.resolve("2024/06"))).containsExactly("IMG_0001.jpg");
  }

  @Test
  void resumesAnInterruptedUploadAtTheProbedOffset() throws Exception {
    byte[] content = randomBytes(2 * MIB + 123, 2);
    try (UploadSession interrupted = target.open("clip.mp4", content.length)) {
      interrupted.append(0, ByteBuffer.wrap(content, 0, 700 * KIB));
    }

    assertThat(target.probe("clip.mp4")).isEqualTo(new RemoteState.Partial(700 * KIB));
    assertThat(root.resolve("clip.mp4")).doesNotExist();
    assertThat(root.resolve(".clip.mp4.autoupload-part")).isRegularFile();

    try (UploadSession resumed = target.open("clip.mp4", content.length)) {
      assertThat(resumed.offset()).isEqualTo(700 * KIB);
      long offset = resumed.offset();
      while (offset < content.length) {
        int length = (int) Math.min(256 * KIB, content.length - offset);
        offset = resumed.append(offset, ByteBuffer.wrap(content, (int) offset, length));
      }
      resumed.complete(content.length, sha256(content));
    }

    assertThat(sha256(Files.readAllBytes(root.resolve("clip.mp4")))).isEqualTo(sha256(content));
    assertThat(filesIn(root)).containsExactly("clip.mp4");
  }

  @Test
  void storesAnEmptyFile() throws Exception {
    RemoteFile stored = upload("empty.txt", new byte[0], 1);

    assertThat(stored.size()).isZero();
    assertThat(root.resolve("empty.txt")).isEmptyFile();
    assertThat(target.probe("empty.txt"))
        .isEqualTo(new RemoteState.Complete(0, Optional.of(sha256(new byte[0]))));
  }

  @Test
  void storesAFileSpanningManyAppendsAndHashBuffers() throws Exception {
    // Above 8 MiB the part is hashed while another thread syncs it.
    byte[] content = randomBytes(9 * MIB + 17, 3);

    upload("big.mov", content, 100 * KIB + 3);

    assertThat(sha256(Files.readAllBytes(root.resolve("big.mov")))).isEqualTo(sha256(content));
    assertThat(target.probe("big.mov"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  @Test
  void probeTellsAbsentPartialAndComplete() throws Exception {
    byte[] content = randomBytes(10 * KIB, 4);
    assertThat(target.probe("a/photo.jpg")).isEqualTo(new RemoteState.Absent());

    try (UploadSession session = target.open("a/photo.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(content, 0, 4 * KIB));
    }
    assertThat(target.probe("a/photo.jpg")).isEqualTo(new RemoteState.Partial(4 * KIB));

    upload("a/photo.jpg", content, KIB);
    assertThat(target.probe("a/photo.jpg"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  @ParameterizedTest
  @ValueSource(ints = {50 * KIB, 9 * MIB})
  void discardsThePartAndFailsTransientlyWhenTheHashDoesNotMatch(int size) throws Exception {
    byte[] content = randomBytes(size, 5);
    byte[] other = randomBytes(size, 6);

    UploadError error;
    try (UploadSession session = target.open("x.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(other));
      error = errorOf(() -> session.complete(content.length, sha256(content)));
    }

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).startsWith("verification failed: x.jpg").contains(sha256(content));
    assertThat(target.probe("x.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(filesIn(root)).isEmpty();

    try (UploadSession retry = target.open("x.jpg", content.length)) {
      assertThat(retry.offset()).isZero();
    }
  }

  @Test
  void discardsThePartWhenTheSizeDoesNotMatch() throws Exception {
    byte[] content = randomBytes(50 * KIB, 7);

    UploadError error;
    try (UploadSession session = target.open("x.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(content, 0, 10 * KIB));
      error = errorOf(() -> session.complete(content.length, sha256(content)));
    }

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).startsWith("verification failed").contains("10240 bytes received");
    assertThat(filesIn(root)).isEmpty();
  }

  @Test
  void neverReplacesAnExistingFileWithDifferentContent() throws Exception {
    byte[] original = randomBytes(20 * KIB, 8);
    Files.createDirectories(root);
    Files.write(root.resolve("photo.jpg"), original);
    byte[] content = randomBytes(20 * KIB, 9);

    UploadError error = errorOf(() -> upload("photo.jpg", content, 4 * KIB));

    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(error.message()).contains("photo.jpg already exists with different content");
    assertThat(Files.readAllBytes(root.resolve("photo.jpg"))).isEqualTo(original);
    assertThat(filesIn(root)).containsExactly("photo.jpg");
  }

  @Test
  void acceptsAnExistingFileWithTheSameContent() throws Exception {
    byte[] content = randomBytes(20 * KIB, 10);
    Files.createDirectories(root);
    Files.write(root.resolve("photo.jpg"), content);

    RemoteFile stored = upload("photo.jpg", content, 4 * KIB);

    assertThat(stored).isEqualTo(new RemoteFile("photo.jpg", content.length, sha256(content)));
    assertThat(Files.readAllBytes(root.resolve("photo.jpg"))).isEqualTo(content);
    assertThat(filesIn(root)).containsExactly("photo.jpg");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "a/.", "a/", "a\\b", "a\0b",
        "..", ".x.jpg.autoupload-part"
      })
  void refusesPathsThatAreNotPlainRelativeNames(String remotePath) {
    UploadError onProbe = errorOf(() -> target.probe(remotePath));
    UploadError onOpen = errorOf(() -> target.open(remotePath, 1));

    assertThat(onProbe).isInstanceOf(UploadError.Permanent.class);
    assertThat(onProbe.message()).startsWith("invalid remote path");
    assertThat(onOpen).isEqualTo(onProbe);
    assertThat(temp.resolve("x")).doesNotExist();
  }

  @Test
  void refusesASymbolicLinkLeadingOutOfTheRoot() throws Exception {
    Path outside = Files.createDirectories(temp.resolve("outside"));
    Files.createDirectories(root);
    Files.createSymbolicLink(root.resolve("escape"), outside);

    UploadError onOpen = errorOf(() -> target.open("escape/sub/x.jpg", 1));
    UploadError onProbe = errorOf(() -> target.probe("escape/x.jpg"));

    assertThat(onOpen).isInstanceOf(UploadError.Permanent.class);
    assertThat(onOpen.message()).contains("symbolic link leads outside");
    assertThat(onProbe).isInstanceOf(UploadError.Permanent.class);
    assertThat(filesIn(outside)).isEmpty();
  }

  @Test
  void refusesAFinalNameThatIsASymbolicLink() throws Exception {
    Path secret = Files.writeString(temp.resolve("secret.txt"), "secret");
    Files.createDirectories(root);
    Files.createSymbolicLink(root.resolve("photo.jpg"), secret);

    UploadError error = errorOf(() -> target.probe("photo.jpg"));

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("is not a regular file");
  }

  @Test
  void refusesAFolderOnTheWayThatIsAFile() throws Exception {
    Files.createDirectories(root);
    Files.writeString(root.resolve("2024"), "not a folder");

    UploadError error = errorOf(() -> target.open("2024/photo.jpg", 1));

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("2024 is not a folder");
  }

  @Test
  void storesDecomposedNamesInComposedForm() throws Exception {
    String decomposed = "Cafe\u0301/Cre\u0300me.jpg";
    String composed = Normalizer.normalize(decomposed, Normalizer.Form.NFC);
    byte[] content = randomBytes(KIB, 11);

    RemoteFile stored = upload(decomposed, content, 100);

    assertThat(stored.remotePath()).isEqualTo(composed);
    assertThat(filesIn(root)).containsExactly("Caf\u00e9");
    assertThat(filesIn(root.resolve("Caf\u00e9"))).containsExactly("Cr\u00e8me.jpg");
    assertThat(target.probe(composed)).isInstanceOf(RemoteState.Complete.class);
  }

  @Test
  void refusesAnAppendAtTheWrongOffset() throws Exception {
    try (UploadSession session = target.open("x.jpg", 100)) {
      session.append(0, ByteBuffer.wrap(new byte[10]));

      UploadError error = errorOf(() -> session.append(5, ByteBuffer.wrap(new byte[10])));

      assertThat(error).isInstanceOf(UploadError.Permanent.class);
      assertThat(error.message()).startsWith("offset mismatch");
      assertThat(session.offset()).isEqualTo(10);
    }
  }

  @Test
  void refusesMoreBytesThanAnnounced() throws Exception {
    try (UploadSession session = target.open("x.jpg", 10)) {
      UploadError error = errorOf(() -> session.append(0, ByteBuffer.wrap(new byte[11])));

      assertThat(error).isInstanceOf(UploadError.Permanent.class);
      assertThat(session.offset()).isZero();
    }
  }

  @Test
  void startsOverWhenThePartIsLongerThanTheFile() throws Exception {
    try (UploadSession session = target.open("x.jpg", 100)) {
      session.append(0, ByteBuffer.wrap(new byte[100]));
    }
    byte[] content = randomBytes(60, 12);

    try (UploadSession session = target.open("x.jpg", content.length)) {
      assertThat(session.offset()).isZero();
    }
    upload("x.jpg", content, 7);

    assertThat(Files.readAllBytes(root.resolve("x.jpg"))).isEqualTo(content);
  }

  @Test
  void refusesASecondSessionOnTheSamePathWithoutDisturbingTheFirst() throws Exception {
    byte[] content = randomBytes(100, 15);
    try (UploadSession first = target.open("x.jpg", content.length)) {
      UploadError error = errorOf(() -> target.open("x.jpg", content.length));

      assertThat(error).isInstanceOf(UploadError.Transient.class);
      assertThat(error.message()).isEqualTo("x.jpg is being uploaded by another session");
      first.append(0, ByteBuffer.wrap(content));
      first.complete(content.length, sha256(content));
    }
    assertThat(Files.readAllBytes(root.resolve("x.jpg"))).isEqualTo(content);
  }

  @Test
  void letsANewSessionOpenOnceTheOldOneIsClosed() throws Exception {
    UploadSession old = target.open("x.jpg", 100);
    old.close();
    try (UploadSession current = target.open("x.jpg", 100)) {
      old.close();

      assertThat(errorOf(() -> target.open("x.jpg", 100)))
          .isInstanceOf(UploadError.Transient.class);
      assertThat(current.offset()).isZero();
    }
  }

  @Test
  void refusesASecondSessionFromAnotherTargetOnTheSameFolder() throws Exception {
    LocalFolderTarget sameFolder = new LocalFolderTarget(root);
    try (UploadSession first = target.open("x.jpg", 100)) {
      UploadError error = errorOf(() -> sameFolder.open("x.jpg", 100));

      assertThat(error).isInstanceOf(UploadError.Transient.class);
      assertThat(first.offset()).isZero();
    }
  }

  @Test
  void neverWritesThroughAPartLeftLinkedToThePublishedFile() throws Exception {
    byte[] published = randomBytes(100, 13);
    upload("photo.jpg", published, 100);
    // What a crash between publishing and removing the part leaves behind.
    Files.createLink(root.resolve(".photo.jpg.autoupload-part"), root.resolve("photo.jpg"));

    try (UploadSession session = target.open("photo.jpg", 50)) {
      assertThat(session.offset()).isZero();
      session.append(0, ByteBuffer.wrap(randomBytes(50, 14)));
    }

    assertThat(Files.readAllBytes(root.resolve("photo.jpg"))).isEqualTo(published);
  }

  @Test
  void probingAPublishedFileClearsThePartACrashLeftLinkedToIt() throws Exception {
    byte[] published = randomBytes(100, 15);
    upload("kept.jpg", published, 100);
    Files.createLink(root.resolve(".kept.jpg.autoupload-part"), root.resolve("kept.jpg"));

    assertThat(target.probe("kept.jpg")).isInstanceOf(RemoteState.Complete.class);

    assertThat(root.resolve(".kept.jpg.autoupload-part")).doesNotExist();
    assertThat(Files.readAllBytes(root.resolve("kept.jpg"))).isEqualTo(published);
  }

  @Test
  void uploadsDifferentPathsFromSeveralThreadsAtOnce() throws Exception {
    int files = 16;
    List<byte[]> contents = new ArrayList<>();
    List<Callable<RemoteFile>> uploads = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      byte[] content = randomBytes(MIB + i, 100 + i);
      String remotePath = "shared/folder/file-" + i + ".bin";
      contents.add(content);
      uploads.add(() -> upload(remotePath, content, 32 * KIB));
    }

    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<RemoteFile>> results = pool.invokeAll(uploads);
      for (int i = 0; i < files; i++) {
        assertThat(results.get(i).get().sha256()).isEqualTo(sha256(contents.get(i)));
        assertThat(sha256(Files.readAllBytes(root.resolve("shared/folder/file-" + i + ".bin"))))
            .isEqualTo(sha256(contents.get(i)));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(filesIn(root.resolve("shared/folder"))).hasSize(files);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "cifs", "smb3", "smbfs", "VFAT"})
  void takesFatExfatNtfsAndSmbForWindowsStorage(String type) {
    assertThat(LocalFolderTarget.isWindowsFileSystem(type)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext4", "xfs", "btrfs", "zfs", "tmpfs", "overlay", "apfs", "hfs", "nfs", "nfs4"})
  void takesOtherFileSystemsForPosixStorage(String type) {
    assertThat(LocalFolderTarget.isWindowsFileSystem(type)).isFalse();
  }

  @Test
  void escapesNamesForWindowsAsTheSettingSaysLeavingRoomForThePartFile() throws Exception {
    assumeThat(LocalFolderTarget.isWindowsFileSystem(Files.getFileStore(temp).type())).isFalse();

    assertThat(target.nameRules()).as("found: not Windows storage").isEqualTo(NameRules.POSIX.reserving(17));
    assertThat(new LocalFolderTarget(root, NameRulesSetting.WINDOWS).nameRules())
        .isEqualTo(NameRules.WINDOWS.reserving(17));
    assertThat(new LocalFolderTarget(root, NameRulesSetting.POSIX).nameRules())
        .isEqualTo(NameRules.POSIX.reserving(17));
  }

  @Test
  void storesANameAsLongAsItsRulesAllow() throws Exception {
    String name = "x".repeat(target.nameRules().maxNameBytes() - ".jpg".length()) + ".jpg";
    byte[] content = randomBytes(10 * KIB, 40);

    upload("long/" + name, content, 4 * KIB);

    assertThat(Files.readAllBytes(root.resolve("long").resolve(name))).isEqualTo(content);
  }

  @Test
  void describesItselfByItsAbsoluteRoot() {
    assertThat(new LocalFolderTarget(Path.of("relative/dir")).describe())
        .isEqualTo(Path.of("relative/dir").toAbsolutePath().toString());
  }

  @Test
  void checkCreatesAMissingRootAndLeavesNothingBehind() throws Exception {
    target.check();

    assertThat(root).isDirectory();
    assertThat(filesIn(root)).isEmpty();
  }

  @Test
  void checkFailsWhenTheRootIsBelowARegularFile() throws Exception {
    Path file = Files.writeString(temp.resolve("file"), "x");
    LocalFolderTarget below = new LocalFolderTarget(file.resolve("backup"));

    UploadError error = errorOf(below::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message())
        .isEqualTo(
            "target folder "
                + file.resolve("backup")
                + " cannot be created: "
                + file
                + " is not a directory");
  }

  @Test
  void checkFailsWhenTheRootIsAFile() throws Exception {
    Path file = Files.writeString(temp.resolve("file"), "x");

    UploadError error = errorOf(new LocalFolderTarget(file)::check);

    assertThat(error)
        .isEqualTo(new UploadError.Permanent("target " + file + " is not a directory"));
  }

  @Test
  void checkFailsWhenTheRootIsNotWritable() throws Exception {
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
    Unprivileged.openToAll(temp);
    try {
      // As a user the folder's permissions stop: root may write anywhere.
      Unprivileged.run(LocalFolderTargetTest.class, "checkSaysTheRootIsNotWritable", root.toString());
    } finally {
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    }
  }

  static void checkSaysTheRootIsNotWritable(String... root) {
    UploadError error = errorOf(new LocalFolderTarget(Path.of(root[0]))::check);

    assertThat(error)
        .isEqualTo(new UploadError.Permanent("target folder " + root[0] + " is not writable: permission denied"));
  }

  private RemoteFile upload(String remotePath, byte[] content, int chunk) throws UploadException {
    try (UploadSession session = target.open(remotePath, content.length)) {
      long offset = session.offset();
      while (offset < content.length) {
        int length = (int) Math.min(chunk, content.length - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, length));
      }
      return session.complete(content.length, sha256(content));
    }
  }

  private static UploadError errorOf(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(UploadException.class);
    return ((UploadException) thrown).error();
  }

  private static List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(path -> path.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
