package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.ActivityOrder;
import dev.autoupload.engine.activity.ActivityPage;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production journal: the same engine on a real PostgreSQL server, with the plugin's
 * PostgreSQL DDL and the Activity read model applied by the engine's own migration.
 */
class PostgresJournalIT {

  private static PostgresServer postgres;

  @TempDir Path tmp;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private UploadEngine start(Path dataDir) {
    return start(dataDir, postgres.jdbcUrl());
  }

  private static UploadEngine start(Path dataDir, String journalUrl) {
    return EngineInternals.start(
        ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dataDir.toString(),
                    "autoupload.journal.url", journalUrl,
                    "autoupload.journal.user", postgres.user(),
                    "autoupload.journal.password", "",
                    "autoupload.layout.pattern", "{path}",
                    // Snapshots over the ledger table, several in a run of 60 files.
                    "autoupload.ledger-snapshot-every", "7"))
            .withFallback(ConfigFactory.load()));
  }

  private static EngineStatus awaitIdle(UploadEngine engine) {
    AtomicReference<EngineStatus> last = new AtomicReference<>();
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
      last.set(engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS));
      return last.get().idle();
    });
    return last.get();
  }

  @Test
  void backsUpOnPostgresKnowsEverythingAfterARestartAndShowsItInActivity() throws Exception {
    Path source = tmp.resolve("photos");
    Path target = tmp.resolve("backup");
    Path dataDir = tmp.resolve("data");
    MediaFiles.randomTree(source, 60, 1024, 300 * 1024, new SplittableRandom(60));
    Map<String, String> hashes = MediaFiles.sha256Tree(source);

    try (UploadEngine engine = start(dataDir)) {
      engine.addLibrary(new Library("pg", new FolderSource("pg", source), new LocalFolderTarget(target)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      EngineStatus done = awaitIdle(engine);
      assertThat(done.backedUp()).isEqualTo(60);
      assertThat(done.failed()).isZero();
    }
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(hashes);
    try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
        Statement query = db.createStatement()) {
      try (ResultSet rows =
          query.executeQuery(
              "SELECT snapshot_ser_manifest FROM snapshot WHERE persistence_id = 'BackupSupervisor|pg' "
                  + "ORDER BY sequence_number DESC")) {
        assertThat(rows.next()).as("a snapshot of the library").isTrue();
        assertThat(rows.getString(1)).isEqualTo("dev.autoupload.engine.internal.library.LedgerSnapshot");
      }
      try (ResultSet rows =
          query.executeQuery("SELECT COUNT(*) FROM ledger_row WHERE persistence_id = 'BackupSupervisor|pg'")) {
        rows.next();
        // The last write may not have been made before the engine closed: the events hold it.
        assertThat(rows.getInt(1)).as("a row per asset version backed up").isPositive().isLessThanOrEqualTo(60);
      }
    }

    try (UploadEngine engine = start(dataDir)) {
      engine.addLibrary(new Library("pg", new FolderSource("pg", source), new LocalFolderTarget(target)))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      EngineStatus again = awaitIdle(engine);
      assertThat(again.libraries().get(0).alreadyBackedUp()).isEqualTo(60);
      assertThat(again.bytesSent()).isZero();

      await().atMost(Duration.ofSeconds(30)).until(() ->
          engine.counts().toCompletableFuture().get(5, TimeUnit.SECONDS)
              .getOrDefault("pg", Map.of()).getOrDefault(UploadState.COMPLETED, 0L) == 60L);
      List<ActivityItem> all = new ArrayList<>();
      Optional<String> cursor = Optional.empty();
      do {
        ActivityPage page = engine.activity(25, cursor, ActivityOrder.UPLOADED).toCompletableFuture().get(5, TimeUnit.SECONDS);
        all.addAll(page.items());
        cursor = page.next();
      } while (cursor.isPresent());
      assertThat(all).hasSize(60).extracting(ActivityItem::assetId).doesNotHaveDuplicates();
      assertThat(all).extracting(ActivityItem::path).containsExactlyInAnyOrderElementsOf(hashes.keySet());
    }
  }

  /**
   * Engines sharing one journal (the nodes of a cluster) that start at the same instant on an empty
   * database all start: the schema, the journal's and the Activity projection's tables, is made
   * once, under the journal's migration lock. PostgreSQL's CREATE TABLE IF NOT EXISTS is not
   * safe against itself: two at once, one fails on a unique index of the catalog (seen in ClusterIT).
   */
  @Test
  void enginesStartingAtOnceOnAnEmptyDatabaseAllStart() throws Exception {
    int engines = 4;
    for (int round = 0; round < 3; round++) {
      String url = postgres.createDatabase("race" + round);
      CyclicBarrier atOnce = new CyclicBarrier(engines);
      ExecutorService threads = Executors.newFixedThreadPool(engines);
      List<Future<UploadEngine>> starts = new ArrayList<>();
      for (int n = 0; n < engines; n++) {
        Path dataDir = tmp.resolve("round" + round + "-node" + n);
        starts.add(
            threads.submit(
                () -> {
                  atOnce.await();
                  return start(dataDir, url);
                }));
      }
      List<Throwable> failures = new ArrayList<>();
      List<UploadEngine> started = new ArrayList<>();
      for (Future<UploadEngine> start : starts) {
        try {
          started.add(start.get(2, TimeUnit.MINUTES));
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        }
      }
      threads.shutdown();
      for (UploadEngine engine : started) {
        engine.close();
      }
      assertThat(failures).as("round %d: engines that failed to start", round).isEmpty();
      try (Connection db = DriverManager.getConnection(url, postgres.user(), "");
          Statement query = db.createStatement();
          ResultSet rows =
              query.executeQuery(
                  "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('event_journal', 'snapshot', 'activity_asset', 'pekko_projection_offset_store')")) {
        rows.next();
        assertThat(rows.getInt(1)).as("the journal's and the Activity's tables").isEqualTo(4);
      }
    }
  }
}
