package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill loops, one per target kind: the packaged app backs up 300 small files, two large ones (64
 * MiB and a little more, so that no chunk boundary falls on their end) and a 6 MiB one that appears
 * before the last killed run and is edited before the run to the end if it is not backed up by
 * then, and is killed with SIGKILL at
 * seeded random moments, {@code killloop.kills} times (6 by default; {@code -Dkillloop.kills=100}
 * for a long run, {@code -Dkillloop.seed=…} to replay one, {@code -Dkillloop.big-mib=256} for larger
 * files), then runs to the end. Each kill comes after a random
 * number of request body bytes reached the target since the run started (for the local folder:
 * bytes on its disk), so it lands mid-request, mid-chunk or between files.
 *
 * <p>Then: every source file is on the target exactly once, sha256-equal, under its own name;
 * nothing partial or temporary is left (part files, chunk folders, open multipart or tus uploads);
 * and the HTTP targets, behind a fault proxy that only counts, received at most what one
 * kill can cost more than the files themselves: the unit a target resumes from (a chunk, a part)
 * or, where a target cannot resume (plain WebDAV, Koofr), the whole file, plus the small files in
 * flight beside it. The spool files the killed runs left (Koofr, Nextcloud, S3) are gone after
 * the last run.
 */
class KillLoopIT {

  private static final int KILLS = Integer.getInteger("killloop.kills", 6);
  private static final long SEED = Long.getLong("killloop.seed", 20261202L);
  private static final long BIG_BYTES = Long.getLong("killloop.big-mib", 64) * MIB;
  private static final int SMALL_FILES = 300;
  private static final int SMALL_MAX = 64 * KIB;
  /** The large files and their sizes. */
  private static final Map<String, Long> BIG_FILES =
      Map.of("Videos/Sommer 2024/long clip 🎬.mov", BIG_BYTES, "Videos/drone.mp4", BIG_BYTES + MIB + 12345);
  /**
   * A file that appears before the last killed run, so that the kill most likely cuts it, and is
   * edited before the run to the end unless it is backed up by then.
   */
  private static final String EDITED_FILE = "Videos/edited clip.mov";
  private static final long EDITED_BYTES = 6 * MIB + 777;
  private static final long CHUNK = 256 * KIB;
  private static final int PARALLELISM = 4;
  /** Request bytes a file costs beyond its content: multipart framing, S3 chunk signatures, JSON. */
  private static final long OVERHEAD_PER_FILE = KIB;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnALocalFolder() throws Exception {
    loop("local", TestTargets.local(tmp.resolve("backup")));
  }

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnWebDav() throws Exception {
    loop("webdav", TestTargets.webDav(tmp.resolve("nginx")));
  }

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnNextcloud() throws Exception {
    loop("nextcloud", TestTargets.nextcloud(tmp.resolve("nextcloud")));
  }

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnTus() throws Exception {
    loop("tus", TestTargets.tus(tmp.resolve("tus")));
  }

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnS3() throws Exception {
    loop("s3", TestTargets.s3());
  }

  @Test
  void everyFileLandsOnceWholeAndNothingIsLeftAfterRandomKillsOnKoofr() throws Exception {
    loop("koofr", TestTargets.koofr());
  }

