package dev.autoupload.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.conditions.RunMarker;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API on the real default journal: an H2 file database in the data dir. */
class UploadEngineTest {

  private static final ActorTestKit probes = ActorTestKit.create();

  @TempDir Path dataDir;

  @AfterAll
  static void shutdown() {
    probes.shutdownTestKit();
  }

  private static EngineStatus awaitIdle(UploadEngine engine) {
    TestProbe<Object> probe = probes.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(30),
        Duration.ofMillis(20),
        () -> {
          EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertThat(status.idle()).as("idle: %s", status).isTrue();
          return status;
        });
  }

  @Test
  void backsUpALibraryAndAfterARestartUploadsNothingAgain() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    for (int i = 0; i < 40; i++) {
      source.add("DCIM/IMG_%04d.HEIC".formatted(i), 3000 + i);
    }
    List<EngineEvent> events = new CopyOnWriteArrayList<>();

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addListener(events::add);
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = awaitIdle(engine);
      assertThat(status.backedUp()).isEqualTo(40);
      assertThat(status.bytesDone()).isEqualTo(status.bytesToUpload());
    }
    assertThat(Files.exists(dataDir.resolve("journal.mv.db"))).isTrue();
    assertThat(events).filteredOn(EngineEvent.AssetUploaded.class::isInstance).hasSize(40);
    long sent = target.bytesReceived();

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = awaitIdle(engine);
      assertThat(status.libraries().get(0).alreadyBackedUp()).isEqualTo(40);
      assertThat(status.libraries().get(0).completed()).isZero();
    }
    assertThat(target.bytesReceived()).isEqualTo(sent);
  }

  /**
   * Snapshots every 5 events hold where the ledger table stood and the events after it, not the
   * whole ledger; a restart recovers the ledger from the table, the snapshot and the events after
   * it, and queues nothing.
   */
  @Test
  void theLedgerLivesInItsTableAndSnapshotsStaySmall() throws Exception {
    InMemorySource source = new InMemorySource("camera");
    InMemoryTarget target = new InMemoryTarget();
    for (int i = 0; i < 40; i++) {
      source.add("DCIM/IMG_%04d.HEIC".formatted(i), 3000 + i);
    }
    try (UploadEngine engine = UploadEngine.builder()
        .dataDir(dataDir)
        .setting("autoupload.ledger-snapshot-every", 5)
        .initialConditions(DeviceConditions.desktop())
        .start()) {
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(awaitIdle(engine).backedUp()).isEqualTo(40);
    }
    long sent = target.bytesReceived();
    try (Connection db =
            java.sql.DriverManager.getConnection(
                "jdbc:h2:file:" + dataDir.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
        Statement query = db.createStatement()) {
      try (ResultSet rows =
          query.executeQuery(
              "SELECT snapshot_ser_manifest FROM \"snapshot\" ORDER BY sequence_number DESC")) {
        assertThat(rows.next()).as("a snapshot").isTrue();
        assertThat(rows.getString(1)).isEqualTo("dev.autoupload.engine.internal.library.LedgerSnapshot");
      }
      try (ResultSet rows = query.executeQuery("SELECT COUNT(*) FROM ledger_row WHERE persistence_id = 'BackupSupervisor|camera'")) {
        rows.next();
        // The last write may not have been made before the engine closed: the events hold it.
        assertThat(rows.getInt(1)).as("a row per asset version backed up").isPositive();
      }
    }

    try (UploadEngine engine = UploadEngine.builder()
        .dataDir(dataDir)
        .setting("autoupload.ledger-snapshot-every", 5)
        .initialConditions(DeviceConditions.desktop())
        .start()) {
      engine.addLibrary(new Library("camera", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status = awaitIdle(engine);
      assertThat(status.libraries().get(0).alreadyBackedUp()).isEqualTo(40);
      assertThat(status.libraries().get(0).completed()).isZero();
    }
    assertThat(target.bytesReceived()).isEqualTo(sent);
  }

  @Test
  void outsideItsScheduleNothingIsSentAndEveryFileSaysWhy() throws Exception {
    InMemorySource source = new InMemorySource("night");
    source.add("IMG_0001.jpg", 100);
    InMemoryTarget target = new InMemoryTarget();
    LocalTime now = LocalTime.now();
    String window = now.plusHours(2).withSecond(0).withNano(0) + "-" + now.plusHours(3).withSecond(0).withNano(0);
    try (UploadEngine engine =
        EngineInternals.start(
            ConfigFactory.parseMap(
                    Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.policy.schedule", List.of(window)))
                .withFallback(ConfigFactory.load()))) {
      engine.addLibrary(new Library("night", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      EngineStatus status =
          probes.createTestProbe().awaitAssert(
              Duration.ofSeconds(30),
              () -> {
                EngineStatus seen = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(seen.libraries().get(0).queued()).isEqualTo(1);
                return seen;
              });
      assertThat(status.verdict().allowed()).isFalse();
      assertThat(status.reasons()).containsExactly(BlockerReason.OUTSIDE_SCHEDULE);
      assertThat(status.libraries().get(0).reasons()).contains(BlockerReason.OUTSIDE_SCHEDULE);
    }
    assertThat(target.bytesReceived()).isZero();
  }

  @Test
  void aClosedSubscriptionGetsNoMoreEvents() throws Exception {
    InMemorySource source = new InMemorySource("listeners");
    source.add("one.jpg", 100);
    List<EngineEvent> kept = new CopyOnWriteArrayList<>();
    List<EngineEvent> dropped = new CopyOnWriteArrayList<>();
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addListener(kept::add);
      engine.addListener(dropped::add).close();
      engine.addLibrary(new Library("listeners", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
      probes.createTestProbe().awaitAssert(
          Duration.ofSeconds(5), () -> assertThat(kept).hasAtLeastOneElementOfType(EngineEvent.AssetUploaded.class));
    }
    assertThat(dropped).isEmpty();
  }

  @Test
  void journalEventsAreTaggedForTheActivityProjection() throws Exception {
    InMemorySource source = new InMemorySource("tags");
    source.add("one.jpg", 100);
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("tags", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);
    }
    try (Connection db = java.sql.DriverManager.getConnection(
            "jdbc:h2:file:" + dataDir.resolve("journal") + ";DATABASE_TO_UPPER=false", "sa", "");
        Statement query = db.createStatement();
        ResultSet rows =
            query.executeQuery(
                "SELECT j.\"event_ser_manifest\", t.\"tag\" FROM \"event_journal\" j "
                    + "JOIN \"event_tag\" t ON t.\"event_id\" = j.\"ordering\" "
                    + "WHERE j.\"persistence_id\" LIKE 'FileUpload|tags:%' ORDER BY j.\"ordering\"")) {
      List<String> manifests = new java.util.ArrayList<>();
      while (rows.next()) {
        manifests.add(rows.getString(1));
        assertThat(rows.getString(2)).isEqualTo("file-upload");
      }
      assertThat(manifests)
          .containsExactly(
              "dev.autoupload.engine.internal.upload.FileUpload$UploadStarted",
              "dev.autoupload.engine.internal.upload.FileUpload$UploadCompleted");
    }
  }

  @Test
  void aSecondEngineOnTheSameDataDirRefusesToStart() {
    try (UploadEngine first = UploadEngine.start(dataDir)) {
      assertThatThrownBy(() -> UploadEngine.start(dataDir))
          .isInstanceOf(EngineStartException.DataDirInUse.class)
          .hasMessageContaining("data dir " + dataDir.toAbsolutePath())
          .hasMessageContaining("in use");
    }
    // Released on close: a new engine starts.
    UploadEngine.start(dataDir).close();
  }

  @Test
  void pauseIsReportedAsUserPausedAndResumeClearsIt() throws Exception {
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.pause().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).reasons())
          .containsExactly(BlockerReason.USER_PAUSED);
      InMemorySource source = new InMemorySource("paused");
      InMemoryTarget target = new InMemoryTarget();
      source.add("a.jpg", 1000);
      engine.addLibrary(new Library("paused", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      TestProbe<Object> probe = probes.createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(10),
          () -> {
            var library = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS).libraries().get(0);
            assertThat(library.scanning()).isFalse();
            assertThat(library.queued()).isEqualTo(1);
            assertThat(library.reasons()).containsExactly(BlockerReason.USER_PAUSED);
            return library;
          });
      assertThat(target.bytesReceived()).isZero();

      engine.resume().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(awaitIdle(engine).backedUp()).isEqualTo(1);
    }
  }

  @Test
  void invalidSettingsAndAMissingDataDirGiveClearErrors() {
    assertThatThrownBy(() -> EngineInternals.start(ConfigFactory.load()))
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("autoupload.data-dir is not set");
    assertThatThrownBy(
            () ->
                EngineInternals.start(
                    ConfigFactory.parseMap(
                            Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.upload.parallelism", 0))
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("autoupload.upload.parallelism must be at least 1");
    assertThatThrownBy(
            () ->
                EngineInternals.start(
                    ConfigFactory.parseMap(
                            Map.of("autoupload.data-dir", dataDir.toString(), "autoupload.journal.url", "jdbc:mysql://x"))
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(EngineStartException.class)
        .hasMessageContaining("unsupported journal URL");
  }

  /** An engine that restarts a failed library within a fraction of a second, answering within 2 s. */
  private UploadEngine quicklyRestarting() {
    return EngineInternals.start(
        ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dataDir.toString(),
                    "autoupload.supervision.min-backoff", "50ms",
                    "autoupload.supervision.max-backoff", "200ms",
                    "autoupload.supervision.once-max-restarts", 2,
                    "autoupload.ask-timeout", "2s"))
            .withFallback(ConfigFactory.load()));
  }

  private static EngineStatus statusWithin2s(UploadEngine engine) throws Exception {
    return engine.status().toCompletableFuture().get(2, TimeUnit.SECONDS);
  }

  @Test
  void aLibraryWhoseBackupKeepsFailingShowsDownWithTheReasonWhileTheOtherBacksUp() throws Exception {
    InMemorySource brokenSource = new InMemorySource("broken");
    brokenSource.add("a.jpg", 1000);
    InMemoryTarget brokenTarget = new InMemoryTarget();
    brokenTarget.failNameRules(Optional.of(new IllegalStateException("the target lost its settings")));
    InMemorySource camera = new InMemorySource("camera");
    for (int i = 0; i < 30; i++) {
      camera.add("IMG_%04d.JPG".formatted(i), 2000 + i);
    }
    InMemoryTarget cameraTarget = new InMemoryTarget();

    try (UploadEngine engine = quicklyRestarting()) {
      engine.addLibrary(new Library("broken", brokenSource, brokenTarget).watched()).toCompletableFuture().get(5, TimeUnit.SECONDS);
      engine.addLibrary(new Library("camera", camera, cameraTarget)).toCompletableFuture().get(5, TimeUnit.SECONDS);

      TestProbe<Object> probe = probes.createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> {
            EngineStatus status = statusWithin2s(engine);
            LibraryStatus broken = status.libraries().get(0);
            assertThat(broken.down()).as("broken: %s", broken).isPresent();
            assertThat(broken.down().get().reason()).isEqualTo("IllegalStateException: the target lost its settings");
            assertThat(broken.down().get().restarting()).isTrue();
            assertThat(broken.down().get().failures()).isGreaterThanOrEqualTo(3);
            assertThat(broken.reasons()).containsExactly(BlockerReason.LIBRARY_DOWN);
            LibraryStatus backedUp = status.libraries().get(1);
            assertThat(backedUp.idle()).as("camera: %s", backedUp).isTrue();
            assertThat(backedUp.completed()).isEqualTo(30);
            return status;
          });
      assertThat(brokenTarget.nameRulesAsked()).as("restarts").isGreaterThanOrEqualTo(3);

      // Once the fault is gone, the next restart backs the library up.
      brokenTarget.failNameRules(Optional.empty());
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> {
            LibraryStatus broken = statusWithin2s(engine).libraries().get(0);
            assertThat(broken.down()).isEmpty();
            assertThat(broken.completed()).isEqualTo(1);
            return broken;
          });
    }
  }

  @Test
  void aWatchedLibraryThatFailsWhileWatchingLeavesNoWatchBehindAndRecovers() throws Exception {
    InMemorySource source = new InMemorySource("watched");
    source.add("a.jpg", 1000);
    InMemoryTarget target = new InMemoryTarget();

    try (UploadEngine engine = quicklyRestarting()) {
      engine.addLibrary(new Library("watched", source, target).watched()).toCompletableFuture().get(5, TimeUnit.SECONDS);
      TestProbe<Object> probe = probes.createTestProbe();
      probe.awaitAssert(Duration.ofSeconds(30), () -> assertThat(source.watchers()).isEqualTo(1));

      // Each status now fails the backup, after it has started watching: it asks the target's
      // notes, which throw. Each restart asks the target's name rules once.
      int started = target.nameRulesAsked();
      target.failNotes(Optional.of(new IllegalStateException("the target lost its notes")));
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> {
            LibraryStatus library = statusWithin2s(engine).libraries().get(0);
            assertThat(target.nameRulesAsked() - started).as("restarts").isGreaterThanOrEqualTo(3);
            return library;
          });
      assertThat(source.watchers()).as("watches left by failed backups").isLessThanOrEqualTo(1);

      target.failNotes(Optional.empty());
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> {
            assertThat(statusWithin2s(engine).libraries().get(0).down()).isEmpty();
            assertThat(source.watchers()).isEqualTo(1);
            return source;
          });
    }
  }

  @Test
  void aLibraryBackedUpOnceGivesUpAfterFailingTooOftenAndStaysDown() throws Exception {
    InMemorySource source = new InMemorySource("once");
    source.add("a.jpg", 1000);
    InMemoryTarget target = new InMemoryTarget();
    target.failNameRules(Optional.of(new IllegalStateException("the target lost its settings")));

    try (UploadEngine engine = quicklyRestarting()) {
      engine.addLibrary(new Library("once", source, target)).toCompletableFuture().get(5, TimeUnit.SECONDS);

      LibraryStatus.Down down =
          probes.createTestProbe().awaitAssert(
              Duration.ofSeconds(30),
              Duration.ofMillis(50),
              () -> {
                LibraryStatus library = statusWithin2s(engine).libraries().get(0);
                assertThat(library.down()).isPresent();
                assertThat(library.down().get().restarting()).as("%s", library).isFalse();
                return library.down().get();
              });
      assertThat(down.failures()).as("the first start and its 2 restarts").isEqualTo(3);
      assertThat(statusWithin2s(engine).idle()).isFalse();
      assertThat(target.nameRulesAsked()).isEqualTo(3);
    }
  }

  @Test
  void theDataDirAndItsFilesAreTheOwnersAloneWhateverTheyWereBefore() throws Exception {
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path lock = Files.writeString(dataDir.resolve("autoupload.lock"), "");
    Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
    InMemorySource source = new InMemorySource("private");
    source.add("a.jpg", 100);

    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      engine.addLibrary(new Library("private", source, new InMemoryTarget())).toCompletableFuture().get(5, TimeUnit.SECONDS);
      awaitIdle(engine);

      assertThat(permissions(dataDir)).isEqualTo("rwx------");
      Map<String, String> files = new java.util.TreeMap<>();
      try (var list = Files.list(dataDir)) {
        for (Path file : list.filter(Files::isRegularFile).toList()) {
          try {
            files.put(file.getFileName().toString(), permissions(file));
          } catch (java.nio.file.NoSuchFileException gone) {
            // The run marker comes and goes with the conditions' verdict: listed, then deleted.
          }
        }
      }
      assertThat(files).containsKeys("journal.mv.db", "autoupload.lock");
      assertThat(files.values()).as("%s", files).containsOnly("rw-------");
    }
  }

  @Test
  void aDataDirAnotherUserOwnsIsUsedAsItIs() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "only root can give the data dir to another user");
    Path shared = Files.createDirectories(dataDir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setOwner(shared, shared.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

    UploadEngine.start(shared).close();

    assertThat(permissions(shared)).isEqualTo("rwxrwxrwx");
    assertThat(permissions(shared.resolve("journal.mv.db"))).isEqualTo("rw-------");
  }

  @Test
  void theRunMarkerIsTheOwnersAlone() throws Exception {
    Path marker = dataDir.resolve("run-in-progress");

    RunMarker.file(marker).started();

    assertThat(permissions(marker)).isEqualTo("rw-------");
  }

  private static String permissions(Path path) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
