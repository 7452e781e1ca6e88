package dev.autoupload.engine.testing;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.NotOffered;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** An {@link AssetSource} of byte arrays, for engine tests. Files can vanish or become unreadable. */
public final class InMemorySource implements AssetSource {

  private final String libraryId;
  private final Map<String, byte[]> files = new ConcurrentSkipListMap<>();
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
  private final Set<String> vanished = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> takenAt = new ConcurrentHashMap<>();

  public InMemorySource(String libraryId) {
    this.libraryId = libraryId;
  }

  private final java.util.List<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public AutoCloseable watch(Runnable changed) {
    watchers.add(changed);
    return () -> watchers.remove(changed);
  }

  /** Tells whoever watches this source that it changed, as a folder watch would. */
  public void announceChange() {
    watchers.forEach(Runnable::run);
  }

  public int watchers() {
    return watchers.size();
  }

  /** Adds a file of {@code size} pseudo-random bytes (seeded by its path) and returns its content. */
  public byte[] add(String path, int size) {
    byte[] content = new byte[size];
    new Random(path.hashCode() + 31L * changes.getOrDefault(path, 0)).nextBytes(content);
    files.put(path, content);
    changed(path);
    return content;
  }

  /** As {@link #add(String, int)}, for a photo taken at {@code taken}. */
  public byte[] add(String path, int size, Instant taken) {
    takenAt.put(path, taken);
    return add(path, size);
  }

  /** Puts the content of {@code from} under {@code to} as well, as a copy would. */
  public void copy(String from, String to) {
    files.put(to, files.get(from).clone());
    changed(to);
  }

  /** Moves {@code from} to {@code to}: same content, another path, so another asset id. */
  public void rename(String from, String to) {
    files.put(to, files.remove(from));
    Instant time = modifiedAt.remove(from);
    if (time != null) {
      modifiedAt.put(to, time);
    }
    changed(to);
  }

  /** How often each path was written: its change stamp, as an inode and ctime would tell. */
  private final Map<String, Integer> changes = new ConcurrentHashMap<>();

  private void changed(String path) {
    changes.merge(path, 1, Integer::sum);
  }

  private final java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
  private final AtomicLong bytesRead = new AtomicLong();

  /** How often any file was opened for reading. */
  public int opens() {
    return opens.get();
  }

  /** Bytes read from every file together. */
  public long bytesRead() {
    return bytesRead.get();
  }

  public void makeUnreadable(String path) {
    unreadable.add(path);
  }

  public void makeReadable(String path) {
    unreadable.remove(path);
  }

  private final Map<String, CountDownLatch> heldReads = new ConcurrentHashMap<>();

  /** Makes opening {@code path} wait until {@link #releaseReads}; it counts as opened at once. */
  public void holdReads(String path) {
    heldReads.put(path, new CountDownLatch(1));
  }

  public void releaseReads() {
    heldReads.values().forEach(CountDownLatch::countDown);
  }

  public void makeVanish(String path) {
    vanished.add(path);
  }

  private volatile NotOffered notOffered = NotOffered.NONE;

  /** What {@link #notOffered()} says from now on, as a source that passes over files of its own would. */
  public void passOver(NotOffered notOffered) {
    this.notOffered = notOffered;
  }

  @Override
  public NotOffered notOffered() {
    return notOffered;
  }

  private final Map<String, Instant> modifiedAt = new ConcurrentHashMap<>();

  /** Gives {@code path} new content and a later modification time, as an editor saving it would. */
  public void rewrite(String path, byte[] content) {
    files.put(path, content.clone());
    touch(path);
  }

  /**
   * Gives {@code path} new content but leaves its modification time, as an editor that restores it
   * does: only its change stamp tells.
   */
  public void rewriteKeepingTime(String path, byte[] content) {
    files.put(path, content.clone());
    changed(path);
  }

  /** Moves the modification time of {@code path} on without changing its content. */
  public void touch(String path) {
    modifiedAt.merge(path, Instant.parse("2026-01-01T00:00:00Z"), (old, first) -> old.plusSeconds(1));
    changed(path);
  }

  public Asset asset(String path) {
    byte[] content = files.get(path);
    Instant taken = takenAt.getOrDefault(path, Instant.parse("2023-06-01T12:00:00Z"));
    return new Asset(
        "id-" + Integer.toHexString(path.hashCode()),
        libraryId,
        path,
        content.length,
        taken,
        CreationDateSource.HOST_APP,
        modifiedAt.getOrDefault(path, taken),
        Optional.of("change-" + changes.getOrDefault(path, 0)),
        Optional.empty());
  }

  @Override
  public Optional<Asset> refresh(Asset asset) {
    if (vanished.contains(asset.relativePath()) || !files.containsKey(asset.relativePath())) {
      return Optional.empty();
    }
    return Optional.of(asset(asset.relativePath()));
  }

  @Override
  public String describe() {
    return "memory:" + libraryId;
  }

  @Override
  public void scan(Consumer<List<Asset>> batches) {
    List<Asset> batch = new ArrayList<>();
    for (String path : files.keySet()) {
      batch.add(asset(path));
      if (batch.size() == 100) {
        batches.accept(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.accept(batch);
    }
  }

  @Override
  public InputStream open(Asset asset) throws IOException {
    if (vanished.contains(asset.relativePath())) {
      throw new NoSuchFileException(asset.relativePath());
    }
    if (unreadable.contains(asset.relativePath())) {
      throw new AccessDeniedException(asset.relativePath());
    }
    opens.incrementAndGet();
    CountDownLatch held = heldReads.get(asset.relativePath());
    if (held != null) {
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while the read was held");
      }
    }
    return new FilterInputStream(new ByteArrayInputStream(files.get(asset.relativePath()))) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          bytesRead.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          bytesRead.addAndGet(n);
        }
        return n;
      }
    };
  }
}
