// In the ledger's package: the ledger is the engine's own, not part of its API.
package dev.autoupload.engine.internal.library;

import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

/**
 * A supervisor's ledger recording N backups one after another, as in a first backup of N assets in
 * one run (bench/ledger-growth.sh): the time it takes, the slowest single record (a copy into a new
 * base, or a collection that stopped every thread), and the heap after a full GC, in all and an
 * asset. Seeded, so each run records the same assets: 32-digit ids, sha256s, sizes of 1-6 MB,
 * remote paths of a month's folder.
 */
public final class LedgerGrowthBench {

  private LedgerGrowthBench() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    Random random = new Random(1);
    Instant at = Instant.now();
    Ledger ledger = Ledger.empty();
    long started = System.nanoTime();
    long slowest = 0;
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      byte[] sha256 = new byte[32];
      random.nextBytes(sha256);
      BackupSupervisor.AssetBackedUp backedUp =
          new BackupSupervisor.AssetBackedUp(
              HexFormat.of().formatHex(id),
              HexFormat.of().toHexDigits(random.nextLong()),
              HexFormat.of().formatHex(sha256),
              1_000_000 + random.nextInt(5_000_000),
              Optional.of("2026/12/IMG_" + i + ".JPG"),
              at);
      long before = System.nanoTime();
      ledger = ledger.with(backedUp).settled(Ledger.FOLD_AT_LEAST);
      slowest = Math.max(slowest, System.nanoTime() - before);
    }
    long took = System.nanoTime() - started;
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime runtime = Runtime.getRuntime();
    long used = runtime.totalMemory() - runtime.freeMemory();
    System.out.printf(
        "%d assets recorded in %d ms (slowest record %.1f ms); heap after full GC %.1f MiB, %.0f bytes an asset%n",
        ledger.size(), took / 1_000_000, slowest / 1e6, used / 1048576.0, used / (double) Math.max(1, n));
  }
}
