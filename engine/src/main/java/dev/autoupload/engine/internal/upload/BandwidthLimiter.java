package dev.autoupload.engine.internal.upload;

/**
 * Keeps the bytes sent by all uploads under a rate, counted on bytes actually handed to targets.
 * Each call reserves its bytes on a shared timeline and waits for its turn, so concurrent uploads
 * share the rate instead of each getting it.
 */
public final class BandwidthLimiter {

  /** Time as the limiter sees it; tests replace it. */
  public interface Ticker {
    /**
     * The current time on a monotonic clock.
     *
     * @return nanoseconds from an arbitrary origin, as {@link System#nanoTime()}
     */
    long nanoTime();

    /**
     * Sleeps for {@code nanos}.
     *
     * @param nanos how long, in nanoseconds
     * @throws InterruptedException when the thread is interrupted meanwhile
     */
    void sleepNanos(long nanos) throws InterruptedException;

    /** The system's clock and {@link Thread#sleep}. */
    Ticker SYSTEM =
        new Ticker() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleepNanos(long nanos) throws InterruptedException {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
          }
        };
  }

  private static final BandwidthLimiter UNLIMITED = new BandwidthLimiter(0, Ticker.SYSTEM);
  /** A pause waits for at most one chunk: keep a chunk to a tenth of a second's worth of bytes. */
  private static final int MIN_CHUNK = 4096;

  private final long bytesPerSecond;
  private final Ticker ticker;
  private long nextFreeNanos = Long.MIN_VALUE;

  /**
   * A limiter on {@code ticker}'s time; tests give it a fake one.
   *
   * @param bytesPerSecond the rate all uploads share; 0 for none
   * @param ticker the time the limiter reads and sleeps on
   * @throws IllegalArgumentException when {@code bytesPerSecond} is negative
   */
  public BandwidthLimiter(long bytesPerSecond, Ticker ticker) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytes per second must not be negative");
    }
    this.bytesPerSecond = bytesPerSecond;
    this.ticker = ticker;
  }

  /**
   * The limiter of no limit, which never waits.
   *
   * @return the one shared instance
   */
  public static BandwidthLimiter unlimited() {
    return UNLIMITED;
  }

  /**
   * A limiter on the system's clock.
   *
   * @param bytesPerSecond the rate all uploads share; 0 for none
   * @return a new limiter, or {@link #unlimited()} for 0
   * @throws IllegalArgumentException when {@code bytesPerSecond} is negative
   */
  public static BandwidthLimiter of(long bytesPerSecond) {
    return bytesPerSecond == 0 ? UNLIMITED : new BandwidthLimiter(bytesPerSecond, Ticker.SYSTEM);
  }

  /**
   * Whether this limiter ever waits.
   *
   * @return true when a rate is set
   */
  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /**
   * The chunk size to use under this limit, so one chunk never takes long to send.
   *
   * @param configured the configured chunk size
   * @return {@code configured}, or a tenth of a second's worth of bytes (at least 4 KiB) when that
   *     is smaller
   */
  public int chunkSize(int configured) {
    return limited() ? (int) Math.min(configured, Math.max(MIN_CHUNK, bytesPerSecond / 10)) : configured;
  }

  /**
   * Waits until {@code bytes} more may be sent. The bytes are reserved before the wait, so the
   * callers that come after wait behind them.
   *
   * @param bytes the bytes about to be sent
   * @throws InterruptedException when the thread is interrupted while it waits; the bytes stay
   *     reserved
   */
  public void acquire(long bytes) throws InterruptedException {
    if (!limited() || bytes <= 0) {
      return;
    }
    long startAt;
    synchronized (this) {
      long now = ticker.nanoTime();
      startAt = Math.max(now, nextFreeNanos);
      nextFreeNanos = startAt + bytes * 1_000_000_000L / bytesPerSecond;
    }
    long wait = startAt - ticker.nanoTime();
    if (wait > 0) {
      ticker.sleepNanos(wait);
    }
  }
}
