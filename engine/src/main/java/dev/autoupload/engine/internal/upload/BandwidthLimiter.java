package dev.autoupload.engine.internal.upload;

/**
 * Keeps the bytes sent by all uploads under a rate, counted on bytes actually handed to targets.
 * Each call reserves its bytes on a shared timeline and waits for its turn, so concurrent uploads
 * share the rate instead of each getting it.
 */
public final class BandwidthLimiter {

  /** Time as the limiter sees it; tests replace it. */
  public interface Ticker {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;

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

  public BandwidthLimiter(long bytesPerSecond, Ticker ticker) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytes per second must not be negative");
    }
    this.bytesPerSecond = bytesPerSecond;
    this.ticker = ticker;
  }

  public static BandwidthLimiter unlimited() {
    return UNLIMITED;
  }

  public static BandwidthLimiter of(long bytesPerSecond) {
    return bytesPerSecond == 0 ? UNLIMITED : new BandwidthLimiter(bytesPerSecond, Ticker.SYSTEM);
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /** The chunk size to use under this limit, so one chunk never takes long to send. */
  public int chunkSize(int configured) {
    return limited() ? (int) Math.min(configured, Math.max(MIN_CHUNK, bytesPerSecond / 10)) : configured;
  }

  /** Waits until {@code bytes} more may be sent. */
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
