package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.internal.upload.FileUpload;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Pekko's Jackson serializer writes each event's class name into the journal as its manifest, and
 * reads it back with that name. A persisted type that moves or is renamed leaves every existing
 * journal unreadable, unless a {@code JacksonMigration} maps the old name: so these names are
 * written out here, not derived. (The move to the internal packages has its migration, {@code
 * MovedToInternalPackages}, proven by {@code OldJournalTest}.)
 */
class JournalManifestsTest {

  private static final Set<String> JOURNALED =
      Set.of(
          "dev.autoupload.engine.internal.library.BackupSupervisor$AssetBackedUp",
          "dev.autoupload.engine.internal.library.Ledger",
          "dev.autoupload.engine.internal.library.LedgerSnapshot",
          "dev.autoupload.engine.internal.upload.FileUpload$ProgressCheckpointed",
          "dev.autoupload.engine.internal.upload.FileUpload$RemoteFileReplacing",
          "dev.autoupload.engine.internal.upload.FileUpload$RemotePathChanged",
          "dev.autoupload.engine.internal.upload.FileUpload$ResumeTokenRecorded",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadCompleted",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadFailed",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadPaused",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadResumed",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadSkipped",
          "dev.autoupload.engine.internal.upload.FileUpload$UploadStarted");

  @Test
  void everyEventAndSnapshotKeepsTheClassNameJournalsHold() throws ClassNotFoundException {
    Set<String> persisted = new TreeSet<>();
    concrete(BackupSupervisor.Event.class, persisted);
    concrete(FileUpload.Event.class, persisted);
    persisted.add(Class.forName("dev.autoupload.engine.internal.library.Ledger").getName());
    persisted.add(Class.forName("dev.autoupload.engine.internal.library.LedgerSnapshot").getName());

    assertThat(persisted)
        .as("a new event is added here; a moved or renamed one needs a JacksonMigration from its old name")
        .containsExactlyInAnyOrderElementsOf(JOURNALED);
  }

  private static void concrete(Class<?> type, Set<String> names) {
    if (type.isSealed()) {
      for (Class<?> permitted : type.getPermittedSubclasses()) {
        concrete(permitted, names);
      }
    } else {
      names.add(type.getName());
    }
  }
}
