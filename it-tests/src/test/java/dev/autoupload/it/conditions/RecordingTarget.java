package dev.autoupload.it.conditions;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passes every call to another target and notes, by {@link System#nanoTime()}, when each append
 * started and completed: when the bytes really reached the target, which no status can tell.
 */
final class RecordingTarget implements UploadTarget {

  private final UploadTarget delegate;
  private final Map<String, Long> lastAppendEnd = new ConcurrentHashMap<>();
  private final AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);
  /** Start times of the appends that started after the fence. */
  private final ConcurrentLinkedQueue<Long> startsAfterFence = new ConcurrentLinkedQueue<>();
  private volatile long fence = Long.MAX_VALUE;

  RecordingTarget(UploadTarget delegate) {
    this.delegate = delegate;
  }

  /** When the last append to each remote path completed. */
  Map<String, Long> lastAppendEndByPath() {
    return Map.copyOf(lastAppendEnd);
  }

  /** When the last append to any path completed; {@link Long#MIN_VALUE} before the first. */
  long lastAppendEnd() {
    return lastEnd.get();
  }

  /** From now on, notes the appends that start after {@code nanos}. */
  void fence(long nanos) {
    startsAfterFence.clear();
    fence = nanos;
  }

  /** Appends that started after {@code nanos}, which is not before the last {@link #fence}. */
  int appendsStartedAfter(long nanos) {
    return (int) startsAfterFence.stream().filter(start -> start > nanos).count();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    return delegate.probe(remotePath);
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return new RecordingSession(remotePath, delegate.open(remotePath, size));
  }

  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    delegate.discard(remotePath, resumeToken);
  }

  @Override
  public void check() throws UploadException {
    delegate.check();
  }

  @Override
  public void close() {
    delegate.close();
  }

  private final class RecordingSession implements UploadSession {
    private final String remotePath;
    private final UploadSession session;

    RecordingSession(String remotePath, UploadSession session) {
      this.remotePath = remotePath;
      this.session = session;
    }

    @Override
    public long offset() {
      return session.offset();
    }

    @Override
    public long append(long offset, ByteBuffer bytes) throws UploadException {
      long start = System.nanoTime();
      if (start > fence) {
        startsAfterFence.add(start);
      }
      long next = session.append(offset, bytes);
      long end = System.nanoTime();
      lastAppendEnd.put(remotePath, end);
      lastEnd.accumulateAndGet(end, Math::max);
      return next;
    }

    @Override
    public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
      return session.complete(expectedSize, sha256);
    }

    @Override
    public void close() {
      session.close();
    }
  }
}
