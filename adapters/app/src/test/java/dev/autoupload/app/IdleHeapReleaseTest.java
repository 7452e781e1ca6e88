package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.typesafe.config.ConfigFactory;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdleHeapReleaseTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final AtomicInteger releases = new AtomicInteger();
  private final IdleHeapRelease release = new IdleHeapRelease(Duration.ofSeconds(30), releases::incrementAndGet);

  @Test
  void theStartCountsAsWorkSoTheFirstQuietSpellReleases() {
    release.observe(true, 0);
    release.observe(true, 29 * SECOND);
    assertThat(releases).hasValue(0);

    release.observe(true, 30 * SECOND);
    assertThat(releases).hasValue(1);
  }

  @Test
  void anIdleSpellReleasesOnceHoweverLongItLasts() {
    for (long second = 0; second <= 3600; second += 30) {
      release.observe(true, second * SECOND);
    }
    assertThat(releases).hasValue(1);
  }

  @Test
  void workInTheMiddleOfTheQuietTimeStartsItAgain() {
    release.observe(true, 0);
    release.observe(false, 20 * SECOND);
    release.observe(true, 40 * SECOND);
    release.observe(true, 69 * SECOND);
    assertThat(releases).as("idle for 29 s since the work").hasValue(0);

    release.observe(true, 70 * SECOND);
    assertThat(releases).hasValue(1);
  }

  @Test
  void newWorkAfterAReleaseEarnsTheNextOne() {
    release.observe(true, 0);
    release.observe(true, 30 * SECOND);
    release.observe(false, 40 * SECOND);
    release.observe(false, 50 * SECOND);
    release.observe(true, 60 * SECOND);
    release.observe(true, 90 * SECOND);
    release.observe(true, 120 * SECOND);

    assertThat(releases).hasValue(2);
  }

  @Test
  void busyPollsNeverRelease() {
    for (long second = 0; second <= 3600; second += 1) {
      release.observe(false, second * SECOND);
    }
    assertThat(releases).hasValue(0);
  }

  /**
   * Against a model that counts differently: the polls cut into spells of idle polls between busy
   * ones, and a spell earns one release when its last poll is the quiet time after its first.
   */
  @Test
  void onRandomPollHistoriesEachIdleSpellThatLastsTheQuietTimeReleasesOnce() {
    long quiet = 30 * SECOND;
    for (long seed = 1; seed <= 2000; seed++) {
      Random random = new Random(seed);
      AtomicInteger count = new AtomicInteger();
      IdleHeapRelease subject = new IdleHeapRelease(Duration.ofNanos(quiet), count::incrementAndGet);
      int expected = 0;
      long now = random.nextInt(1000) * SECOND;
      long spellStart = -1;
      boolean spellCounted = false;
      int polls = 1 + random.nextInt(60);
      for (int i = 0; i < polls; i++) {
        boolean idle = random.nextInt(4) > 0;
        subject.observe(idle, now);
        if (!idle) {
          spellStart = -1;
        } else {
          if (spellStart < 0) {
            spellStart = now;
            spellCounted = false;
          }
          if (!spellCounted && now - spellStart >= quiet) {
            spellCounted = true;
            expected++;
          }
        }
        // Polls come every 200 ms while busy and every 30 s while idle, sooner when an event wakes one.
        now += random.nextBoolean() ? random.nextInt(31) * SECOND : random.nextInt(1000) * 1_000_000L;
      }
      assertThat(count).as("seed %d", seed).hasValue(expected);
    }
  }

  @Test
  void theConfigSaysHowLongToWaitAndZeroNeverReleases() {
    assertThat(IdleHeapRelease.quietTime(ConfigLoader.load(Optional.empty(), List.of())))
        .isEqualTo(Duration.ofSeconds(30));

    IdleHeapRelease tenSeconds =
        IdleHeapRelease.from(ConfigFactory.parseString(IdleHeapRelease.SETTING + " = 10s"), releases::incrementAndGet);
    tenSeconds.observe(true, 0);
    tenSeconds.observe(true, 10 * SECOND);
    assertThat(releases).hasValue(1);

    IdleHeapRelease never =
        IdleHeapRelease.from(ConfigFactory.parseString(IdleHeapRelease.SETTING + " = 0s"), releases::incrementAndGet);
    never.observe(true, 0);
    never.observe(true, 3600 * SECOND);
    assertThat(releases).hasValue(1);
  }

  @Test
  void shrinkingCollectsAndLeavesTheFreeHeapRatiosAsTheyWere() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    String minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
    String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
    long collections = collections();

    IdleHeapRelease.shrinkHeap();

    assertThat(collections()).isGreaterThan(collections);
    assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo(minFree);
    assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo(maxFree);
  }

  /** The serial collector's steps: 0, 10, 40, then 100 % of what it could give back. */
  @Test
  void aFirstCollectionThatGivesNothingBackIsNotTheEnd() {
    Iterator<Long> committed = List.of(60L, 56L, 42L, 30L, 30L).iterator();

    assertThat(IdleHeapRelease.collectUntilSteady(60, committed::next, 4)).isEqualTo(4);
  }

  @Test
  void collectingStopsOnceACollectionAfterTheFirstGivesNothingBack() {
    assertThat(IdleHeapRelease.collectUntilSteady(60, List.of(60L, 60L, 50L).iterator()::next, 4)).isEqualTo(2);
    assertThat(IdleHeapRelease.collectUntilSteady(60, List.of(40L, 30L, 30L, 20L).iterator()::next, 4)).isEqualTo(3);
    assertThat(IdleHeapRelease.collectUntilSteady(60, List.of(61L, 61L).iterator()::next, 4)).isEqualTo(2);
  }

  /**
   * In a JVM of the launcher's collector, a heap grown by garbage and then idle comes back to
   * within the release's free-heap ratio of its live data, whatever step the collector was at.
   */
  @Test
  void theSerialCollectorsHeapShrinksToItsLiveDataWithTheRatio() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(), "-XX:+UseSerialGC", "-Xms48m", "-XX:NewSize=32m", "-Xlog:disable",
                "-cp", System.getProperty("java.class.path"), GrowThenRelease.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    String[] figures = out.lines().filter(line -> line.startsWith("old ")).findFirst().orElseThrow(() -> new AssertionError(out)).split(" ");
    long grown = Long.parseLong(figures[1]);
    long released = Long.parseLong(figures[2]);
    long live = Long.parseLong(figures[3]);
    assertThat(grown).as(out).isGreaterThan(live * 3 / 2);
    // The release keeps at most 20 % free; a little more for the generation's alignment.
    assertThat(released).as("old generation after the release; " + out).isLessThanOrEqualTo(live * 100 / 75);
  }

  /**
   * Grows the old generation to about 80 MiB, two fifths of it live: 60 % free is within the JVM's
   * ratios (40-70 %), so the busy spell's last collection gives nothing back and resets the
   * collector's steps, as a backup's last collections do. Then releases; prints the old
   * generation's committed size when grown, and its committed and used sizes after the release.
   */
  static final class GrowThenRelease {
    static Object kept;

    public static void main(String[] args) {
      List<byte[]> live = new ArrayList<>();
      List<byte[]> garbage = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        byte[] block = new byte[512 * 1024];
        (i % 5 < 2 ? live : garbage).add(block);
      }
      kept = live;
      garbage.clear();
      MemoryPoolMXBean old =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(pool -> pool.getName().contains("Tenured"))
              .findFirst()
              .orElseThrow();
      long grown = old.getUsage().getCommitted();
      // A collection with the JVM's ratios first, as the busy spell's last ones were.
      System.gc();
      IdleHeapRelease.shrinkHeap();
      // Live data as the release left it (it loads classes of its own: logging, the MXBeans).
      System.out.println("old " + grown + " " + old.getUsage().getCommitted() + " " + old.getUsage().getUsed());
    }
  }

  private static long collections() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .filter(count -> count > 0)
        .sum();
  }
}
