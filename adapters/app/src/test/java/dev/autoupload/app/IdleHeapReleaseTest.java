package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.typesafe.config.ConfigFactory;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

  private static long collections() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .filter(count -> count > 0)
        .sum();
  }
}
