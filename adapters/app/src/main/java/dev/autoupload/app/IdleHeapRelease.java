package dev.autoupload.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.typesafe.config.Config;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the heap a busy spell grew back to the system once a watching run has had nothing to do for
 * a while. A background daemon is idle most of its life, and the collectors keep what they once
 * committed until a full collection finds it free and the free-heap ratio lets them give it back:
 * with the JVM's ratios (40-70 % free) a run that backed up 10,000 files kept about 120 MiB of heap
 * for 40 MiB of live data. So, once per idle spell after work, full collections with a low ratio
 * until the heap stops shrinking, then the ratios as they were, for the next busy spell's sake (a
 * low ratio while busy cost three times the pause time).
 *
 * <p>Only the app does this, never the engine: a host app that embeds the engine owns its JVM's
 * heap. {@link #observe} is called after each status poll of {@link RunWatch}; the release runs on
 * that thread.
 */
final class IdleHeapRelease {

  private static final Logger log = LoggerFactory.getLogger(IdleHeapRelease.class);

  static final String SETTING = "autoupload.release-memory-when-idle-for";

  /** Free-heap ratios, in percent, of the one collection that gives memory back. */
  private static final String RELEASE_MIN_FREE = "10";

  private static final String RELEASE_MAX_FREE = "20";
  /**
   * Full collections at most per release: the serial collector shrinks a generation in steps
   * (0, 10, 40, then 100 % of what it could), unless -XX:-ShrinkHeapInSteps.
   */
  private static final int MOST_COLLECTIONS = 4;

  private final long quietNanos;
  private final Runnable release;
  /** The start and the first scan grow the heap too. */
  private boolean workedSinceRelease = true;

  private long idleSinceNanos;
  private boolean idle;

  IdleHeapRelease(Duration quiet, Runnable release) {
    if (quiet.isNegative()) {
      throw new IllegalArgumentException("the quiet time must not be negative: " + quiet);
    }
    this.quietNanos = quiet.toNanos();
    this.release = release;
  }

  /** From {@code autoupload.release-memory-when-idle-for}; {@code 0s} never releases. */
  static IdleHeapRelease from(Config config) {
    return from(config, IdleHeapRelease::shrinkHeap);
  }

  static IdleHeapRelease from(Config config, Runnable release) {
    Duration quiet = quietTime(config);
    return quiet.isZero() ? never() : new IdleHeapRelease(quiet, release);
  }

  /**
   * {@code autoupload.release-memory-when-idle-for}.
   *
   * @throws IllegalArgumentException when it is negative
   */
  static Duration quietTime(Config config) {
    Duration quiet = config.getDuration(SETTING);
    if (quiet.isNegative()) {
      throw new IllegalArgumentException(SETTING + " must be 0s (never) or longer, not " + config.getString(SETTING));
    }
    return quiet;
  }

  private static IdleHeapRelease never() {
    return new IdleHeapRelease(Duration.ZERO, () -> {});
  }

  /**
   * One status poll's answer: releases when the engine has been idle for the quiet time, without
   * work in between, and had work since the last release.
   */
  void observe(boolean idleNow, long nowNanos) {
    if (!idleNow) {
      workedSinceRelease = true;
      idle = false;
      return;
    }
    if (!idle) {
      idle = true;
      idleSinceNanos = nowNanos;
    }
    if (workedSinceRelease && nowNanos - idleSinceNanos >= quietNanos) {
      workedSinceRelease = false;
      release.run();
    }
  }

  /**
   * Full collections with low free-heap ratios until the committed heap stops shrinking, then the
   * ratios as they were. A JVM that refuses to change them (another vendor's, or ratios set so low
   * that ours do not fit) keeps its heap: this only saves memory, it never matters for a backup.
   */
  static void shrinkHeap() {
    HotSpotDiagnosticMXBean vm;
    try {
      vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (RuntimeException | LinkageError e) {
      log.debug("Heap not released: no HotSpot diagnostic bean ({})", e.toString());
      return;
    }
    if (vm == null) {
      return;
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long startedNanos = System.nanoTime();
    long before = memory.getHeapMemoryUsage().getCommitted();
    String minFree;
    String maxFree;
    try {
      minFree = vm.getVMOption("MinHeapFreeRatio").getValue();
      maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
    } catch (RuntimeException e) {
      log.debug("Heap not released: cannot read the free-heap ratios ({})", e.toString());
      return;
    }
    try {
      // Min first and back last: the JVM refuses a minimum above the maximum.
      vm.setVMOption("MinHeapFreeRatio", RELEASE_MIN_FREE);
      vm.setVMOption("MaxHeapFreeRatio", RELEASE_MAX_FREE);
      collectUntilSteady(
          before,
          () -> {
            System.gc();
            return memory.getHeapMemoryUsage().getCommitted();
          },
          MOST_COLLECTIONS);
    } catch (RuntimeException e) {
      log.debug("Heap not released: the JVM refused low free-heap ratios ({})", e.toString());
    } finally {
      restore(vm, "MaxHeapFreeRatio", maxFree);
      restore(vm, "MinHeapFreeRatio", minFree);
    }
    log.debug(
        "Idle: heap committed {} MiB, {} MiB before, in {} ms",
        memory.getHeapMemoryUsage().getCommitted() >> 20,
        before >> 20,
        Duration.ofNanos(System.nanoTime() - startedNanos).toMillis());
  }

  /**
   * Runs {@code collect} (a full collection that returns the committed heap after it) until one
   * after the first gives nothing back, {@code most} times at most; returns how many ran. The
   * serial collector's first step is 0 %: stopping when the first gave nothing back left a heap
   * of 24 MiB live data at 60 MiB committed, whenever the busy spell had just reset the steps.
   */
  static int collectUntilSteady(long committedBefore, LongSupplier collect, int most) {
    long committed = committedBefore;
    int collections = 0;
    while (collections < most) {
      long now = collect.getAsLong();
      collections++;
      if (now >= committed && collections > 1) {
        break;
      }
      committed = Math.min(committed, now);
    }
    return collections;
  }

  private static void restore(HotSpotDiagnosticMXBean vm, String option, String value) {
    try {
      vm.setVMOption(option, value);
    } catch (RuntimeException e) {
      log.warn("Could not set {} back to {}: {}", option, value, e.toString());
    }
  }
}
