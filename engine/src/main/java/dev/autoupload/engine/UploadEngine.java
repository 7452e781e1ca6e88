package dev.autoupload.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.ActivityOrder;
import dev.autoupload.engine.activity.ActivityPage;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.LibraryConditions;
import dev.autoupload.engine.conditions.NotOwnConditionsException;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.freespace.AfterBackup;
import dev.autoupload.engine.freespace.FreeSpace;
import dev.autoupload.engine.freespace.FreedLog;
import dev.autoupload.engine.internal.ConfigSettings;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.EngineSettings;
import dev.autoupload.engine.internal.Restarts;
import dev.autoupload.engine.internal.ScalaConsoleFilter;
import dev.autoupload.engine.internal.activity.ActivityProjection;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import dev.autoupload.engine.internal.activity.ActivityStore;
import dev.autoupload.engine.internal.activity.CostlyQuery;
import dev.autoupload.engine.internal.conditions.ConditionMonitor;
import dev.autoupload.engine.internal.conditions.PolicySettings;
import dev.autoupload.engine.internal.conditions.RunMarker;
import dev.autoupload.engine.internal.library.BackupSupervisor;
import dev.autoupload.engine.internal.metrics.EngineMetrics;
import dev.autoupload.engine.internal.persistence.DataDirLock;
import dev.autoupload.engine.internal.persistence.DatabaseCall;
import dev.autoupload.engine.internal.persistence.EmbeddedJournalCompaction;
import dev.autoupload.engine.internal.persistence.JdbcContentHashCache;
import dev.autoupload.engine.internal.persistence.JdbcLedgerTable;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.internal.persistence.JournalSetup;
import dev.autoupload.engine.internal.persistence.JournalStore;
import dev.autoupload.engine.internal.persistence.PrivateFiles;
import dev.autoupload.engine.internal.serialization.LocalSerializers;
import dev.autoupload.engine.internal.upload.BandwidthLimiter;
import dev.autoupload.engine.internal.upload.StepTracker;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.internal.verify.Verifier;
import dev.autoupload.engine.internal.watchdog.Watchdog;
import dev.autoupload.engine.internal.watchdog.WatchdogSettings;
import dev.autoupload.engine.internal.watchdog.Webhook;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyProgress;
import dev.autoupload.engine.verify.VerifyReport;
import dev.autoupload.engine.watchdog.Stall;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a host app embeds: add libraries, and it backs them up in the background, exactly
 * once and byte-exact, resuming by itself after a kill.
 *
 * <pre>{@code
 * InMemoryAssets photos = AssetSources.inMemory();
 * photos.put("asset-1", "DCIM/IMG_0001.JPG", jpegBytes, takenAt);
 * UploadTarget target = Targets.localFolder(backupFolder); // module autoupload-targets
 * try (UploadEngine engine = UploadEngine.builder().dataDir(Path.of("/var/lib/autoupload")).start()) {
 *   engine.reportConditions(conditions);
 *   engine.addLibrary(new Library("camera", photos, target)).toCompletableFuture().get(30, SECONDS);
 *   EngineStatus done = engine.awaitIdle().toCompletableFuture().get(5, MINUTES);
 *   System.out.println(done.backedUp());
 * }
 * }</pre>
 *
 * <p>The README's "Embedding" section and {@code examples/host-app} show a whole host app.
 *
 * <p>Every method is thread-safe. Calls that talk to the running engine return a {@link
 * CompletionStage} that fails with a {@link java.util.concurrent.TimeoutException} when the engine
 * does not answer within {@code autoupload.ask-timeout}.
 */
