package dev.autoupload.engine.internal.persistence;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.persistence.JournalStore.SnapshotBounds;
import dev.autoupload.engine.internal.persistence.JournalStore.SnapshotRow;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * The engine's snapshot store plugin: snapshots in the journal database's {@code snapshot} table
 * ({@link JournalStore}). Pekko creates it from the {@code jdbc-snapshot-store} section of the
 * engine's wiring; the tables come with the actor system's {@link JournalSetup}.
 */
public final class JdbcSnapshotStore extends SnapshotStore {

  private final JournalStore store;
  private final JournalSerialization serialization;
  private final Executor jdbc;

  /**
   * @param config the plugin's section: {@code jdbc-dispatcher} names the dispatcher its database
   *     calls block on
   */
  public JdbcSnapshotStore(Config config) {
    this.store = JournalSetup.storeOf(context().system());
    this.serialization = new JournalSerialization(context().system());
    this.jdbc = context().system().dispatchers().lookup(config.getString("jdbc-dispatcher"));
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return run(() -> store.latestSnapshot(persistenceId, bounds(criteria)).map(this::selected));
  }

  private SelectedSnapshot selected(SnapshotRow row) {
    SnapshotMetadata metadata = SnapshotMetadata.apply(row.persistenceId(), row.sequenceNr(), row.created());
    if (row.metadata().isPresent()) {
      metadata = metadata.withMetadata(serialization.deserialize(row.metadata().get()));
    }
    return SelectedSnapshot.create(metadata, serialization.deserialize(row.snapshot()));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return run(
        () -> {
          store.saveSnapshot(
              new SnapshotRow(
                  metadata.persistenceId(),
                  metadata.sequenceNr(),
                  metadata.timestamp(),
                  serialization.serialize(snapshot),
                  OptionConverters.toJava(metadata.metadata()).map(serialization::serialize)));
          return null;
        });
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return run(
        () -> {
          store.deleteSnapshots(
              metadata.persistenceId(), new SnapshotBounds(metadata.sequenceNr(), metadata.sequenceNr(), 0L, Long.MAX_VALUE));
          return null;
        });
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return run(
        () -> {
          store.deleteSnapshots(persistenceId, bounds(criteria));
          return null;
        });
  }

  private static SnapshotBounds bounds(SnapshotSelectionCriteria criteria) {
    return new SnapshotBounds(
        criteria.minSequenceNr(), criteria.maxSequenceNr(), criteria.minTimestamp(), criteria.maxTimestamp());
  }

  private <T> Future<T> run(DatabaseCall<T> call) {
    return FutureConverters.asScala(DatabaseCall.runOn(jdbc, call));
  }
}
