package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file of more than 4 GiB, where every 32-bit size or offset would wrap, goes through the
 * packaged app byte-exact. The source is sparse (cheap to make); the target gets every byte.
 */
class LargeFileIT {

  private static final long SIZE = 5L * 1024 * 1024 * 1024 + 123;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void aFileLargerThanFourGibibytesRoundTripsByteExact() throws Exception {
    Path source = Files.createDirectories(tmp.resolve("videos"));
    Path big = source.resolve("night timelapse.mov");
    SplittableRandom random = new SplittableRandom(5);
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(SIZE);
      // Real bytes on both sides of the 4 GiB boundary and at the very end, zeros between.
      for (long at : new long[] {0, (1L << 32) - 4096, (1L << 32) + 7, SIZE - 5000}) {
        byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        file.seek(at);
        file.write(bytes, 0, (int) Math.min(bytes.length, SIZE - at));
      }
    }
    Path target = tmp.resolve("backup");

    AppProcess run =
        apps.start(
            AppProcess.launch(
                "run", "--source", source.toString(), "--target", target.toUri().toString(),
                "--data-dir", tmp.resolve("data").toString(), "--once"));

    assertThat(run.waitFor(Duration.ofMinutes(10))).as(run.describe()).isZero();
    assertThat(run.summary().uploaded()).isEqualTo(1);
    assertThat(run.summary().bytesSent()).isEqualTo(SIZE);
    Path stored = target.resolve("night timelapse.mov");
    assertThat(Files.size(stored)).isEqualTo(SIZE);
    assertThat(MediaFiles.sha256(stored)).isEqualTo(MediaFiles.sha256(big));
  }
}
