package dev.autoupload.it.conditions;

import static dev.autoupload.engine.conditions.BlockerReason.BATTERY_BELOW_START_THRESHOLD;
import static dev.autoupload.engine.conditions.BlockerReason.LOW_POWER_MODE;
import static dev.autoupload.engine.conditions.BlockerReason.NO_NETWORK;
import static dev.autoupload.engine.conditions.BlockerReason.OS_SUSPENDED;
import static dev.autoupload.engine.conditions.BlockerReason.WAITING_FOR_STABLE_WIFI;
import static dev.autoupload.engine.conditions.BlockerReason.WIFI_REQUIRED;
import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static dev.autoupload.it.conditions.DeviceSimulator.phone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.it.MediaFiles;
import dev.autoupload.it.conditions.DeviceSimulator.Step;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine obeys the device end to end: a real engine on its H2 journal backs up real files into
 * a local folder at a limited bandwidth, while a {@link DeviceSimulator} plays the phone's day —
 * background, Wi-Fi, battery, Low Power Mode, mobile data, OS suspension, flapping Wi-Fi. Each test
 * checks the reasons the engine gives, that no byte moves while it must not, that uploads continue
 * from their offsets, and that every file arrives sha256-equal.
 */
class DeviceConditionsIT {

  private static final String LIBRARY = "camera";
  private static final int PARALLELISM = 4;
  private static final long CHUNK_BYTES = 256L * KIB;
  private static final int VIDEOS = 4;
  private static final long VIDEO_BYTES = 8L * MIB;
  /** How long "nothing moves" must hold. */
  private static final Duration QUIET = Duration.ofMillis(1500);
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(40);

  /**
   * 4 MiB/s across all uploads: the 33 MiB library takes about 8 s, long enough to change the
   * device's conditions mid-run, short enough for six runs.
   */
  private static final Map<String, Object> SETTINGS =
      Map.of(
          "autoupload.policy.bandwidth-limit", "4MiB",
          "autoupload.policy.stable-wifi", "1s",
          "autoupload.conditions.debounce", "300ms",
          "autoupload.upload.parallelism", PARALLELISM,
          "autoupload.upload.chunk-bytes", CHUNK_BYTES);

  /** The phone in a pocket at home: app in the background, on Wi-Fi, well charged. */
  private static final Step AT_HOME = phone().background().battery(90).wifi("home");

  @TempDir static Path photos;
  private static Map<String, String> sourceHashes;
  private static long totalBytes;

  @TempDir Path tmp;
  private Path target;
  private Path dataDir;
  private final List<UploadEngine> engines = new ArrayList<>();
  private final ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();

  /** An engine event and when the listener got it. */
  private record Seen(long nanos, EngineEvent event) {}

  @BeforeAll
  static void writeLibrary() {
    SplittableRandom random = new SplittableRandom(20240611);
    MediaFiles.write(photos.resolve("DCIM/IMG_0001.JPG"), 37 * KIB, random);
    MediaFiles.write(photos.resolve("DCIM/IMG_0002.HEIC"), 180 * KIB, random);
    MediaFiles.write(photos.resolve("DCIM/IMG_0003.PNG"), 700 * KIB, random);
    for (int i = 1; i <= VIDEOS; i++) {
      MediaFiles.write(photos.resolve("Videos/VID_000" + i + ".MOV"), VIDEO_BYTES, random);
    }
    sourceHashes = MediaFiles.sha256Tree(photos);
    totalBytes = MediaFiles.totalSize(photos);
  }

  @BeforeEach
  void folders() {
    target = tmp.resolve("backup");
    dataDir = tmp.resolve("data");
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(UploadEngine::close);
  }

  // ---- the start gate ----

