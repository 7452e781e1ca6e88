package dev.autoupload.engine.internal.library;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Fills a ledger's sets of contents, path fingerprints and sizes on a thread of its own while the
 * caller reads the rows and fills the versions: at a million assets each is a million inserts
 * into a table of a million, a cache miss each, and the second core was idle while one thread did
 * all of them. The facts go over in batches; the sets are the filler's alone until {@link
 * #finish} has returned. A failure of the filler comes out of {@code finish}.
 */
final class SetFiller implements AutoCloseable {

  private static final int BATCH = 4096;
  private static final Batch END = new Batch(new String[0], 0, new String[0], 0, new long[0], 0);

  private record Batch(String[] contents, int contentCount, String[] paths, int pathCount, long[] sizes, int sizeCount) {}

  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(8);
  private final Thread thread;
  private volatile Throwable failure;
  private boolean ended;

  private String[] contents = new String[BATCH];
  private int contentCount;
  private String[] paths = new String[BATCH];
  private int pathCount;
  private long[] sizes = new long[BATCH];
  private int sizeCount;

  /** Starts the filler's thread. */
  SetFiller(Set<String> contentSet, Set<String> pathSet, Set<Long> sizeSet) {
    thread =
        new Thread(
            () -> {
              while (true) {
                Batch batch;
                try {
                  batch = queue.take();
                } catch (InterruptedException e) {
                  failure = e;
                  return;
                }
                if (batch == END) {
                  return;
                }
                // After a failure it only drains, so the reader never waits on a full queue.
                if (failure == null) {
                  try {
                    contentSet.addAll(Arrays.asList(batch.contents()).subList(0, batch.contentCount()));
                    pathSet.addAll(Arrays.asList(batch.paths()).subList(0, batch.pathCount()));
                    for (int i = 0; i < batch.sizeCount(); i++) {
                      sizeSet.add(batch.sizes()[i]);
                    }
                  } catch (RuntimeException | Error e) {
                    failure = e;
                  }
                }
              }
            },
            "ledger-sets");
    thread.setDaemon(true);
    thread.start();
  }

  void content(String sha256) {
    contents[contentCount++] = sha256;
    if (contentCount == BATCH) {
      send();
    }
  }

  void path(String fingerprint) {
    paths[pathCount++] = fingerprint;
    if (pathCount == BATCH) {
      send();
    }
  }

  void size(long size) {
    sizes[sizeCount++] = size;
    if (sizeCount == BATCH) {
      send();
    }
  }

  private void send() {
    put(new Batch(contents, contentCount, paths, pathCount, sizes, sizeCount));
    contents = new String[BATCH];
    contentCount = 0;
    paths = new String[BATCH];
    pathCount = 0;
    sizes = new long[BATCH];
    sizeCount = 0;
  }

  private void put(Batch batch) {
    try {
      queue.put(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading the ledger", e);
    }
  }

  /**
   * Sends what is left, waits for the filler to end and rethrows its failure.
   *
   * @throws IllegalStateException when the filler failed or the wait was interrupted
   */
  void finish() {
    send();
    close();
    Throwable failed = failure;
    if (failed instanceof Error error) {
      throw error;
    }
    if (failed != null) {
      throw new IllegalStateException("cannot load the ledger: " + failed, failed);
    }
  }

  /** Ends the filler's thread and waits for it; what it had not added yet may be missing. */
  @Override
  public void close() {
    if (ended) {
      return;
    }
    ended = true;
    put(END);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while loading the ledger", e);
    }
  }
}
