package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SpoolTest {

  @TempDir Path spoolDir;

  @Test
  void theSpoolFilesOfProcessesThatNoLongerRunAreDeletedAndNoOtherFile() throws Exception {
    long ended = endedProcess();
    long running = ProcessHandle.current().parent().orElseThrow().pid();
    long self = ProcessHandle.current().pid();
    Path killedMidUpload = write("autoupload-koofr-" + ended + "-4815162342.spool");
    Path otherKiller = write("autoupload-s3-" + ended + "-1.spool");
    Path ofARunningProcess = write("autoupload-nextcloud-" + running + "-77.spool");
    Path ofThisProcess = write("autoupload-s3-" + self + "-99.spool");
    Path withoutProcess = write("autoupload-s3-1234567890123456789012.spool");
    Path notASpool = write("autoupload-koofr-" + ended + "-5.jpg");
    Path someoneElses = write("photo.spool");

    int deleted = Spool.deleteLeftovers(spoolDir);

    assertThat(deleted).isEqualTo(2);
    assertThat(killedMidUpload).doesNotExist();
    assertThat(otherKiller).doesNotExist();
    assertThat(ofARunningProcess).exists();
    assertThat(ofThisProcess).exists();
    assertThat(withoutProcess).exists();
    assertThat(notASpool).exists();
    assertThat(someoneElses).exists();
  }

  @Test
  void aSpoolNamesItsProcessSweepsItsFolderOnceAndDeletesItsFileWhenClosed() throws Exception {
    Path leftover = write("autoupload-koofr-" + endedProcess() + "-8.spool");
    Path folder = spoolDir.resolve("spool");
    Files.createDirectories(folder);
    Path leftoverInFolder = Files.move(leftover, folder.resolve(leftover.getFileName()));

    Path file;
    try (Spool spool = new Spool(folder, "koofr")) {
      spool.write(ByteBuffer.wrap("bytes".getBytes(StandardCharsets.UTF_8)));
      file = spool.file();
      assertThat(file.getFileName().toString()).startsWith("autoupload-koofr-" + ProcessHandle.current().pid() + "-").endsWith(".spool");
      assertThat(leftoverInFolder).doesNotExist();
      assertThat(Files.size(file)).isEqualTo(5);

      // A second spool in the same folder finds nothing of its own process to delete.
      try (Spool second = new Spool(folder, "s3")) {
        assertThat(file).exists();
        assertThat(second.file()).exists();
      }
    }
    assertThat(file).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Spool.Digests.class)
  void theDigestsKeptWhileWritingAreThoseOfTheFileAcrossClearsAndSeededWrites(Spool.Digests digests) throws Exception {
    Random random = new Random(20261206L + digests.ordinal());
    try (Spool spool = new Spool(spoolDir, "s3", digests)) {
      for (int part = 0; part < 4; part++) {
        int writes = random.nextInt(6);
        for (int i = 0; i < writes; i++) {
          byte[] bytes = new byte[random.nextInt(300_000)];
          random.nextBytes(bytes);
          // A slice of a larger buffer, as a session hands over part of an append.
          ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 20).position(7);
          buffer.put(bytes).flip().position(7);
          spool.write(buffer);
          assertThat(buffer.hasRemaining()).isFalse();
          // Asking on the way does not end the digest: writing goes on after.
          assertKeptDigestsAreTheFiles(spool, digests);
        }
        assertKeptDigestsAreTheFiles(spool, digests);
        spool.clear();
        assertThat(spool.size()).isZero();
      }
      assertKeptDigestsAreTheFiles(spool, digests);
    }
  }

  @Test
  void aSpoolThatKeepsOnlyTheMd5HasNoSha256ToGiveAndTheDefaultKeepsNoMd5() throws Exception {
    try (Spool md5Only = new Spool(spoolDir, "s3", Spool.Digests.MD5);
        Spool standard = new Spool(spoolDir, "koofr")) {
      md5Only.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      standard.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));

      assertThatThrownBy(md5Only::sha256Digest).isInstanceOf(IllegalStateException.class).hasMessageContaining("MD5");
      assertThat(standard.md5Digest()).isEmpty();
      assertThat(standard.sha256Digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
    }
  }

  private static void assertKeptDigestsAreTheFiles(Spool spool, Spool.Digests digests) throws Exception {
    byte[] content = Files.readAllBytes(spool.file());
    assertThat(content).hasSize((int) spool.size());
    if (digests != Spool.Digests.MD5) {
      assertThat(spool.sha256Digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
    }
    if (digests == Spool.Digests.SHA256) {
      assertThat(spool.md5Digest()).isEmpty();
    } else {
      assertThat(spool.md5Digest()).contains(MessageDigest.getInstance("MD5").digest(content));
    }
  }

  private Path write(String name) throws Exception {
    return Files.writeString(spoolDir.resolve(name), "a copy of a part");
  }

  /** The id of a process that ran and has ended. */
  private static long endedProcess() throws Exception {
    Process process = new ProcessBuilder("true").start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessHandle.of(process.pid())).isEmpty();
    return process.pid();
  }
}
