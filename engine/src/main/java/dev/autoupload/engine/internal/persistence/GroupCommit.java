package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.internal.persistence.JournalStore.EventRow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Writes events in as few transactions as the database's pace allows: one commit at a time, and
 * the writes that arrive while it runs go together into the next. Each write completes only once
 * its transaction is committed, so nothing counts as persisted before it is. An embedded H2
 * database writes the changed pages of its tables at each commit: a commit for several uploads'
 * events costs about what one for a single event does.
 */
final class GroupCommit {

  private record Pending(List<EventRow> rows, CompletableFuture<Void> committed) {}

  private final JournalStore store;
  private final Executor executor;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean committing;

  GroupCommit(JournalStore store, Executor executor) {
    this.store = store;
    this.executor = executor;
  }

  /** Completes once {@code rows} are committed, all of them, or fails with none written. */
  CompletableFuture<Void> write(List<EventRow> rows) {
    CompletableFuture<Void> committed = new CompletableFuture<>();
    boolean start;
    synchronized (this) {
      queue.add(new Pending(List.copyOf(rows), committed));
      start = !committing;
      committing = true;
    }
    if (start) {
      executor.execute(this::commitAll);
    }
    return committed;
  }

  private void commitAll() {
    while (true) {
      List<Pending> batch;
      synchronized (this) {
        if (queue.isEmpty()) {
          committing = false;
          return;
        }
        batch = new ArrayList<>(queue);
        queue.clear();
      }
      try {
        commit(batch);
      } catch (Throwable e) {
        batch.forEach(pending -> pending.committed().completeExceptionally(e));
      }
    }
  }

  private void commit(List<Pending> batch) {
    List<EventRow> rows = new ArrayList<>();
    batch.forEach(pending -> rows.addAll(pending.rows()));
    try {
      store.insert(rows);
      batch.forEach(pending -> pending.committed().complete(null));
    } catch (Exception e) {
      if (batch.size() == 1) {
        batch.get(0).committed().completeExceptionally(e);
        return;
      }
      // One write refused (a sequence number written twice: another node took the upload over)
      // must not fail the others in its transaction: each is tried again alone.
      for (Pending pending : batch) {
        commit(List.of(pending));
      }
    }
  }
}