  @Test
  void aBackgroundRunWaitsForStableWifiAndACharge() {
    Duration stableWifi = Duration.ofSeconds(3);
    UploadEngine engine = startEngine(Map.of("autoupload.policy.stable-wifi", "3s"));
    try (DeviceSimulator device = new DeviceSimulator(engine, target)) {
      Step justConnected = device.apply(phone().background().battery(50).charging(false).wifi("home"));
      long wifiAt = System.nanoTime();
      device.awaitBlockedByExactly(WAITING_FOR_STABLE_WIFI, BATTERY_BELOW_START_THRESHOLD);
      addLibrary(engine);

      EngineStatus waiting =
          device.awaitStatus("the library scanned and waiting", status -> status.discovered() == sourceHashes.size());
      assertThat(library(waiting).reasons()).contains(WAITING_FOR_STABLE_WIFI, BATTERY_BELOW_START_THRESHOLD);
      assertThat(library(waiting).queued()).isEqualTo(sourceHashes.size());
      device.assertNoByteMovesFor(QUIET);
      assertThat(device.bytesOnTarget()).isZero();

      // Charged enough now, but the Wi-Fi has not been up for 3 s yet: still nothing moves.
      device.apply(justConnected.battery(85));
      device.awaitBlockedByExactly(WAITING_FOR_STABLE_WIFI);
      Duration untilStable = stableWifi.minusNanos(System.nanoTime() - wifiAt).minusMillis(200);
      if (!untilStable.isNegative()) {
        device.assertNoByteMovesFor(untilStable);
      }

      awaitEverythingBackedUp(device);
      long allowedAt =
          events.stream()
              .filter(seen -> seen.event() instanceof EngineEvent.VerdictChanged changed && changed.verdict().allowed())
              .mapToLong(Seen::nanos)
              .findFirst()
              .orElseThrow();
      assertThat(Duration.ofNanos(allowedAt - wifiAt)).isGreaterThanOrEqualTo(stableWifi);
      assertTargetHoldsTheLibrary();
    }
  }

  @Test
  void aRunThatHasStartedGoesOnWhenTheBatteryRunsLow() {
    UploadEngine engine = startEngine(Map.of());
    try (DeviceSimulator device = new DeviceSimulator(engine, target)) {
      startRun(engine, device);

      device.apply(AT_HOME.battery(20));
      EngineStatus drained = device.awaitStatus("the low battery reported", status -> status.conditions().filter(c -> c.batteryPercent() == 20).isPresent());
      assertThat(drained.verdict().allowed()).isTrue();
      assertThat(drained.reasons()).isEmpty();
      int eventsAtDrop = events.size();

      // When the queue drains the run is over and the next one must pass the gate again, so a
      // battery reason may appear then; before the last file has arrived nothing may change.
      EngineStatus done =
          await("every file backed up on 20 % battery")
              .atMost(RUN_TIMEOUT)
              .pollInterval(Duration.ofMillis(100))
              .failFast("the verdict changed before the last file arrived", () -> verdictChangedBeforeLastUpload(eventsAtDrop))
              .until(device::status, this::everythingBackedUp);
      assertThat(verdictChangedBeforeLastUpload(eventsAtDrop)).isFalse();
      assertThat(done.bytesSent()).isBetween(totalBytes, totalBytes + PARALLELISM * CHUNK_BYTES);
      assertTargetHoldsTheLibrary();
    }
  }

  // ---- pausing and resuming from the offsets ----

  @Test
  void lowPowerModePausesUploadsAndTheyContinueFromTheirOffsets() {
    UploadEngine engine = startEngine(Map.of());
    try (DeviceSimulator device = new DeviceSimulator(engine, target)) {
      startRun(engine, device);

      device.apply(AT_HOME.lowPowerMode(true));
      device.awaitBlockedBy(LOW_POWER_MODE);
      Map<String, Long> partsAtPause = pauseHolds(device, LOW_POWER_MODE);

      device.apply(AT_HOME);
      continuesFromOffsets(device, partsAtPause);
    }
  }

  @Test
  void mobileDataPausesUploadsUntilItIsAllowedThenTheyContinue() {
    UploadEngine wifiOnly = startEngine(Map.of("autoupload.policy.allow-cellular", false));
    Step onTheRoad = AT_HOME.cellular();
    long sentOnWifi;
    Map<String, Long> partsAtPause;
    try (DeviceSimulator device = new DeviceSimulator(wifiOnly, target)) {
      startRun(wifiOnly, device);

      device.apply(onTheRoad);
      device.awaitBlockedBy(WIFI_REQUIRED);
      partsAtPause = pauseHolds(device, WIFI_REQUIRED);
      sentOnWifi = device.status().bytesSent();
    }
    wifiOnly.close();

    // The user allows mobile data; the app restarts the engine with the new setting.
    events.clear();
    UploadEngine cellularAllowed = startEngine(Map.of("autoupload.policy.allow-cellular", true));
    try (DeviceSimulator device = new DeviceSimulator(cellularAllowed, target)) {
      device.apply(onTheRoad);
      device.awaitStatus("on mobile data", status -> status.conditions().filter(c -> c.network() == Network.CELLULAR).isPresent());
      addLibrary(cellularAllowed);
      // The run was under way when mobile data stopped it: it continues, no start gate to pass.
      device.awaitAllowed();

      Map<String, Long> resumedAt = awaitResumedOffsets(device, partsAtPause.keySet());
      EngineStatus done = awaitEverythingBackedUp(device);
      assertThat(resumedAt).isEqualTo(partsAtPause);
      assertThat(sentOnWifi + done.bytesSent()).isBetween(totalBytes, totalBytes + PARALLELISM * CHUNK_BYTES);
      assertTargetHoldsTheLibrary();
    }
  }