public final class UploadEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UploadEngine.class);
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  private static final String WIRING = "dev/autoupload/engine/wiring.conf";
  /**
   * How often {@link #awaitIdle} asks for the status: a scan's end and a retry's wait end without
   * an event, so events alone cannot tell; a status costs one message per library.
   */
  private static final Duration IDLE_CHECK_EVERY = Duration.ofMillis(100);
  /**
   * The Activity's counts are reused once they took this long (about 100,000 assets), for ten times
   * what they took: at a million assets 1.4 s a time, which the Activity page asked for at each
   * burst of upload events, then at most a tenth of a core and 15 s old.
   */
  private static final Duration COSTLY_COUNTS = Duration.ofMillis(100);
  private static final long COUNTS_REUSED_FOR_COST_TIMES = 10;

  private final ActorSystem<EngineGuardian.Command> system;
  private final DataDirLock lock;
  private final HikariDataSource activityPool;
  /** The journal plugin's pool, apart from the read model's as Slick's was: a burst of reads never waits on writes. */
  private final HikariDataSource journalPool;
  private final JournalDatabase journal;
  private final Optional<EmbeddedJournalCompaction> compaction;
  private final StepTracker steps;
  private final ActivityStore activity;
  /** The Activity's counts over all runs: a scan of every row, reused while young for its cost. */
  private final CostlyQuery<Map<String, Map<UploadState, Long>>> counts;
  private final Executor blockingIo;
  private final Duration askTimeout;
  private final Verifier verifier;
  private final FreedLog freedLog;
  private final FreeSpace freeSpace;
  private final List<Library> libraries = new CopyOnWriteArrayList<>();
  private final List<ConditionSource> conditionSources = new CopyOnWriteArrayList<>();
  /** Targets of removed libraries not closed yet; see {@link #removeLibrary}. */
  private final List<UploadTarget> retiredTargets = new CopyOnWriteArrayList<>();
  /** Each library's latest status, so one that went down still shows what it had done. */
  private final Map<String, LibraryStatus> lastStatus = new ConcurrentHashMap<>();
  private final ActorRef<Watchdog.Command> watchdog;
  private final CompositeMeterRegistry registry;
  private final EngineMetrics metrics;
  private final Optional<Webhook> webhook;
  private boolean closed;
  private final ContentHashCache hashes;

  private UploadEngine(
      ActorSystem<EngineGuardian.Command> system,
      DataDirLock lock,
      HikariDataSource activityPool,
      HikariDataSource journalPool,
      JournalDatabase journal,
      Optional<EmbeddedJournalCompaction> compaction,
      StepTracker steps,
      Duration askTimeout,
      VerifierSettings verify,
      WatchdogSettings watchdogSettings,
      CompositeMeterRegistry registry,
      EngineMetrics metrics) {
    this.system = system;
    this.journal = journal;
    this.compaction = compaction;
    this.steps = steps;
    this.lock = lock;
    this.activityPool = activityPool;
    this.journalPool = journalPool;
    this.activity = new ActivityStore(activityPool);
    this.askTimeout = askTimeout;
    this.blockingIo = system.dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    this.counts = new CostlyQuery<>(() -> query(activity::counts), COSTLY_COUNTS, COUNTS_REUSED_FOR_COST_TIMES, System::nanoTime);
    this.verifier = new Verifier(system, verify.layout(), verify.hashes(), verify.parallelism(), blockingIo);
    this.hashes = verify.hashes();
    this.freedLog = new FreedLog(activityPool);
    this.freeSpace = new FreeSpace(verify.afterBackup(), freedLog, Clock.systemUTC());
    this.registry = registry;
    this.metrics = metrics;
    addListener(metrics::onEvent);
    journal.file().ifPresent(metrics::journalFile);
    this.webhook = watchdogSettings.webhook().map(uri -> new Webhook(uri, watchdogSettings));
    Clock clock = Clock.systemUTC();
    this.watchdog =
        system.systemActorOf(
            Watchdog.create(
                watchdogSettings,
                this::libraryStatuses,
                libraryIds -> query(() -> activity.lastBackups(libraryIds)),
                clock,
                alert -> webhook.ifPresent(hook -> hook.post(alert, clock.instant()))),
            "watchdog",
            Props.empty());
  }

  private static Optional<DeviceConditions> initialConditions(String setting) {
    return switch (setting) {
      case "unknown" -> Optional.empty();
      case "desktop" -> Optional.of(DeviceConditions.desktop());
      default -> throw new IllegalArgumentException(
          "autoupload.conditions.initial must be \"unknown\" or \"desktop\", got \"" + setting + "\"");
    };
  }

  /** What {@link #verify} needs from the engine's settings. */
  private record VerifierSettings(RemoteLayout layout, ContentHashCache hashes, int parallelism, AfterBackup afterBackup) {}

  static {
    // The adapters' way to a Config and the actor system, kept out of this class's API.
    EngineInternals.grant(
        new EngineInternals.Access() {
          @Override
          public UploadEngine start(Config config) {
            return UploadEngine.start(config.withFallback(ConfigFactory.load()), Optional.empty());
          }

          @Override
          public UploadEngine start(Config config, Config overWiring) {
            return UploadEngine.start(config.withFallback(ConfigFactory.load()), Optional.empty(), overWiring);
          }

          @Override
          public ActorSystem<?> actorSystem(UploadEngine engine) {
            return engine.system;
          }

          @Override
          public CompletionStage<Void> runActivityProjection(
              UploadEngine engine, OptionalInt slice, boolean run, Duration timeout) {
            return engine.<EngineGuardian.Command, Done>ask(
                    engine.system, replyTo -> new EngineGuardian.RunActivity(slice, run, replyTo), timeout)
                .thenApply(done -> null);
          }
        });
  }

  /**
   * Starts an engine with default settings, keeping its journal in {@code dataDir}.
   *
   * @param dataDir the folder the engine keeps its journal (an H2 database) and lock in; created
   *     when missing
   * @return the running engine; close it when done
   * @throws EngineStartException when the data dir is used by another running engine, the journal
   *     cannot be opened or migrated, or a setting (of {@code application.conf}, {@code -D}
   *     properties) is invalid
   */
  public static UploadEngine start(Path dataDir) {
    return start(
        ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toAbsolutePath().toString()))
            .withFallback(ConfigFactory.load()),
        Optional.empty());
  }

  /**
   * A builder for an engine that reads nothing but what it is given and the libraries' {@code
   * reference.conf}: not the host's {@code application.conf}, not {@code -D} properties.
   *
   * <pre>{@code
   * UploadEngine engine = UploadEngine.builder()
   *     .dataDir(dataDir)
   *     .setting("autoupload.layout.pattern", "{yyyy}/{filename}")
   *     .initialConditions(DeviceConditions.phone().withWifi("home"))
   *     .start();
   * }</pre>
   *
   * @return a builder with no data dir and no setting yet
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects what an engine starts with; see {@link UploadEngine#builder()}. */
  public static final class Builder {
    private Path dataDir;
    private final Map<String, Object> settings = new java.util.LinkedHashMap<>();
    private Optional<DeviceConditions> initialConditions = Optional.empty();

    private Builder() {}

    /**
     * @param dataDir the folder the engine keeps its journal (an H2 database) and lock in; created
     *     when missing
     * @return this builder
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = java.util.Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /**
     * @param key a key of the engine's {@code reference.conf}, e.g. {@code autoupload.upload.parallelism}
     * @param value its value: a string (durations and sizes as in the file, e.g. {@code "30s"}),
     *     number, boolean or list
     * @return this builder
     * @throws IllegalArgumentException when the engine has no such setting
     */
    public Builder setting(String key, Object value) {
      if (!ConfigFactory.defaultReference().hasPathOrNull(key) || !key.startsWith("autoupload.")) {
        throw new IllegalArgumentException("unknown setting " + key + " (see the engine's reference.conf)");
      }
      settings.put(key, java.util.Objects.requireNonNull(value, key));
      return this;
    }

    /**
     * What the engine assumes until the first {@link UploadEngine#reportConditions report}; without
     * it the engine waits with {@link BlockerReason#CONDITIONS_UNKNOWN}.
     *
     * @param conditions the device's state as the host knows it at start
     * @return this builder
     */
    public Builder initialConditions(DeviceConditions conditions) {
      this.initialConditions = Optional.of(conditions);
      return this;
    }

    /**
     * @return the running engine; close it when done
     * @throws EngineStartException as {@link UploadEngine#start(Path)}, and when no data dir was given
     */
    public UploadEngine start() {
      if (dataDir == null) {
        throw new EngineStartException("no data dir: call dataDir(path) to tell the engine where to keep its journal");
      }
      Map<String, Object> all = new java.util.LinkedHashMap<>(settings);
      all.put("autoupload.data-dir", dataDir.toAbsolutePath().toString());
      return UploadEngine.start(
          ConfigFactory.parseMap(all).withFallback(ConfigFactory.defaultReference()), initialConditions);
    }
  }

  /**
   * @param initialOverride conditions the host gave, in place of {@code
   *     autoupload.conditions.initial}
   */
  private static UploadEngine start(Config config, Optional<DeviceConditions> initialOverride) {
    return start(config, initialOverride, ConfigFactory.empty());
  }

  /** @param overWiring Pekko settings laid over the engine's wiring (a cluster node's remoting) */
  private static UploadEngine start(Config config, Optional<DeviceConditions> initialOverride, Config overWiring) {
    long startedNanos = System.nanoTime();
    Config settings = config.resolve();
    UploadSettings uploadSettings;
    RemoteLayout layout;
    PolicySettings policy;
    Duration debounce;
    Path dataDir;
    JournalDatabase journal;
    Duration compactEvery;
    int snapshotEvery;
    Duration askTimeout;
    int verifyParallelism;
    AfterBackup afterBackup;
    Restarts restarts;
    WatchdogSettings watchdog;
    Optional<DeviceConditions> initialConditions;
    boolean runActivity;
    Duration activityReadAgainWhileIdle;
    int wantedSlices;
    try {
      String dir = settings.getString("autoupload.data-dir");
      if (dir.isBlank()) {
        throw new EngineStartException("autoupload.data-dir is not set: tell the engine where to keep its journal");
      }
      dataDir = Path.of(dir).toAbsolutePath();
      uploadSettings = UploadSettings.from(settings);
      String zone = settings.getString("autoupload.layout.time-zone");
      layout =
          RemoteLayout.of(
              settings.getString("autoupload.layout.pattern"),
              zone.isBlank() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(zone));
      policy = PolicySettings.from(settings);
      EngineSettings.check(settings);
      debounce = settings.getDuration("autoupload.conditions.debounce");
      initialConditions = initialConditions(settings.getString("autoupload.conditions.initial"));
      if (initialOverride.isPresent()) {
        initialConditions = initialOverride;
      }
      snapshotEvery = settings.getInt("autoupload.ledger-snapshot-every");
      askTimeout = settings.getDuration("autoupload.ask-timeout");
      verifyParallelism = Verifier.parallelism(settings);
      afterBackup = ConfigSettings.afterBackup(settings);
      restarts = Restarts.from(settings);
      watchdog = WatchdogSettings.from(settings);
      runActivity = settings.getBoolean("autoupload.activity.projection");
      activityReadAgainWhileIdle = settings.getDuration("autoupload.activity.read-again-while-idle");
      if (activityReadAgainWhileIdle.toMillis() < 1) {
        throw new IllegalArgumentException("autoupload.activity.read-again-while-idle must be at least 1ms");
      }
      wantedSlices = ActivitySlices.requireValid(settings.getInt(ActivitySlices.SETTING));
      compactEvery = settings.getDuration("autoupload.journal.compact-every");
      if (compactEvery.isNegative()) {
        throw new IllegalArgumentException("autoupload.journal.compact-every must be 0s (off) or more, not " + compactEvery);
      }
      journal =
          JournalDatabase.of(
              settings.getString("autoupload.journal.url"),
              settings.getString("autoupload.journal.user"),
              settings.getString("autoupload.journal.password"),
              dataDir,
              settings.getBytes("autoupload.journal.embedded-cache"));
    } catch (ConfigException | IllegalArgumentException | java.time.DateTimeException e) {
      throw new EngineStartException("invalid setting: " + e.getMessage(), e);
    }

    DataDirLock lock = DataDirLock.acquire(dataDir);
    CompositeMeterRegistry registry = new CompositeMeterRegistry();
    EngineMetrics metrics = new EngineMetrics(registry);
    StepTracker steps = new StepTracker();
    HikariDataSource activityPool = null;
    HikariDataSource journalPool = null;
    Optional<Connection> migrated = Optional.empty();
    Optional<EmbeddedJournalCompaction> compaction = Optional.empty();
    try {
      long t0 = System.nanoTime();
      // Held open until the pool holds the database: an embedded H2 database closes (and compacts
      // its file) when its last connection closes, and the pool would only open it again.
      JournalDatabase.Migrated migration = journal.migrateAndHold(wantedSlices);
      migrated = migration.held();
      int slices = migration.activitySlices();
      if (slices != wantedSlices) {
        log.warn(
            "{} = {} is not used: this journal's upload events are tagged for {} Activity slice(s), fixed when it was created",
            ActivitySlices.SETTING, wantedSlices, slices);
      }
      long t1 = System.nanoTime();
      keepPrivate(dataDir);
      activityPool = journal.pool(settings.getInt("autoupload.journal.max-connections"));
      journalPool = journal.pool(settings.getInt("autoupload.journal.max-connections"), "autoupload-journal");
      compaction = migrated.flatMap(connection -> EmbeddedJournalCompaction.start(connection, compactEvery));
      closeQuietly(migrated);
      long t2 = System.nanoTime();
      Config pekkoConfig =
          LocalSerializers.of(
              ConfigFactory.parseMap(journal.pekkoSettings(settings.getInt("autoupload.journal.max-connections")))
                  .withFallback(ConfigFactory.parseMap(Map.of(ActivitySlices.SETTING, slices)))
                  .withFallback(overWiring)
                  .withFallback(ConfigFactory.parseResources(WIRING))
                  .withFallback(settings)
                  .resolve());
      ContentHashCache hashes = new JdbcContentHashCache(activityPool);
      EngineGuardian.Settings guardianSettings =
          new EngineGuardian.Settings(
              uploadSettings,
              layout,
              snapshotEvery,
              BandwidthLimiter.of(policy.bandwidthLimitBytesPerSecond()),
              steps,
              policy,
              debounce,
              initialConditions,
              RunMarker.file(dataDir.resolve("run-in-progress")),
              libraryId -> RunMarker.file(dataDir.resolve("run-in-progress-" + libraryId)),
              Clock.systemDefaultZone(),
              hashes,
              new JdbcLedgerTable(activityPool, journal.dialect()),
              restarts,
              journal.failures(),
              metrics);
      ScalaConsoleFilter.install(System.out);
      long t3 = System.nanoTime();
      ActorSystem<EngineGuardian.Command> system =
          ActorSystem.create(
              EngineGuardian.create(guardianSettings),
              "autoupload",
              ActorSystemSetup.create(BootstrapSetup.create(pekkoConfig), new JournalSetup(new JournalStore(journalPool))));
      long t4 = System.nanoTime();
      startActivity(system, journal, activityPool, runActivity, activityReadAgainWhileIdle);
      long t5 = System.nanoTime();
      log.debug(
          "Engine start, ms: settings {}, journal migration {}, pool {}, wiring {}, actor system {}, projection tables {}",
          millis(t0 - startedNanos), millis(t1 - t0), millis(t2 - t1), millis(t3 - t2), millis(t4 - t3), millis(t5 - t4));
      log.info(
          "Engine started in {} ms; journal {}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos),
          journal.redactedUrl());
      return new UploadEngine(
          system,
          lock,
          activityPool,
          journalPool,
          journal,
          compaction,
          steps,
          askTimeout,
          new VerifierSettings(layout, hashes, verifyParallelism, afterBackup),
          watchdog,
          registry,
          metrics);
    } catch (RuntimeException e) {
      compaction.ifPresent(EmbeddedJournalCompaction::close);
      if (journalPool != null) {
        journalPool.close();
      }
      if (activityPool != null) {
        activityPool.close();
      }
      closeQuietly(migrated);
      lock.close();
      throw e instanceof EngineStartException ? e : new EngineStartException("engine failed to start: " + e.getMessage(), e);
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void closeQuietly(Optional<Connection> connection) {
    try {
      if (connection.isPresent() && !connection.get().isClosed()) {
        connection.get().close();
      }
    } catch (SQLException e) {
      log.warn("Closing the journal's migration connection failed: {}", e.getMessage());
    }
  }

  /** Makes the files the journal's database just created as private as the rest of the data dir. */
  private static void keepPrivate(Path dataDir) {
    try {
      PrivateFiles.files(dataDir);
    } catch (java.io.IOException e) {
      log.warn("Cannot make the files in {} private to their owner: {}", dataDir, e.toString());
    }
  }

  private static void startActivity(
      ActorSystem<EngineGuardian.Command> system,
      JournalDatabase journal,
      DataSource pool,
      boolean run,
      Duration readAgainWhileIdle) {
    try {
      journal.underMigrationLock(
          () -> ActivityProjection.createOffsetTables(system, pool).toCompletableFuture().get(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception e) {
      system.terminate();
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new EngineStartException("cannot create the Activity projection's tables: " + cause.getMessage(), cause);
    }
    system.tell(new EngineGuardian.StartActivity(pool, run, readAgainWhileIdle));
  }

  /**
   * Adds a library; its backup starts at once (or when the engine is resumed). The engine closes
   * the library's target when it closes. Once the returned stage completes, {@link #status()}
   * includes the library and does not report it idle before its first scan has finished.
   *
   * @param library its id, source and target
   * @return completes once the engine has the library; fails with {@link IllegalArgumentException}
   *     when a library with its id is added already, or is still being removed (see {@link
   *     #removeLibrary}); the engine then keeps nothing of it, and closing its target is the caller's
   */
  public CompletionStage<Void> addLibrary(Library library) {
    libraries.add(library);
    return this.<EngineGuardian.Command, StatusReply<org.apache.pekko.Done>>ask(
            system, replyTo -> new EngineGuardian.AddLibrary(library, replyTo), askTimeout)
        .thenCompose(
            reply -> {
              if (reply.isSuccess()) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              libraries.remove(library);
              return CompletableFuture.<Void>failedFuture(new IllegalArgumentException(reply.getError().getMessage()));
            });
  }

  /**
   * Removes a library: its backup stops, as when the engine closes, and the stage completes once it
   * has. Uploads in flight stop after the chunk they are sending, keeping the offset they journaled
   * (nothing counts as backed up that is not); the library's journal and ledger are kept, so adding
   * a library with its id again re-uploads nothing that is backed up and resumes what was in
   * flight. Its target is closed once no upload step still uses it (at the latest when the engine
   * closes). Its Activity stays in the read model.
   *
   * @param libraryId the id of a library added before
   * @return completes once its backup has stopped; fails with {@link NoSuchElementException}
   *     when no library has that id
   */
  public CompletionStage<Void> removeLibrary(String libraryId) {
    return this.<EngineGuardian.Command, StatusReply<Library>>ask(
            system, replyTo -> new EngineGuardian.RemoveLibrary(libraryId, replyTo), askTimeout)
        .thenCompose(
            reply -> {
              if (!reply.isSuccess()) {
                return CompletableFuture.<Void>failedFuture(
                    new NoSuchElementException(reply.getError().getMessage()));
              }
              Library removed = reply.getValue();
              libraries.remove(removed);
              lastStatus.remove(libraryId);
              closeWhenIdle(removed.target());
              return CompletableFuture.<Void>completedFuture(null);
            });
  }

  /**
   * Closes a removed library's target once no upload step runs (steps are counted for the whole
   * engine, not per target), off the caller's thread; when steps keep running, the engine's close
   * closes it.
   */
  private void closeWhenIdle(UploadTarget target) {
    retiredTargets.add(target);
    CompletableFuture.runAsync(
        () -> {
          try {
            if (steps.awaitNone(SHUTDOWN_TIMEOUT) && retiredTargets.remove(target)) {
              target.close();
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (Exception e) {
            log.warn("Closing target {} failed", target.describe(), e);
          }
        },
        blockingIo);
  }

  /**
   * The libraries added so far, in the order they were added.
   *
   * @return an unmodifiable copy
   */
  public List<Library> libraries() {
    return List.copyOf(libraries);
  }

  /**
   * Checks that every file {@code library}'s source holds now is on its target with the same
   * content, without trusting the journal: the journal only says where to look. Each file is looked
   * for where the journal recorded its content, else under its layout path, else under the
   * keep-both names beside that, and compared there by size and by the strongest hash the target
   * tells (sha256, else MD5); its bytes are read back only where the target tells no hash, or for
   * every file with {@link VerifyMode#DOWNLOAD}. Nothing is written to the target.
   *
   * <p>The library need not be added to this engine; when it is, a file still being uploaded may
   * be reported missing. Up to {@code autoupload.verify.parallelism} files are checked at once.
   *
   * @param library the library to check, added or not
   * @param mode whether files whose hash the target tells are read back as well
   * @param progress told when the source has been scanned and after each file, one call at a time,
   *     on an engine thread; it must return quickly
   * @return the verdict on every file; fails with a {@link dev.autoupload.engine.verify.VerifyException}
   *     when the journal cannot be read or the source cannot be scanned. Cancelling its {@link
   *     CompletableFuture} stops the verification once the files being checked are done.
   */
  public CompletionStage<VerifyReport> verify(Library library, VerifyMode mode, Consumer<VerifyProgress> progress) {
    return verifier.verify(library, mode, progress);
  }

  /**
   * {@link #verify}, and right after each file's verdict, frees up space as {@code
   * autoupload.after-backup} says: an original is moved or deleted only when this verification
   * proved its backup the same by at least the evidence {@code autoupload.after-backup-proof}
   * allows, and it is unchanged since it was verified (checked again just before; a file to delete
   * is hashed once more); see {@link dev.autoupload.engine.freespace.Originals#decide}. Each action
   * is written to the journal before it is taken and listed by {@link #freed}.
   *
   * @param progress also told what became of each original
   * @param library the library to check, added or not
   * @param mode whether files whose hash the target tells are read back as well
   * @return the report, with what became of each original; fails as {@link #verify} does
   * @throws IllegalStateException when {@code autoupload.after-backup} is {@code keep}
   */
  public CompletionStage<VerifyReport> verifyAndFreeSpace(
      Library library, VerifyMode mode, Consumer<VerifyProgress> progress) {
    if (!freeSpace.setting().frees()) {
      throw new IllegalStateException("autoupload.after-backup is keep: set it to move-to:<folder> or delete-after:<days> to free up space");
    }
    return verifier.verify(library, mode, Optional.of(freeSpace), progress);
  }

  /** {@return what {@code autoupload.after-backup} and {@code autoupload.after-backup-proof} say} */
  public AfterBackup afterBackup() {
    return freeSpace.setting();
  }

  /**
   * The latest {@code limit} originals moved or deleted (or about to be, or abandoned), newest
   * first, from every library.
   *
   * @param limit the most entries to return
   * @return the entries; fails with an {@link IllegalStateException} when the journal cannot be read
   */
  public CompletionStage<List<FreedLog.Entry>> freed(int limit) {
    return query(() -> freedLog.latest(limit));
  }

  /**
   * Where every library stands. A library whose backup is down (see {@link LibraryStatus#down()})
   * is reported so, with the reason, and does not hold up the others; one that does not answer
   * within half of {@code autoupload.ask-timeout} is reported down as well, so the whole answer
   * comes within the timeout.
   *
   * @return the status; fails with {@link IllegalStateException} once the engine has stopped
   */
  public CompletionStage<EngineStatus> status() {
    if (system.whenTerminated().isCompleted()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the engine has stopped; see its log"));
    }
    CompletionStage<ConditionMonitor.MonitorState> conditions =
        ask(system, EngineGuardian.GetConditions::new, askTimeout);
    CompletionStage<Map<String, Stall>> stalls =
        this.<Watchdog.Command, Map<String, Stall>>ask(
                watchdog, Watchdog.GetStalls::new, askTimeout.dividedBy(2))
            .exceptionally(failure -> Map.of());
    return libraryStatuses()
        .thenCompose(
            libraries ->
                conditions.thenCombine(
                    stalls,
                    (monitor, stalled) -> new EngineStatus(monitor.verdict(), monitor.conditions(), libraries, stalled)))
        .thenApply(
            status -> {
              metrics.observe(status);
              return status;
            });
  }

  /**
   * Completes with the engine's status the first time it is {@link EngineStatus#idle() idle}: every
   * library's scan is over and nothing is queued, running or waiting to retry. By then every
   * listener has been handed every event that led there (a listener that blocks holds it up).
   * Failed and skipped assets count as done; see each library's {@code failures} and {@code
   * notBackedUp}. It does not complete while uploads wait for conditions (a pause, no Wi-Fi, a
   * library's rules) or while a library is down, so bound the wait with {@link
   * CompletableFuture#orTimeout}. With no library added it completes at once; for a watched
   * library, call it again after new assets arrived; for one that is not watched, {@link
   * #backUpNow()} scans it again first.
   *
   * @return fails with {@link IllegalStateException} when the engine stops first
   */
  public CompletionStage<EngineStatus> awaitIdle() {
    CompletableFuture<EngineStatus> idle = new CompletableFuture<>();
    completingThread(system.getWhenTerminated())
        .thenRun(() -> idle.completeExceptionally(new IllegalStateException("the engine stopped before it was idle")));
    checkIdle(idle);
    return idle;
  }

  /**
   * Backs up what the libraries hold now: every library scans its source at once, as when a
   * watched source reports a change (a library still scanning scans again once that scan ended),
   * and the stage completes as {@link #awaitIdle()} does, the first time the engine is idle after
   * those scans. For a library that is not {@link Library#watched() watched} this is how what was
   * added to its source after its first scan gets backed up. Like {@code awaitIdle()} it does not
   * complete while uploads wait for conditions (a pause, no Wi-Fi, a library's rules) or while a
   * library is down (a down library scans when it is restarted), so bound the wait with {@link
   * CompletableFuture#orTimeout}.
   *
   * @return the engine's status once idle after the scans; its counts are the libraries' since the
   *     engine started, not this run's alone. Fails with {@link IllegalStateException} when the
   *     engine stops first
   */
  public CompletionStage<EngineStatus> backUpNow() {
    return this.<Done>askRunningLibraries(BackupSupervisor.ScanNow::new).thenCompose(scansStarted -> awaitIdle());
  }

  /** Completes once every listener has handled every event published before this call. */
  private CompletionStage<Void> flushListeners() {
    Flush flush = new Flush(listenerRefs);
    flushes.add(flush);
    system.eventStream().tell(new EventStream.Publish<>(flush));
    return flush.done.whenComplete((done, failure) -> flushes.remove(flush));
  }

  private void checkIdle(CompletableFuture<EngineStatus> idle) {
    if (idle.isDone()) {
      return;
    }
    status()
        .whenComplete(
            (status, failure) -> {
              if (failure == null && status.idle()) {
                flushListeners().thenRun(() -> idle.complete(status));
              } else if (system.whenTerminated().isCompleted()) {
                idle.completeExceptionally(new IllegalStateException("the engine stopped before it was idle"));
              } else {
                try {
                  system.scheduler().scheduleOnce(IDLE_CHECK_EVERY, () -> checkIdle(idle), system.executionContext());
                } catch (IllegalStateException stopping) {
                  idle.completeExceptionally(new IllegalStateException("the engine stopped before it was idle", stopping));
                }
              }
            });
  }

  /**
   * The engine's meters ({@code autoupload.*}: files and bytes by outcome, queue depth, uploads in
   * flight, upload duration, retries, time blocked by reason, stalled libraries, journal commit
   * time). Add a registry of your own to it ({@code meterRegistry().add(prometheus)}) to publish
   * them, before adding libraries: what was counted before a registry is added is not in it. Its
   * gauges are as of the latest {@link #status()}.
   *
   * @return the engine's own registry, the same on every call
   */
  public CompositeMeterRegistry meterRegistry() {
    return registry;
  }

  /** Every library's status, the down ones too (see {@link #status()}). */
  private CompletionStage<List<LibraryStatus>> libraryStatuses() {
    return entries()
        .thenCompose(
            entries -> {
              List<CompletableFuture<LibraryStatus>> statuses = new ArrayList<>();
              for (EngineGuardian.LibraryEntry entry : entries) {
                statuses.add(status(entry).toCompletableFuture());
              }
              return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new))
                  .thenApply(done -> statuses.stream().map(CompletableFuture::join).toList());
            });
  }

  private CompletionStage<List<EngineGuardian.LibraryEntry>> entries() {
    return ask(system, EngineGuardian.ListLibraries::new, askTimeout);
  }

  /** Asks every library that is not down, and completes with their answers once all have come. */
  private <Res> CompletionStage<List<Res>> askRunningLibraries(
      org.apache.pekko.japi.function.Function<ActorRef<Res>, BackupSupervisor.Command> message) {
    return entries()
        .thenCompose(
            entries -> {
              List<CompletableFuture<Res>> answers = new ArrayList<>();
              for (EngineGuardian.LibraryEntry entry : entries) {
                if (entry.down().isEmpty()) {
                  answers.add(ask(entry.supervisor(), message, askTimeout));
                }
              }
              return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                  .thenApply(done -> answers.stream().map(CompletableFuture::join).toList());
            });
  }

  private CompletionStage<LibraryStatus> status(EngineGuardian.LibraryEntry entry) {
    Library library = entry.library();
    if (entry.down().isPresent()) {
      return CompletableFuture.completedFuture(down(library, entry.down().get()));
    }
    Duration timeout = askTimeout.dividedBy(2);
    return this.<BackupSupervisor.Command, LibraryStatus>ask(
            entry.supervisor(), BackupSupervisor.GetStatus::new, timeout)
        .thenApply(
            status -> {
              lastStatus.put(library.id(), status);
              return status;
            })
        .exceptionally(
            failure ->
                down(
                    library,
                    new LibraryStatus.Down(
                        "it did not answer within " + timeout.toMillis() + " ms", Instant.now(), 0, true)));
  }

  private LibraryStatus down(Library library, LibraryStatus.Down down) {
    return Optional.ofNullable(lastStatus.get(library.id()))
        .map(last -> last.asDown(down))
        .orElseGet(
            () -> LibraryStatus.down(library.id(), library.source().describe(), library.target().describe(), down));
  }

  /**
   * Stops sending bytes; running uploads keep their offsets and the reason shows as USER_PAUSED.
   *
   * @return completes once the engine has taken the pause; uploads stop after the chunk in flight
   */
  public CompletionStage<Void> pause() {
    return setUserPaused(true);
  }

  /**
   * Undoes {@link #pause()}: uploads continue from their offsets. It also lifts a library's stop
   * for a full or refusing target at once, so the user need not wait for the automatic retry.
   *
   * @return completes once the engine has taken the resume
   */
  public CompletionStage<Void> resume() {
    return setUserPaused(false);
  }

  private CompletionStage<Void> setUserPaused(boolean paused) {
    return this.<EngineGuardian.Command, org.apache.pekko.Done>ask(
            system, replyTo -> new EngineGuardian.SetUserPaused(paused, replyTo), askTimeout)
        .thenApply(done -> null);
  }

  /**
   * Tells the engine the device's current conditions; uploads pause or resume by the upload
   * policy. A change that stops uploads applies at once; one that lets them go again applies once
   * conditions have stayed so for {@code autoupload.conditions.debounce} (2 s), so that a flapping
   * network does not start and stop uploads. Until the first report the engine waits with {@link
   * BlockerReason#CONDITIONS_UNKNOWN}, unless {@code autoupload.conditions.initial = "desktop"}.
   *
   * @param conditions the device's state now, replacing the last report
   * @return the verdict in force once the report is taken: still the stricter one while a loosening
   *     change waits out the debounce
   */
  public CompletionStage<Verdict> reportConditions(DeviceConditions conditions) {
    system.tell(new EngineGuardian.ReportConditions(conditions));
    // The guardian forwards both in the order they were sent, so the answer includes the report.
    return this.<EngineGuardian.Command, ConditionMonitor.MonitorState>ask(
            system, EngineGuardian.GetConditions::new, askTimeout)
        .thenApply(ConditionMonitor.MonitorState::verdict);
  }

  /**
   * Tells the engine the conditions of one library that has conditions of its own ({@link
   * Library#ownConditions()}): a server backing up a phone's camera folder hears that phone's
   * network and battery from it. The library's uploads follow them as the device's conditions
   * rule the other libraries (policy, debounce, the first run's start gate, all alike); the
   * device's conditions do not apply to it, the user's pause does.
   *
   * @param libraryId the library
   * @param conditions its conditions now, replacing its last report
   * @return the library's conditions and verdict once the report is taken (as {@link
   *     #libraryConditions} then answers); fails with {@link NoSuchElementException} for a library
   *     the engine does not have and with {@link NotOwnConditionsException} for one that follows
   *     the device's conditions
   */
  public CompletionStage<LibraryConditions> reportConditions(String libraryId, DeviceConditions conditions) {
    return libraryMonitor(libraryId)
        .thenCompose(
            found -> {
              if (!found.own()) {
                return CompletableFuture.failedFuture(new NotOwnConditionsException(libraryId));
              }
              found.monitor().tell(new ConditionMonitor.ReportConditions(conditions));
              // Asked after the report, from the same thread: the answer includes it.
              return conditionsOf(libraryId, found);
            });
  }

  /**
   * The conditions one library follows, its own or the device's, and its verdict on them.
   *
   * @param libraryId the library
   * @return its conditions; fails with {@link NoSuchElementException} for a library the engine
   *     does not have
   */
  public CompletionStage<LibraryConditions> libraryConditions(String libraryId) {
    return libraryMonitor(libraryId).thenCompose(found -> conditionsOf(libraryId, found));
  }

  private CompletionStage<LibraryConditions> conditionsOf(String libraryId, EngineGuardian.LibraryMonitor found) {
    return this.<ConditionMonitor.Command, ConditionMonitor.MonitorState>ask(
            found.monitor(), ConditionMonitor.GetState::new, askTimeout)
        .thenApply(state -> new LibraryConditions(libraryId, found.own(), state.conditions(), state.verdict()));
  }

  private CompletionStage<EngineGuardian.LibraryMonitor> libraryMonitor(String libraryId) {
    return this.<EngineGuardian.Command, Optional<EngineGuardian.LibraryMonitor>>ask(
            system, replyTo -> new EngineGuardian.GetLibraryMonitor(libraryId, replyTo), askTimeout)
        .thenCompose(
            found ->
                found
                    .map(CompletableFuture::completedFuture)
                    .orElseGet(() -> CompletableFuture.failedFuture(new NoSuchElementException("no library " + libraryId))));
  }

  /**
   * Lets {@code source} report the device's conditions from now on; the engine closes it when it
   * closes.
   *
   * @param source started at once with the engine's {@link #reportConditions} as its sink
   */
  public void addConditionSource(ConditionSource source) {
    conditionSources.add(source);
    source.start(conditions -> system.tell(new EngineGuardian.ReportConditions(conditions)));
  }

  // ---- Activity ----

  /**
   * The latest uploads, newest first: by upload time (what was just backed up, whenever the photo
   * was taken) or by creation date. {@code before} is a page's {@code next} cursor.
   *
   * @param limit the page's size, 1–500
   * @param before the previous page's {@code next} cursor; empty for the first page
   * @param order by upload time or by creation date
   * @return fails with {@link IllegalArgumentException} for a limit outside 1–500 or a cursor not
   *     made for this order
   */
  public CompletionStage<ActivityPage> activity(int limit, Optional<String> before, ActivityOrder order) {
    return query(() -> activity.recent(limit, before, order));
  }

  /**
   * Uploads in the given states (all but completed when empty), most recently changed first, with
   * the live offset of the ones in flight.
   *
   * @param states the states to list; empty for all but completed
   * @return up to 1000 items
   */
  public CompletionStage<List<ActivityItem>> uploads(Set<UploadState> states) {
    return query(() -> activity.inStates(states, 1000))
        .thenCombine(
            status(),
            (items, status) -> {
              Map<String, Long> live = new HashMap<>();
              for (LibraryStatus library : status.libraries()) {
                for (LibraryStatus.InFlight upload : library.inFlight()) {
                  live.put(library.libraryId() + ":" + upload.assetId(), upload.offset());
                }
              }
              return items.stream()
                  .map(item -> {
                    Long offset = live.get(item.libraryId() + ":" + item.assetId());
                    return offset == null ? item : item.withOffset(Math.max(offset, item.offset()));
                  })
                  .toList();
            });
  }

  /**
   * One asset as the Activity view has it: library {@code libraryId}'s asset {@code assetId}.
   *
   * @param libraryId the library's id
   * @param assetId the asset's id in that library
   * @return the item; empty while the Activity view has not seen the asset
   */
  public CompletionStage<Optional<ActivityItem>> activityItem(String libraryId, String assetId) {
    return query(() -> activity.find(libraryId, assetId));
  }

  /**
   * Opens the file an Activity item was backed up from, as its library's source reads it now (it
   * may have changed since), for a preview. Blocking I/O: call it off the caller's event loop. The
   * caller closes the stream.
   *
   * @param item an item of {@link #activity} or {@link #uploads}
   * @return the content from its first byte
   * @throws java.util.NoSuchElementException when no library {@code item.libraryId()} is added
   * @throws IOException as {@link AssetSource#open}: the file is gone or cannot be read
   */
  public InputStream openOriginal(ActivityItem item) throws IOException {
    Library library =
        libraries.stream()
            .filter(candidate -> candidate.id().equals(item.libraryId()))
            .findFirst()
            .orElseThrow(() -> new NoSuchElementException("no library " + item.libraryId()));
    // Sources find an asset's content by its path; the rest is what the read model knows of it.
    Asset asset =
        new Asset(
            item.assetId(),
            item.libraryId(),
            item.path(),
            item.bytes(),
            item.createdAt(),
            CreationDateSource.FILE_TIME,
            item.uploadedAt().orElse(item.createdAt()),
            item.sha256());
    return library.source().open(asset);
  }

  /**
   * Files backed up in each of {@code hours} hours from {@code from}, oldest first, as the Activity
   * view has them.
   *
   * @param from the start of the first hour
   * @param hours how many hours, 1–168
   * @return fails with {@link IllegalArgumentException} for hours outside 1–168
   */
  public CompletionStage<List<Long>> backedUpPerHour(Instant from, int hours) {
    return query(() -> activity.backedUpPerHour(from, hours));
  }

  /**
   * How many assets each library has in each state, as the Activity view counts them; in a journal
   * where counting takes long, as counted up to a few times that long ago (see {@link CostlyQuery}).
   *
   * @return by library id, then by state
   */
  public CompletionStage<Map<String, Map<UploadState, Long>>> counts() {
    return counts.get();
  }

  /**
   * Tries an asset that failed for good in this run again, at the front of its library's queue.
   *
   * @param assetId the id of the asset that failed
   * @return fails with {@link NoSuchElementException} when no library has such a
   *     failed asset
   */
  public CompletionStage<Void> retry(String assetId) {
    // A library that is down is not asked: its failures went with it, and a restarted backup tries
    // every file again anyway.
    return this.<Boolean>askRunningLibraries(replyTo -> new BackupSupervisor.RetryAsset(assetId, replyTo))
        .thenCompose(
            found ->
                found.contains(true)
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(
                        new NoSuchElementException("no failed upload " + assetId)));
  }


  /**
   * Tries an asset of one library that failed for good in this run again, at the front of its
   * queue; only that library is asked.
   *
   * @param libraryId the library the asset belongs to
   * @param assetId the id of the asset that failed
   * @return fails with {@link NoSuchElementException} when the library is not running here or has no
   *     such failed asset
   */
  public CompletionStage<Void> retry(String libraryId, String assetId) {
    return entries()
        .thenCompose(
            entries -> {
              Optional<EngineGuardian.LibraryEntry> running =
                  entries.stream().filter(entry -> entry.library().id().equals(libraryId) && entry.down().isEmpty()).findFirst();
              if (running.isEmpty()) {
                return CompletableFuture.<Boolean>completedFuture(false);
              }
              return this.<BackupSupervisor.Command, Boolean>ask(
                  running.get().supervisor(), replyTo -> new BackupSupervisor.RetryAsset(assetId, replyTo), askTimeout);
            })
        .thenCompose(
            found ->
                found
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(
                        new NoSuchElementException("no failed upload " + assetId + " in library " + libraryId)));
  }

  /**
   * Empties the Activity read model and rebuilds it from the journal; completes when replay has begun.
   *
   * @return completes when the replay has begun
   */
  public CompletionStage<Void> rebuildActivity() {
    return this.<EngineGuardian.Command, StatusReply<Done>>ask(
            system, EngineGuardian.RebuildActivity::new, askTimeout)
        .thenCompose(
            reply ->
                reply.isSuccess()
                    ? CompletableFuture.<Void>completedFuture(null)
                    : CompletableFuture.<Void>failedFuture(new IllegalStateException(reply.getError().getMessage())));
  }

  /**
   * Asks an actor. Pekko's CompletionStages run even the callbacks of {@code thenApply} as async
   * tasks on the common pool, and the common pool of a machine with one or two cores starts a
   * new thread for every task: the engine's stages run where the reply arrives instead.
   */
  private <Req, Res> CompletableFuture<Res> ask(
      RecipientRef<Req> to, org.apache.pekko.japi.function.Function<ActorRef<Res>, Req> message, Duration timeout) {
    return completingThread(AskPattern.ask(to, message, timeout, system.scheduler()));
  }

  /** {@code stage} as a plain future whose callbacks run on the thread that completes it. */
  private static <T> CompletableFuture<T> completingThread(CompletionStage<T> stage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            plain.completeExceptionally(failure);
          } else {
            plain.complete(value);
          }
        },
        Runnable::run);
    return plain;
  }

  private <T> CompletionStage<T> query(DatabaseCall<T> query) {
    return DatabaseCall.runOn(
        blockingIo,
        () -> {
          try {
            return query.run();
          } catch (SQLException e) {
            throw new IllegalStateException("Activity query failed: " + e.getMessage(), e);
          }
        });
  }

  /**
   * Calls {@code listener} with every {@link EngineEvent} from now on, on an engine thread, one
   * event at a time; it must return quickly and must not block. Close the returned subscription to
   * stop the calls.
   *
   * @param listener called with each event
   * @return closes to stop the calls
   */
  public Subscription addListener(Consumer<EngineEvent> listener) {
    ActorRef<Object> ref =
        system.systemActorOf(
            Behaviors.<Object>setup(
                context ->
                    Behaviors.receive(Object.class)
                        .onMessage(
                            EngineEvent.class,
                            event -> {
                              try {
                                listener.accept(event);
                              } catch (RuntimeException e) {
                                log.warn("An engine listener failed on {}", event, e);
                              }
                              return Behaviors.same();
                            })
                        .onMessage(
                            Flush.class,
                            flush -> {
                              flush.handledBy(context.getSelf());
                              return Behaviors.same();
                            })
                        .build()),
            "listener-" + java.util.UUID.randomUUID(),
            Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(EngineEvent.class, ref.narrow()));
    system.eventStream().tell(new EventStream.Subscribe<>(Flush.class, ref.narrow()));
    // Only after subscribing: a flush that counts on this listener must reach it.
    listenerRefs.add(ref);
    return () -> {
      if (listenerRefs.remove(ref)) {
        flushes.forEach(flush -> flush.handledBy(ref));
      }
      system.eventStream().tell(new EventStream.Unsubscribe<>(ref));
      system.classicSystem().stop(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(ref));
    };
  }

  private final Set<ActorRef<Object>> listenerRefs = ConcurrentHashMap.newKeySet();
  private final Set<Flush> flushes = ConcurrentHashMap.newKeySet();

  /**
   * Published after events whose effect a caller has seen (an idle status): the event stream hands
   * it to each listener after those events, so once every listener has handled it they have handled
   * the events too.
   */
  private static final class Flush {
    private final Set<ActorRef<Object>> waiting = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    Flush(Set<ActorRef<Object>> listeners) {
      waiting.addAll(listeners);
      if (waiting.isEmpty()) {
        done.complete(null);
      }
    }

    void handledBy(ActorRef<Object> listener) {
      if (waiting.remove(listener) && waiting.isEmpty()) {
        done.complete(null);
      }
    }
  }

  /**
   * Stops the engine: uploads in flight stop where they are (they resume on the next start), the
   * journal is closed, the libraries' targets are closed and the data dir is unlocked.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    conditionSources.forEach(ConditionSource::close);
    webhook.ifPresent(Webhook::close);
    // While the database is surely open: once the actors stop, its pools close under it. A hash
    // learnt after this is only read again next time.
    long closing = System.nanoTime();
    hashes.flush();
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("Engine did not stop within {}", SHUTDOWN_TIMEOUT, e);
    }
    try {
      // Steps already running on the I/O threads end on their own; targets close after them.
      if (!steps.awaitNone(SHUTDOWN_TIMEOUT)) {
        log.warn("Uploads were still reading or sending {} after the engine stopped", SHUTDOWN_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // SHUTDOWN while the pool still holds the database open: closing the pool first closed the
    // database (compacting it) and SHUTDOWN then opened it again only to close it once more.
    long stopped = System.nanoTime();
    compaction.ifPresent(EmbeddedJournalCompaction::close);
    try {
      journal.shutDownEmbedded();
    } catch (SQLException e) {
      log.warn("Closing the journal database failed: {}", e.getMessage());
    }
    long shutDown = System.nanoTime();
    journalPool.close();
    activityPool.close();
    log.debug(
        "Engine stop, ms: actors and uploads {}, journal database {}, pool {}",
        millis(stopped - closing), millis(shutDown - stopped), millis(System.nanoTime() - shutDown));
    List<UploadTarget> targets = new ArrayList<>(retiredTargets);
    retiredTargets.clear();
    libraries.forEach(library -> targets.add(library.target()));
    for (UploadTarget target : targets) {
      try {
        target.close();
      } catch (Exception e) {
        log.warn("Closing target {} failed", target.describe(), e);
      }
    }
    lock.close();
  }
}
