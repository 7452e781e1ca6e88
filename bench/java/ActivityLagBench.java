import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.library.InMemoryAssets;
import dev.autoupload.engine.library.Library;
import dev.autoupload.targets.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How long after an upload's {@code AssetUploaded} event the Activity view lists it
 * (bench/activity-lag.sh): a burst of N files, then single files added to an idle engine, each
 * polled for with {@code activityItem} every 5 ms from the moment its event arrives. Progress to
 * stderr, figures to stdout.
 */
public final class ActivityLagBench {

  private static final String LIBRARY = "lag";

  public static void main(String[] args) throws Exception {
    int burst = Integer.parseInt(args[0]);
    int singles = Integer.parseInt(args[1]);
    Path work = Path.of(args[2]);
    InMemoryAssets photos = new InMemoryAssets(LIBRARY);
    Map<String, Long> uploadedAt = new ConcurrentHashMap<>();
    try (UploadEngine engine =
        UploadEngine.builder().dataDir(work.resolve("data")).initialConditions(DeviceConditions.desktop()).start()) {
      engine.addListener(
          event -> {
            if (event instanceof EngineEvent.AssetUploaded uploaded) {
              uploadedAt.put(uploaded.assetId(), System.nanoTime());
            }
          });
      for (int i = 0; i < burst; i++) {
        photos.put("burst-" + i, "burst/IMG_" + i + ".JPG", content(i), Instant.parse("2023-05-01T10:00:00Z"));
      }
      Files.createDirectories(work.resolve("target"));
      engine
          .addLibrary(new Library(LIBRARY, photos, Targets.localFolder(work.resolve("target"))).watched())
          .toCompletableFuture()
          .get();
      List<Long> burstLags = lags(engine, uploadedAt, burst, "burst-");
      print("burst of " + burst + " files", burstLags);

      long idleSeconds = Long.getLong("idle.seconds", 35);
      List<Long> singleLags = new ArrayList<>();
      for (int i = 0; i < singles; i++) {
        // Idle long enough for the view's reader to back off to its slowest polling.
        System.err.println("idle " + idleSeconds + " s before single file " + (i + 1) + " of " + singles + " ...");
        TimeUnit.SECONDS.sleep(idleSeconds);
        photos.put("single-" + i, "single/IMG_" + i + ".JPG", content(100_000 + i), Instant.now());
        singleLags.addAll(lags(engine, uploadedAt, 1, "single-" + i));
      }
      print("a single file after " + idleSeconds + " s idle", singleLags);
    }
  }

  /** Waits for {@code count} uploads whose id starts with {@code prefix}; the lag of each, in ms. */
  private static List<Long> lags(UploadEngine engine, Map<String, Long> uploadedAt, int count, String prefix)
      throws Exception {
    List<Long> lags = new ArrayList<>();
    Map<String, Boolean> done = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (done.size() < count) {
      if (System.nanoTime() > deadline) {
        long uploaded = uploadedAt.keySet().stream().filter(id -> id.startsWith(prefix)).count();
        throw new IllegalStateException(
            "after 5 minutes, of " + count + " files " + uploaded + " uploaded and " + done.size() + " listed");
      }
      for (Map.Entry<String, Long> uploaded : uploadedAt.entrySet()) {
        String assetId = uploaded.getKey();
        if (!assetId.startsWith(prefix) || done.containsKey(assetId)) {
          continue;
        }
        if (engine.activityItem(LIBRARY, assetId).toCompletableFuture().get(5, TimeUnit.SECONDS).isPresent()) {
          done.put(assetId, true);
          lags.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - uploaded.getValue()));
        }
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    return lags;
  }

  private static void print(String what, List<Long> lags) {
    List<Long> sorted = new ArrayList<>(lags);
    Collections.sort(sorted);
    System.out.printf(
        "activity lag, %s: p50 %d ms, p90 %d ms, max %d ms (%d files)%n",
        what, at(sorted, 0.5), at(sorted, 0.9), sorted.get(sorted.size() - 1), sorted.size());
  }

  private static long at(List<Long> sorted, double quantile) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
  }

  private static byte[] content(int seed) {
    return ("photo " + seed + " ").repeat(1000).getBytes(StandardCharsets.UTF_8);
  }
}