  @Test
  void osSuspensionPausesUploadsAndTheyResumeByThemselves() {
    UploadEngine engine = startEngine(Map.of());
    try (DeviceSimulator device = new DeviceSimulator(engine, target)) {
      startRun(engine, device);

      device.apply(AT_HOME.suspended());
      device.awaitBlockedBy(OS_SUSPENDED);
      Map<String, Long> partsAtPause = pauseHolds(device, OS_SUSPENDED);

      device.apply(AT_HOME);
      continuesFromOffsets(device, partsAtPause);
    }
  }

  @Test
  void flappingWifiPausesAndResumesEachUploadOnceNotOncePerFlap() throws Exception {
    UploadEngine engine = startEngine(Map.of());
    Set<String> inFlightIds;
    try (DeviceSimulator device = new DeviceSimulator(engine, target)) {
      startRun(engine, device);
      inFlightIds =
          DeviceSimulator.inFlight(device.status()).stream()
              .map(upload -> FileUpload.persistenceId(LIBRARY, upload.assetId()).id())
              .collect(Collectors.toSet());

      int verdictsBefore = verdictChanges().size();

      // 20 changes, one every 200 ms, ending back on Wi-Fi.
      device.alternate(AT_HOME.offline(), AT_HOME, 20, Duration.ofMillis(200)).get(10, TimeUnit.SECONDS);
      awaitEverythingBackedUp(device);
      List<EngineEvent.VerdictChanged> changes = verdictChanges();
      assertThat(changes.subList(verdictsBefore, changes.size()))
          .as("verdicts broadcast from the first flap on")
          .extracting(changed -> changed.verdict().reasons())
          .containsExactly(Set.of(NO_NETWORK), Set.of());
    }
    engine.close();

    Map<String, Integer> paused = countJournalEvents(FileUpload.UploadPaused.class);
    Map<String, Integer> resumed = countJournalEvents(FileUpload.UploadResumed.class);
    assertThat(paused).as("UploadPaused events per upload").isNotEmpty().allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(resumed).as("UploadResumed events per upload").allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(paused.keySet()).hasSizeLessThanOrEqualTo(PARALLELISM).isSubsetOf(inFlightIds);
    assertThat(resumed.keySet()).isEqualTo(paused.keySet());
    assertTargetHoldsTheLibrary();
  }

  // ---- steps shared by the tests ----

