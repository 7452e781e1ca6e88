package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When a folder's waiting manifest entries are written ({@link WebDavTarget#manifestDue}): each
 * write lists the whole folder, so the schedule must keep that work at a few listed entries a
 * publish however large the folder grows, while no entry waits long.
 */
class ManifestScheduleTest {

  /** The longest an entry may wait, in nanoseconds. */
  private static final long LIMIT = TimeUnit.SECONDS.toNanos(WebDavTarget.MANIFEST_AFTER_SECONDS);

  @Test
  void aSmallFolderIsWrittenEveryHundredPublishes() {
    assertThat(WebDavTarget.manifestDue(99, 0, 0)).isFalse();
    assertThat(WebDavTarget.manifestDue(100, 0, 0)).isTrue();
    assertThat(WebDavTarget.manifestDue(100, 400, 0)).isTrue();
  }

  @Test
  void aLargeFolderWaitsForAQuarterOfItsEntries() {
    assertThat(WebDavTarget.manifestDue(100, 10_000, 0)).isFalse();
    assertThat(WebDavTarget.manifestDue(2_499, 10_000, 0)).isFalse();
    assertThat(WebDavTarget.manifestDue(2_500, 10_000, 0)).isTrue();
  }

  @Test
  void anEntryWaitsNoLongerThanTheTimeLimitWhateverTheFolder() {
    assertThat(WebDavTarget.manifestDue(1, 1_000_000, LIMIT)).isFalse();
    assertThat(WebDavTarget.manifestDue(1, 1_000_000, LIMIT + 1)).isTrue();
    assertThat(WebDavTarget.manifestDue(1, 0, LIMIT + 1)).isTrue();
  }

  /**
   * Seeded random histories of publishes into one folder that already holds a random number of
   * entries (the manifest's and other apps' files), while another app may add files too, at random
   * paces, against what the schedule promises: the entries listed by all writes stay within a
   * small multiple of the files added (writing every 100 listed n²/200 for n new files), and no
   * entry waits for more publishes than a quarter of the folder or 100, or for longer than the
   * time limit (checked at each publish, as the target does).
   */
  @Test
  void randomHistoriesListAFewEntriesAPublishAndNoEntryWaitsLong() {
    for (long seed = 1; seed <= 2_000; seed++) {
      Random random = new Random(seed);
      int initial = random.nextInt(4) == 0 ? 0 : random.nextInt(200_000);
      int folder = initial;
      int publishes = 1 + random.nextInt(random.nextBoolean() ? 1_000 : 60_000);
      long gapNanos = random.nextInt(3) == 0 ? 0 : random.nextInt(200) * TimeUnit.MILLISECONDS.toNanos(1);
      int othersEvery = random.nextBoolean() ? 0 : 1 + random.nextInt(10); // another app adds a file every n publishes
      int othersAdded = 0;
      int written = 0; // the target knows the folder's size only after its first write
      int waiting = 0;
      long oldest = 0;
      long now = 0;
      long listed = 0;
      int writes = 0;
      for (int i = 0; i < publishes; i++) {
        now += gapNanos;
        if (othersEvery > 0 && i % othersEvery == 0) {
          folder++;
          othersAdded++;
        }
        if (waiting == 0) {
          oldest = now;
        }
        waiting++;
        folder++;
        if (WebDavTarget.manifestDue(waiting, written, now - oldest)) {
          listed += folder;
          written = folder;
          waiting = 0;
          writes++;
        } else if (waiting >= Math.max(100, written / 4) || now - oldest > LIMIT) {
          fail("seed %d: %d publishes have waited %d ns, the folder had %d entries", seed, waiting, now - oldest, written);
        }
      }
      // A write the count made lists the entries listed at the last write (at most four times the
      // waiting publishes: a quarter of the folder), the waiting publishes and what others added
      // since: 5n + the others' files in all, except the first (the target knew no size), which
      // lists the initial folder too; a write the time limit made lists the whole folder, once per
      // time limit at most.
      long timed = publishes * gapNanos / LIMIT;
      long bound = 5L * publishes + othersAdded + initial + timed * (long) folder;
      assertThat(listed).as("seed %d: %d publishes, %d writes", seed, publishes, writes).isLessThanOrEqualTo(bound);
    }
  }
}
