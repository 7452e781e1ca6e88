package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