  private UploadEngine startEngine(Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>(SETTINGS);
    settings.putAll(overrides);
    settings.put("autoupload.data-dir", dataDir.toString());
    settings.put("autoupload.layout.pattern", "{path}");
    UploadEngine engine = EngineInternals.start(ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load()));
    engines.add(engine);
    engine.addListener(event -> events.add(new Seen(System.nanoTime(), event)));
    return engine;
  }

  private void addLibrary(UploadEngine engine) {
    try {
      engine
          .addLibrary(new Library(LIBRARY, new FolderSource(LIBRARY, photos), new LocalFolderTarget(target)))
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("adding the library failed", e);
    }
  }

  /**
   * The phone goes to the background at home; once Wi-Fi has been stable the run starts. Returns
   * when all four videos are being uploaded, with at least a MiB of each on the target and none
   * complete.
   */
  private void startRun(UploadEngine engine, DeviceSimulator device) {
    device.apply(AT_HOME);
    device.awaitBlockedByExactly(WAITING_FOR_STABLE_WIFI);
    addLibrary(engine);
    await("every video in flight with 1 MiB or more on the target")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> videoParts(device),
            parts -> parts.size() == VIDEOS && parts.values().stream().allMatch(length -> length >= MIB && length < VIDEO_BYTES));
  }

  /**
   * Checks that every upload in flight is paused for {@code reason} and that then not a byte
   * reaches the target; returns the part files' lengths, the offsets to continue from.
   */
  private Map<String, Long> pauseHolds(DeviceSimulator device, BlockerReason reason) {
    EngineStatus paused = device.awaitAllInFlightPausedFor(reason);
    assertThat(DeviceSimulator.inFlight(paused)).hasSize(VIDEOS);
    device.assertNoByteMovesFor(QUIET);
    Map<String, Long> parts = videoParts(device);
    assertThat(parts).hasSize(VIDEOS).allSatisfy((path, length) -> assertThat(length).isPositive().isLessThan(VIDEO_BYTES));
    assertThat(device.bytesOnTarget()).isLessThan(totalBytes);
    return parts;
  }

  /**
   * After the blocker lifted: every paused upload continues from the length of its part file, the
   * part files never shrink, nothing is sent twice, and the library arrives complete.
   */
  private void continuesFromOffsets(DeviceSimulator device, Map<String, Long> partsAtPause) {
    long bytesAtPause = device.bytesOnTarget();
    await("bytes moving again")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(device::bytesOnTarget, bytes -> bytes > bytesAtPause);
    Map<String, Long> partsAfter = videoParts(device);
    partsAfter.forEach(
        (path, length) ->
            assertThat(length).as("part of %s after the resume", path).isGreaterThanOrEqualTo(partsAtPause.get(path)));

    Map<String, Long> resumedAt = awaitResumedOffsets(device, partsAtPause.keySet());
    EngineStatus done = awaitEverythingBackedUp(device);
    assertThat(resumedAt).as("offsets the uploads continued from").isEqualTo(partsAtPause);
    assertThat(done.bytesSent()).as("bytes sent in the run").isBetween(totalBytes, totalBytes + PARALLELISM * CHUNK_BYTES);
    assertTargetHoldsTheLibrary();
  }

  /** The offsets the engine says the uploads of {@code paths} continued from. */
  private Map<String, Long> awaitResumedOffsets(DeviceSimulator device, Set<String> paths) {
    return await("the paused uploads resumed")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                events.stream()
                    .map(Seen::event)
                    .filter(EngineEvent.AssetResumed.class::isInstance)
                    .map(EngineEvent.AssetResumed.class::cast)
                    .collect(Collectors.toMap(EngineEvent.AssetResumed::path, EngineEvent.AssetResumed::offset, (a, b) -> b, TreeMap::new)),
            resumed -> resumed.keySet().containsAll(paths));
  }

  private EngineStatus awaitEverythingBackedUp(DeviceSimulator device) {
    return await("every file backed up")
        .atMost(RUN_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .failFast("an upload attempt failed", () -> events.stream().anyMatch(seen -> seen.event() instanceof EngineEvent.AssetFailed))
        .until(device::status, this::everythingBackedUp);
  }

  private boolean everythingBackedUp(EngineStatus status) {
    return status.idle() && status.backedUp() == sourceHashes.size() && status.failed() == 0;
  }

  /**
   * Whether a verdict was broadcast after the first {@code from} events and before the library's
   * last file was uploaded (engine events reach the listener in the order they were published).
   */
  private boolean verdictChangedBeforeLastUpload(int from) {
    List<EngineEvent> seen = events.stream().map(Seen::event).toList();
    long uploaded = seen.subList(0, from).stream().filter(EngineEvent.AssetUploaded.class::isInstance).count();
    for (EngineEvent event : seen.subList(from, seen.size())) {
      if (event instanceof EngineEvent.AssetUploaded) {
        uploaded++;
      } else if (event instanceof EngineEvent.VerdictChanged && uploaded < sourceHashes.size()) {
        return true;
      }
    }
    return false;
  }

  private List<EngineEvent.VerdictChanged> verdictChanges() {
    return events.stream()
        .map(Seen::event)
        .filter(EngineEvent.VerdictChanged.class::isInstance)
        .map(EngineEvent.VerdictChanged.class::cast)
        .toList();
  }

  private static Map<String, Long> videoParts(DeviceSimulator device) {
    Map<String, Long> parts = new TreeMap<>(device.partLengths());
    parts.keySet().removeIf(path -> !path.startsWith("Videos/"));
    return parts;
  }

  private static LibraryStatus library(EngineStatus status) {
    assertThat(status.libraries()).hasSize(1);
    return status.libraries().get(0);
  }

  /** Every file of the library on the target, sha256-equal, and nothing else (no part left). */
  private void assertTargetHoldsTheLibrary() {
    assertThat(MediaFiles.sha256Tree(target)).isEqualTo(sourceHashes);
  }

  /** How many events of {@code type} each persistence id has in the (closed) engine's journal. */
  private Map<String, Integer> countJournalEvents(Class<? extends FileUpload.Event> type) throws SQLException {
    String url = "jdbc:h2:file:" + dataDir.resolve("journal").toAbsolutePath() + ";DATABASE_TO_UPPER=false";
    Map<String, Integer> counts = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT persistence_id, COUNT(*) FROM event_journal WHERE event_ser_manifest = ? GROUP BY persistence_id")) {
      query.setString(1, type.getName());
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getString(1), rows.getInt(2));
        }
      }
    }
    return counts;
  }
}
