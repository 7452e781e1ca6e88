package dev.autoupload.engine.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandwidthLimiterTest {

  /** Time that moves only when the limiter sleeps, recording every sleep. */
  private static final class FakeTicker implements BandwidthLimiter.Ticker {
    long now;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }
  }

  @Test
  void spacesSendsSoTheRateIsNeverExceeded() throws Exception {
    FakeTicker ticker = new FakeTicker();
    BandwidthLimiter limiter = new BandwidthLimiter(100_000, ticker);

    for (int i = 0; i < 10; i++) {
      limiter.acquire(10_000);
    }

    // 100,000 bytes at 100,000 bytes/s: the tenth send may start only after 0.9 s.
    assertThat(ticker.now).isEqualTo(900_000_000L);
    assertThat(ticker.sleeps).hasSize(9).allMatch(nanos -> nanos == 100_000_000L);
  }

  @Test
  void concurrentUploadsShareOneRate() throws Exception {
    FakeTicker ticker = new FakeTicker();
    BandwidthLimiter limiter = new BandwidthLimiter(1_000, ticker);

    limiter.acquire(500);
    limiter.acquire(500);
    limiter.acquire(1_000);

    assertThat(ticker.now).isEqualTo(1_000_000_000L);
  }

  @Test
  void idleTimeIsNotBankedIntoABurst() throws Exception {
    FakeTicker ticker = new FakeTicker();
    BandwidthLimiter limiter = new BandwidthLimiter(1_000, ticker);
    limiter.acquire(1_000);
    ticker.now += 60_000_000_000L;

    limiter.acquire(1_000);
    limiter.acquire(1_000);

    assertThat(ticker.sleeps).containsExactly(1_000_000_000L);
  }

  @Test
  void chunksShrinkSoAPauseNeverWaitsLongForOne() {
    assertThat(BandwidthLimiter.of(0).chunkSize(1 << 20)).isEqualTo(1 << 20);
    assertThat(BandwidthLimiter.of(1_000_000).chunkSize(1 << 20)).isEqualTo(100_000);
    assertThat(BandwidthLimiter.of(1_000).chunkSize(1 << 20)).isEqualTo(4096);
  }
}