  private void loop(String name, TestTargets.TestTarget target) throws Exception {
    long began = System.nanoTime();
    Path spoolDir = tmp.resolve("spool");
    try (target) {
      SplittableRandom random = new SplittableRandom(SEED ^ name.hashCode());
      Path source = tmp.resolve("photos");
      MediaFiles.randomTree(source, SMALL_FILES, KIB, SMALL_MAX, random);
      for (Map.Entry<String, Long> big : new TreeMap<>(BIG_FILES).entrySet()) {
        MediaFiles.write(source.resolve(big.getKey()), big.getValue(), random);
      }
      long firstBytes = MediaFiles.totalSize(source) + EDITED_BYTES;
      AppProcess.Launch run =
          AppProcess.launch(
                  "run", "--source", source.toString(), "--target", target.uri(),
                  "--data-dir", tmp.resolve("data").toString(), "--once", "--http", "off",
                  "--set", "autoupload.upload.chunk-bytes=256KiB",
                  "--set", "autoupload.upload.checkpoint-bytes=1MiB",
                  "--set", "autoupload.target.spool-dir=" + spoolDir)
              // Eleven starts per target: the quick compiler and the small collector halve their CPU time.
              .withJvmOptions("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
      for (Map.Entry<String, String> variable : target.environment().entrySet()) {
        run = run.withEnvironment(variable.getKey(), variable.getValue());
      }

      // Each run may send a random share of at most 1/(kills + 1) of the bytes before its kill,
      // so the loop cannot finish the backup before its last kill; in a long loop to a fast disk,
      // where each kill lands a little after its mark, the backup may end sooner: then it ends
      // the loop, as a run that completes by itself does, but never before the tenth kill.
      long budget = Math.max(1, firstBytes / (KILLS + 1));
      List<Long> killedAt = new ArrayList<>();
      boolean edited = false;
      for (int kill = 1; kill <= KILLS; kill++) {
        long start = target.progress();
        long after = budget / 10 + random.nextLong(budget - budget / 10 + 1);
        if (kill == KILLS) {
          MediaFiles.write(source.resolve(EDITED_FILE), EDITED_BYTES, random);
          edited = true;
        }
        AppProcess app = apps.start(run);
        await(name + " kill " + kill + ": " + after + " more bytes sent")
            .atMost(RUN_TIMEOUT)
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(2))
            .until(() -> !app.isAlive() || target.progress() - start >= after);
        if (!app.isAlive()) {
          assertThat(kill).as("the run ended by itself before kill " + kill + ": " + app.describe()).isGreaterThan(10);
          assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isZero();
          break;
        }
        app.kill9();
        killedAt.add(target.progress() - start);
      }

      // A file still on its way gets a new version before the last run: what its old version
      // left on the target (a part file, chunks, an open multipart or tus upload) must go. The
      // large files are left as they are, so that what resuming them costs is measured whole.
      boolean changed = edited && !target.stored().containsKey(EDITED_FILE);
      if (changed) {
        MediaFiles.write(source.resolve(EDITED_FILE), EDITED_BYTES - 4321, random);
      } else if (!edited) {
        MediaFiles.write(source.resolve(EDITED_FILE), EDITED_BYTES, random);
      }
      Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);
      long sourceBytes = MediaFiles.totalSize(source);
      int spooledByTheKilled = MediaFiles.regularFiles(spoolDir).size();

      AppProcess last = apps.start(run);
      assertThat(last.waitFor(RUN_TIMEOUT)).as(last.describe()).isZero();
      RunSummary summary = last.summary();
      assertThat(summary.files()).isEqualTo(sourceHashes.size());
      assertThat(summary.backedUp()).isEqualTo(sourceHashes.size());
      assertThat(summary.failed()).isZero();
      assertThat(summary.skipped()).isZero();
      assertThat(target.stored())
          .as("every file once, sha256-equal, nothing partial or temporary beside them")
          .isEqualTo(sourceHashes);
      assertThat(target.leftovers()).as("unfinished uploads left on the target").isEmpty();
      // What the killed runs spooled (Koofr, Nextcloud, S3) the last run deleted as it began.
      assertThat(MediaFiles.regularFiles(spoolDir)).as("spool files left").isEmpty();

      // A kill may cut as many uploads as run at once: at worst the largest files.
      long perKill =
          Stream.concat(
                  Stream.concat(BIG_FILES.values().stream(), Stream.of(EDITED_BYTES)),
                  Stream.generate(() -> (long) SMALL_MAX).limit(PARALLELISM))
              .sorted(Comparator.reverseOrder())
              .limit(PARALLELISM)
              .mapToLong(size -> target.resumeUnit(size, CHUNK))
              .sum();
      // What went out of the old version of the edited file is lost, not sent again.
      long oldVersion = changed ? EDITED_BYTES : 0;
      List<String> empty = target.emptyReservations();
      int kills = killedAt.size();
      assertThat(empty.size()).as("empty uploads: at most one per kill and upload in flight").isLessThanOrEqualTo(kills * PARALLELISM);
      long received = target.uploadBytesReceived();
      long resent = received < 0 ? -1 : received - sourceBytes;
      System.out.printf(
          "KillLoopIT %s: seed %d, %d files of %d bytes, %d kills after %s bytes; the last run sent %d bytes;"
              + " upload bytes received %d, beyond the files %d (%d per kill on average, limit %d per kill%s);"
              + " %d empty upload(s) left; %d spool file(s) of killed runs deleted; %s; %.1f s%n",
          name, SEED ^ name.hashCode(), sourceHashes.size(), sourceBytes, kills, killedAt, summary.bytesSent(),
          received, resent, kills == 0 || resent < 0 ? 0 : resent / kills, perKill,
          changed ? " plus the old version's " + oldVersion : "", empty.size(), spooledByTheKilled,
          changed ? "the edited file changed before the last run" : "the edited file was complete before the last run",
          (System.nanoTime() - began) / 1e9);
      if (received >= 0) {
        assertThat(resent)
            .as("request bytes beyond the files' own: at most what each kill may cost")
            .isLessThanOrEqualTo(kills * perKill + oldVersion + sourceHashes.size() * OVERHEAD_PER_FILE);
      }
    }
  }
}
