package dev.autoupload.conditions.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.autoupload.conditions.scenario.ScenarioConditionSource.Step;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioConditionSourceTest {

  private static final String VALID_FIELDS =
      "batteryPercent, charging, lowPowerMode, network, metered, wifiSsid, backgroundRefreshAllowed,"
          + " photoAccess, osState";

  @TempDir Path temp;

  private final BlockingQueue<DeviceConditions> received = new LinkedBlockingQueue<>();

  @Test
  void reportsEachStepOfAFileMergedOverTheOnesBeforeInOrder() throws Exception {
    Path file =
        write(
            """
            [
              {"afterMs": 0, "conditions": {"network": "WIFI", "wifiSsid": "home", "batteryPercent": 90, "charging": false}},
              {"afterMs": 40, "conditions": {"network": "NONE", "wifiSsid": null}},
              {"afterMs": 80, "conditions": {"network": "cellular", "metered": true, "lowPowerMode": true, "osState": "background"}}
            ]
            """);

    try (ScenarioConditionSource source = ScenarioConditionSource.load(file)) {
      source.start(received::add);

      assertThat(next())
          .isEqualTo(conditions(90, false, false, Network.WIFI, false, Optional.of("home"), OsState.FOREGROUND));
      assertThat(next())
          .isEqualTo(conditions(90, false, false, Network.NONE, false, Optional.empty(), OsState.FOREGROUND));
      assertThat(next())
          .isEqualTo(conditions(90, false, true, Network.CELLULAR, true, Optional.empty(), OsState.BACKGROUND));
      assertThat(source.describe()).isEqualTo("scenario " + file + " (3 steps)");
    }
  }

  @Test
  void aFieldLeftOutKeepsItsPreviousValue() throws Exception {
    try (ScenarioConditionSource source =
        ScenarioConditionSource.of(
            List.of(
                new Step(Duration.ZERO, Map.of("batteryPercent", 42, "network", Network.WIFI)),
                new Step(Duration.ZERO, Map.of("charging", false)),
                new Step(Duration.ZERO, Map.of("photoAccess", "limited"))))) {
      source.start(received::add);

      next();
      next();
      DeviceConditions last = next();

      assertThat(last.batteryPercent()).isEqualTo(42);
      assertThat(last.network()).isEqualTo(Network.WIFI);
      assertThat(last.charging()).isFalse();
      assertThat(last.photoAccess()).isEqualTo(PhotoAccess.LIMITED);
    }
  }

  @Test
  void theFirstStepStartsFromAPluggedInDesktop() throws Exception {
    try (ScenarioConditionSource source =
        ScenarioConditionSource.of(List.of(new Step(Duration.ZERO, Map.of("lowPowerMode", true))))) {
      source.start(received::add);

      DeviceConditions desktop = DeviceConditions.desktop();
      assertThat(next())
          .isEqualTo(
              new DeviceConditions(
                  desktop.batteryPercent(),
                  desktop.charging(),
                  true,
                  desktop.network(),
                  desktop.metered(),
                  desktop.wifiSsid(),
                  desktop.backgroundRefreshAllowed(),
                  desktop.photoAccess(),
                  desktop.osState()));
    }
  }

  @Test
  void takesAnSsidGivenInCodeAsStringOptionalOrNull() throws Exception {
    Map<String, Object> noSsid = new HashMap<>();
    noSsid.put("wifiSsid", null);
    try (ScenarioConditionSource source =
        ScenarioConditionSource.of(
            List.of(
                new Step(Duration.ZERO, Map.of("wifiSsid", "home")),
                new Step(Duration.ZERO, noSsid),
                new Step(Duration.ZERO, Map.of("wifiSsid", Optional.of("office")))))) {
      source.start(received::add);

      assertThat(next().wifiSsid()).contains("home");
      assertThat(next().wifiSsid()).isEmpty();
      assertThat(next().wifiSsid()).contains("office");
    }
  }

  @Test
  void reportsAStepNoSoonerThanItsTime() throws Exception {
    try (ScenarioConditionSource source =
        ScenarioConditionSource.of(
            List.of(new Step(Duration.ofMillis(200), Map.of("network", "NONE"))))) {
      long started = System.nanoTime();
      source.start(received::add);

      assertThat(next().network()).isEqualTo(Network.NONE);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void closeDropsTheStepsToComeAndEndsItsDaemonThread() throws Exception {
    BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
    ScenarioConditionSource source =
        ScenarioConditionSource.of(
            List.of(
                new Step(Duration.ZERO, Map.of("network", "WIFI")),
                new Step(Duration.ofHours(1), Map.of("network", "NONE"))));
    source.start(conditions -> threads.add(Thread.currentThread()));
    Thread thread = threads.poll(5, TimeUnit.SECONDS);
    assertThat(thread).isNotNull();
    assertThat(thread.isDaemon()).isTrue();

    source.close();

    // Without close the thread would live on: a step is due in an hour, or the next poll.
    thread.join(Duration.ofSeconds(5).toMillis());
    assertThat(thread.isAlive()).isFalse();
    source.close();
  }

  @Test
  void startsOnlyOnce() {
    try (ScenarioConditionSource source = ScenarioConditionSource.of(List.of())) {
      source.start(received::add);

      assertThatIllegalStateException()
          .isThrownBy(() -> source.start(received::add))
          .withMessage("scripted scenario (0 steps) was already started");
    }
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        Arguments.of("", " is empty; it must be a JSON array of steps"),
        Arguments.of("{\"afterMs\": 0}", " must be a JSON array of steps, got an object"),
        Arguments.of("\"steps\"", " must be a JSON array of steps, got \"steps\""),
        Arguments.of("[1]", ", step 0: must be an object like {\"afterMs\": 0, \"conditions\": {...}}, got 1"),
        Arguments.of("[{\"conditions\": {}}]", ", step 0: afterMs is missing"),
        Arguments.of("[{\"afterMs\": -1, \"conditions\": {}}]", ", step 0: afterMs must not be negative, got -1"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {}}, {\"afterMs\": 1000, \"conditions\": {}},"
                + " {\"afterMs\": 500, \"conditions\": {}}]",
            ", step 2: afterMs 500 is before the previous step's 1000; steps must be in time order"),
        Arguments.of(
            "[{\"afterMs\": \"1000\", \"conditions\": {}}]",
            ", step 0: afterMs must be a whole number of milliseconds, got \"1000\""),
        Arguments.of(
            "[{\"afterMs\": 1.5, \"conditions\": {}}]",
            ", step 0: afterMs must be a whole number of milliseconds, got 1.5"),
        Arguments.of(
            "[{\"afterMs\": 0, \"condition\": {}}]",
            ", step 0: unknown field \"condition\"; a step has afterMs and conditions"),
        Arguments.of("[{\"afterMs\": 0}]", ", step 0: conditions is missing"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": [\"WIFI\"]}]",
            ", step 0: conditions must be an object, got an array"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {}}, {\"afterMs\": 0, \"conditions\": {\"battery\": 5}}]",
            ", step 1: unknown field \"battery\" in conditions; valid fields: " + VALID_FIELDS),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"charging\": \"yes\"}}]",
            ", step 0: charging must be true or false, got \"yes\""),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"batteryPercent\": 50.5}}]",
            ", step 0: batteryPercent must be a whole number, got 50.5"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"batteryPercent\": null}}]",
            ", step 0: batteryPercent must be a whole number, got null"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"wifiSsid\": 5}}]",
            ", step 0: wifiSsid must be a string or null, got 5"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"network\": 1}}]",
            ", step 0: network must be one of NONE, WIFI, CELLULAR, ETHERNET, got 1"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"network\": \"LTE\"}}]",
            ", step 0: unknown network \"LTE\"; valid values: NONE, WIFI, CELLULAR, ETHERNET"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"osState\": \"asleep\"}}]",
            ", step 0: unknown osState \"asleep\"; valid values: FOREGROUND, BACKGROUND, SUSPENDED, THROTTLED"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"batteryPercent\": 101}}]",
            ", step 0: batteryPercent must be 0-100, got 101"),
        Arguments.of(
            "[{\"afterMs\": 0, \"conditions\": {\"batteryPercent\": -1}}]",
            ", step 0: batteryPercent must be 0-100, got -1"));
  }

  @ParameterizedTest
  @MethodSource("invalidFiles")
  void refusesAnInvalidFileWithAOneLineMessageNamingFileAndStep(String content, String problem)
      throws Exception {
    Path file = write(content);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ScenarioConditionSource.load(file))
        .withMessage("conditions scenario file " + file + problem);
  }

  @Test
  void refusesAFileThatIsNotJson() throws Exception {
    for (String content : List.of("[{\"afterMs\": 0,\n", "[] trailing", "[{\"afterMs\": 0, \"afterMs\": 1}]", "steps")) {
      Path file = write(content);

      assertThatIllegalArgumentException()
          .isThrownBy(() -> ScenarioConditionSource.load(file))
          .withMessageStartingWith("conditions scenario file " + file + " is not valid JSON: ")
          .withMessageContaining("(line ")
          .withMessageNotContaining("\n");
    }
  }

  @Test
  void refusesAFileThatCannotBeRead() {
    Path missing = temp.resolve("missing.json");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ScenarioConditionSource.load(missing))
        .withMessage("conditions scenario file " + missing + " cannot be read: no such file");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ScenarioConditionSource.load(temp))
        .withMessageStartingWith("conditions scenario file " + temp + " cannot be read: ")
        .withMessageNotContaining("\n");
  }

  @Test
  void checksStepsGivenInCodeLikeAFile() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                ScenarioConditionSource.of(
                    List.of(
                        new Step(Duration.ofSeconds(2), Map.of()),
                        new Step(Duration.ofSeconds(1), Map.of()))))
        .withMessage(
            "conditions scenario, step 1: afterMs 1000 is before the previous step's 2000; steps must be in time order");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> ScenarioConditionSource.of(List.of(new Step(Duration.ZERO, Map.of("batteryPercent", 200)))))
        .withMessage("conditions scenario, step 0: batteryPercent must be 0-100, got 200");
  }

  private DeviceConditions next() throws InterruptedException {
    DeviceConditions conditions = received.poll(5, TimeUnit.SECONDS);
    assertThat(conditions).as("a snapshot within 5 s").isNotNull();
    return conditions;
  }

  private Path write(String content) throws Exception {
    return Files.writeString(Files.createTempFile(temp, "scenario", ".json"), content);
  }

  private static DeviceConditions conditions(
      int battery,
      boolean charging,
      boolean lowPower,
      Network network,
      boolean metered,
      Optional<String> ssid,
      OsState osState) {
    return new DeviceConditions(battery, charging, lowPower, network, metered, ssid, true, PhotoAccess.FULL, osState);
  }
}
