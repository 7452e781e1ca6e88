package dev.autoupload.engine.internal.verify;

import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.internal.persistence.DatabaseCall;
import dev.autoupload.engine.internal.persistence.JournalSerialization;
import dev.autoupload.engine.internal.persistence.JournalSetup;
import dev.autoupload.engine.internal.persistence.JournalStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Where the journal says a library's contents were backed up: the remote path of each asset's
 * backup and the first remote path recorded for each content, from the library's {@link
 * BackupSupervisor.AssetBackedUp} events.
 */
final class JournalIndex {

  /** What one event recorded: the content and, unless it was an alias, where it was uploaded. */
  private record Backup(String sha256, Optional<String> remotePath, Instant at) {}

  private final Map<String, Backup> byAsset = new HashMap<>();
  private final Map<String, String> byContent = new HashMap<>();
  private final Map<String, Instant> lastUploadOf = new HashMap<>();

  private JournalIndex() {}

  /** Reads every event the library has persisted so far. */
  static CompletionStage<JournalIndex> read(ActorSystem<?> system, String libraryId) {
    JournalStore journal = JournalSetup.storeOf(system);
    JournalSerialization serialization = new JournalSerialization(system);
    return DatabaseCall.runOn(
        system.dispatchers().lookup(DispatcherSelector.fromConfig(JournalSetup.DISPATCHER)),
        () -> {
          JournalIndex index = new JournalIndex();
          journal.replay(
              BackupSupervisor.persistenceId(libraryId).id(), 0L, Long.MAX_VALUE, Long.MAX_VALUE,
              row -> index.add(serialization.toRepr(row).payload()));
          return index;
        });
  }

  private JournalIndex add(Object event) {
    if (event instanceof BackupSupervisor.AssetBackedUp backedUp) {
      Backup backup = new Backup(backedUp.sha256(), backedUp.remotePath(), backedUp.at());
      byAsset.put(backedUp.assetId(), backup);
      backup.remotePath().ifPresent(path -> byContent.putIfAbsent(backup.sha256(), path));
      if (backup.remotePath().isPresent()) {
        lastUploadOf.put(backup.sha256(), backup.at());
      }
    }
    return this;
  }

  /**
   * Where the content {@code sha256} of asset {@code assetId} was uploaded: the asset's own backup
   * when the journal recorded it with this content, else the first backup of this content (the
   * asset is an alias, or was renamed or copied); empty when the journal knows no backup of it.
   */
  Optional<String> pathFor(String assetId, String sha256) {
    Backup own = byAsset.get(assetId);
    if (own != null && own.sha256().equals(sha256) && own.remotePath().isPresent()) {
      return own.remotePath();
    }
    return Optional.ofNullable(byContent.get(sha256));
  }

  /**
   * When the content {@code sha256} was last uploaded, as the journal recorded it; empty when it
   * recorded no upload of it. The last, not the first: a backup uploaded again (after it was lost
   * on the target) is only as old as its new copy, and a younger age only keeps a file longer.
   */
  Optional<Instant> uploadedAt(String sha256) {
    return Optional.ofNullable(lastUploadOf.get(sha256));
  }
}
