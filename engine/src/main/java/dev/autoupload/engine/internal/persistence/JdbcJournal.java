package dev.autoupload.engine.internal.persistence;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.persistence.JournalStore.EventRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The engine's journal plugin: events in the journal database's {@code event_journal} and {@code
 * event_tag} tables ({@link JournalStore}), written by {@link GroupCommit}. Pekko creates it from
 * the {@code jdbc-journal} section of the engine's wiring; the tables come with the actor system's
 * {@link JournalSetup}.
 */
public final class JdbcJournal extends AsyncWriteJournal {

  private final JournalStore store;
  private final JournalSerialization serialization;
  private final Executor jdbc;
  private final GroupCommit commits;

  /**
   * @param config the plugin's section: {@code jdbc-dispatcher} names the dispatcher its database
   *     calls block on
   */
  public JdbcJournal(Config config) {
    this.store = JournalSetup.storeOf(context().system());
    this.serialization = new JournalSerialization(context().system());
    this.jdbc = context().system().dispatchers().lookup(config.getString("jdbc-dispatcher"));
    this.commits = new GroupCommit(store, jdbc);
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    long now = System.currentTimeMillis();
    List<EventRow> rows = new ArrayList<>();
    List<Optional<Exception>> results = new ArrayList<>();
    boolean rejected = false;
    for (AtomicWrite write : messages) {
      // An event that cannot be serialized is rejected alone (its actor is told); the rest go on.
      try {
        List<EventRow> own = new ArrayList<>();
        for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
          own.add(serialization.toRow(repr, now));
        }
        rows.addAll(own);
        results.add(Optional.empty());
      } catch (Exception e) {
        results.add(Optional.of(e));
        rejected = true;
      }
    }
    Iterable<Optional<Exception>> outcome = rejected ? results : List.of();
    return FutureConverters.asScala(commits.write(rows).thenApply(committed -> outcome));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return run(
        () -> {
          store.markDeleted(persistenceId, toSequenceNr);
          return null;
        });
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replayCallback) {
    return run(
        () -> {
          store.replay(persistenceId, fromSequenceNr, toSequenceNr, max, row -> replayCallback.accept(serialization.toRepr(row)));
          return null;
        });
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return run(() -> Math.max(fromSequenceNr, store.highestSequenceNr(persistenceId)));
  }

  private <T> Future<T> run(DatabaseCall<T> call) {
    return FutureConverters.asScala(DatabaseCall.runOn(jdbc, call));
  }
}
