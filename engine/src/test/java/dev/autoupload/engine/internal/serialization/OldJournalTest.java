package dev.autoupload.engine.internal.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.internal.upload.FileUpload;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A journal written before the event-sourced actors moved to the internal packages stays
 * readable: its events and snapshots carry the old class names, which {@link
 * MovedToInternalPackages} maps to the new ones. The journal under test is an H2 script of a real
 * data dir, written by the build before the move (three runs: uploads, an alias, keep-both, an
 * overwrite, checkpoints, ledger snapshots).
 */
class OldJournalTest {

  private static final String SCRIPT = "old-journals/h2-before-internal-packages.sql";
  private static final Config CONFIG = ConfigFactory.load();
  private static final ActorTestKit testKit = ActorTestKit.create(CONFIG);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyClassAJournalMayHoldIsFoundUnderItsOldName() {
    List<Class<?>> persisted = new ArrayList<>();
    persisted.addAll(List.of(FileUpload.Event.class.getPermittedSubclasses()));
    persisted.addAll(List.of(BackupSupervisor.Event.class.getPermittedSubclasses()));
    persisted.add(snapshotClass("Ledger"));
    persisted.add(snapshotClass("LedgerSnapshot"));
    Config migrations = CONFIG.getConfig("pekko.serialization.jackson.migrations");

    for (Class<?> type : persisted) {
      String oldName = type.getName().replace("dev.autoupload.engine.internal.", "dev.autoupload.engine.");
      assertThat(migrations.hasPath("\"" + oldName + "\"")).as("a migration for %s", oldName).isTrue();
      assertThat(migrations.getString("\"" + oldName + "\"")).isEqualTo(MovedToInternalPackages.class.getName());
      assertThat(MovedToInternalPackages.movedName(oldName)).isEqualTo(type.getName());
    }
  }

  @Test
  void everyEventAndSnapshotOfAJournalWrittenBeforeTheMoveIsRead() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Map<String, Integer> read = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection("jdbc:h2:mem:old-journal;DATABASE_TO_UPPER=false", "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("RUNSCRIPT FROM 'classpath:/" + SCRIPT + "'");
      for (String query :
          List.of(
              "SELECT event_ser_id, event_ser_manifest, event_payload FROM event_journal",
              "SELECT snapshot_ser_id, snapshot_ser_manifest, snapshot_payload FROM snapshot")) {
        try (ResultSet rows = statement.executeQuery(query)) {
          while (rows.next()) {
            String manifest = rows.getString(2);
            assertThat(manifest).startsWith("dev.autoupload.engine.").doesNotContain(".internal.");
            Object value = serialization.deserialize(rows.getBytes(3), rows.getInt(1), manifest).get();
            assertThat(value.getClass().getName()).isEqualTo(MovedToInternalPackages.movedName(manifest));
            read.merge(value.getClass().getSimpleName(), 1, Integer::sum);
          }
        }
      }
    }

    assertThat(read)
        .containsEntry("UploadStarted", 7)
        .containsEntry("UploadCompleted", 7)
        .containsEntry("AssetBackedUp", 8)
        .containsEntry("ProgressCheckpointed", 2)
        .containsEntry("RemotePathChanged", 2)
        .containsEntry("RemoteFileReplacing", 1)
        .containsKey("LedgerSnapshot");
  }

  @Test
  void eventsWrittenNowCarryTheNewNamesWithoutAVersion() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    FileUpload.UploadResumed event = new FileUpload.UploadResumed(Instant.EPOCH);

    String manifest = Serializers.manifestFor(serialization.findSerializerFor(event), event);

    assertThat(manifest).isEqualTo(FileUpload.UploadResumed.class.getName());
  }

  private static Class<?> snapshotClass(String simpleName) {
    try {
      return Class.forName("dev.autoupload.engine.internal.library." + simpleName);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }
}
