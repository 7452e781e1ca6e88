package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TransferRateTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  @Test
  void averagesBytesSentOverTheWindow() {
    TransferRate rate = new TransferRate(Duration.ofSeconds(10));
    assertThat(rate.bytesPerSecond()).isZero();

    rate.record(0, 0);
    rate.record(SECOND / 2, 500);
    assertThat(rate.bytesPerSecond()).as("under a second of samples").isZero();
    rate.record(2 * SECOND, 2_000_000);
    assertThat(rate.bytesPerSecond()).isEqualTo(1_000_000);
  }

  @Test
  void aSampleSaysWhetherBytesMovedSoTheSamplerCanRestWhenNothingDoes() {
    TransferRate rate = new TransferRate(Duration.ofSeconds(10));
    assertThat(rate.record(0, 0)).as("the first").isTrue();
    assertThat(rate.record(SECOND, 1000)).isTrue();
    assertThat(rate.record(2 * SECOND, 1000)).isFalse();
    // Read much later, while nothing moved: the window slides from the read's sample, rate 0.
    assertThat(rate.record(60 * SECOND, 1000)).isFalse();
    assertThat(rate.bytesPerSecond()).isZero();
  }

  @Test
  void oldSamplesLeaveTheWindow() {
    TransferRate rate = new TransferRate(Duration.ofSeconds(10));
    rate.record(0, 0);
    rate.record(SECOND, 100_000_000);
    for (int second = 2; second <= 20; second++) {
      rate.record(second * SECOND, 100_000_000 + (second - 1) * 1_000L);
    }

    assertThat(rate.bytesPerSecond()).isEqualTo(1_000);
  }

  @Test
  void aCountThatStartsOverStartsTheWindowOver() {
    TransferRate rate = new TransferRate(Duration.ofSeconds(10));
    rate.record(0, 5_000);
    rate.record(SECOND, 10_000);

    rate.record(2 * SECOND, 0);
    rate.record(4 * SECOND, 4_000);

    assertThat(rate.bytesPerSecond()).isEqualTo(2_000);
  }
}
