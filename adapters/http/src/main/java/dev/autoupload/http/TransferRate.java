package dev.autoupload.http;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Bytes per second over a sliding window, from samples of the engine's running count of bytes
 * sent ({@code EngineStatus.bytesSent()}), which has no rate of its own.
 */
final class TransferRate {

  private record Sample(long nanos, long bytesSent) {}

  private final long windowNanos;
  private final Deque<Sample> samples = new ArrayDeque<>();

  TransferRate(Duration window) {
    this.windowNanos = window.toNanos();
  }

  /** Adds a sample; true when bytes were sent since the one before (or it is the first). */
  synchronized boolean record(long nanos, long bytesSent) {
    Sample last = samples.peekLast();
    if (last != null && bytesSent < last.bytesSent()) {
      // A new count: the old samples say nothing about it.
      samples.clear();
      last = null;
    }
    samples.addLast(new Sample(nanos, bytesSent));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > windowNanos) {
      samples.removeFirst();
    }
    return last == null || bytesSent != last.bytesSent();
  }

  /** The average over the window; 0 until two samples at least a second apart exist. */
  synchronized long bytesPerSecond() {
    if (samples.size() < 2) {
      return 0;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    long nanos = last.nanos() - first.nanos();
    if (nanos < Duration.ofSeconds(1).toNanos()) {
      return 0;
    }
    return Math.round((last.bytesSent() - first.bytesSent()) * 1e9 / nanos);
  }
}
