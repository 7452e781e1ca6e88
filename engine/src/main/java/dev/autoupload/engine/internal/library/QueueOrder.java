package dev.autoupload.engine.internal.library;

import com.typesafe.config.Config;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.MediaKind;
import java.util.Comparator;
import java.util.Locale;

/**
 * Which assets a run reads and uploads first ({@code autoupload.queue}): a rule of the planner,
 * pure. By default the newest photos first, so what was just taken is safe soonest; a file found
 * while the library is watched goes ahead of the backlog of the first scan; a retry goes ahead of
 * everything.
 *
 * @param by the order within a tier: by creation date, newest or oldest first, or as found
 * @param photosFirst photos before videos within a tier (a long video no longer holds back the
 *     photos behind it)
 */
public record QueueOrder(By by, boolean photosFirst) {

  /** The orders {@code autoupload.queue.order} names. */
  public enum By {
    /** {@code newest-first}: by creation date, the newest first; the default. */
    NEWEST_FIRST,
    /** {@code oldest-first}: by creation date, the oldest first. */
    OLDEST_FIRST,
    /** {@code found}: in the order the scan or the watch found the assets. */
    FOUND
  }

  /** Newest first, photos and videos mixed. */
  public static final QueueOrder DEFAULT = new QueueOrder(By.NEWEST_FIRST, false);

  /**
   * Checks that there is an order.
   *
   * @param by the order within a tier
   * @param photosFirst photos before videos within a tier
   * @throws NullPointerException when {@code by} is null
   */
  public QueueOrder {
    java.util.Objects.requireNonNull(by, "by");
  }

  /**
   * From {@code autoupload.queue.order} ({@code newest-first}, {@code oldest-first}, {@code found})
   * and {@code photos-first}.
   *
   * @param config the engine's configuration, with its defaults under it
   * @return the order
   * @throws IllegalArgumentException naming the key, for an unknown order
   */
  public static QueueOrder from(Config config) {
    String order = config.getString("autoupload.queue.order");
    By by =
        switch (order.toLowerCase(Locale.ROOT)) {
          case "newest-first" -> By.NEWEST_FIRST;
          case "oldest-first" -> By.OLDEST_FIRST;
          case "found" -> By.FOUND;
          default ->
              throw new IllegalArgumentException(
                  "autoupload.queue.order must be newest-first, oldest-first or found, not \"" + order + "\"");
        };
    return new QueueOrder(by, config.getBoolean("autoupload.queue.photos-first"));
  }

  /**
   * Where an asset goes in the queues, lowest first. {@code foundLater}: found after the first
   * scan, by the watch; {@code sequence}: how many the run found before it, which breaks ties.
   *
   * @param asset the asset, whose creation date and kind count
   * @param foundLater whether the watch found it after the first scan
   * @param sequence how many the run found before it
   * @return its place
   */
  public Rank rank(Asset asset, boolean foundLater, long sequence) {
    long when = asset.createdAt().toEpochMilli();
    long primary =
        switch (by) {
          case NEWEST_FIRST -> -when;
          case OLDEST_FIRST -> when;
          case FOUND -> 0;
        };
    int kind = photosFirst && MediaKind.of(asset) == MediaKind.VIDEO ? 1 : 0;
    return new Rank(foundLater ? Rank.FOUND_LATER : Rank.FIRST_SCAN, kind, primary, sequence);
  }

  /**
   * A retry's place: ahead of everything, the latest retry first.
   *
   * @param sequence a number that falls with each retry, so the latest is the lowest
   * @return its place
   */
  public static Rank retry(long sequence) {
    return new Rank(Rank.RETRY, 0, 0, sequence);
  }

  /**
   * A place in a queue by time: {@code at}, then the sequence found.
   *
   * @param at when the asset is due
   * @param sequence the asset's sequence found, which breaks ties
   * @return its place
   */
  public static Rank due(java.time.Instant at, long sequence) {
    return new Rank(Rank.RETRY, 0, at.toEpochMilli(), sequence);
  }

  /** A place in the planner's queues: tier, then kind, then the order's key, then the sequence found. */
  public record Rank(int tier, int kind, long primary, long sequence) implements Comparable<Rank> {
    static final int RETRY = 0;
    static final int FOUND_LATER = 1;
    static final int FIRST_SCAN = 2;

    private static final Comparator<Rank> ORDER =
        Comparator.comparingInt(Rank::tier)
            .thenComparingInt(Rank::kind)
            .thenComparingLong(Rank::primary)
            .thenComparingLong(Rank::sequence);

    @Override
    public int compareTo(Rank other) {
      return ORDER.compare(this, other);
    }
  }
}
