package dev.autoupload.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.autoupload.conditions.linux.LinuxConditionSource;
import dev.autoupload.conditions.scenario.ScenarioConditionSource;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConditionSourcesTest {

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"desktop", "", " ", "Desktop"})
  void desktopReportsAPluggedInDesktopOnce(String spec) {
    List<DeviceConditions> received = new ArrayList<>();
    try (ConditionSource source = ConditionSources.open(spec)) {
      source.start(received::add);

      assertThat(received).containsExactly(DeviceConditions.desktop());
      assertThat(source.describe()).isEqualTo("desktop: plugged in, wired network");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"linux", "LINUX"})
  void linuxReadsTheMachineFromSys(String spec) {
    try (ConditionSource source = ConditionSources.open(spec)) {
      assertThat(source).isInstanceOf(LinuxConditionSource.class);
      assertThat(source.describe()).startsWith("Linux sysfs at /sys,");
    }
  }

  @Test
  void anythingElseIsAScenarioFile(@TempDir Path temp) throws Exception {
    Path file =
        Files.writeString(temp.resolve("wifi-drops.json"), "[{\"afterMs\": 0, \"conditions\": {\"network\": \"NONE\"}}]");
    BlockingQueue<DeviceConditions> received = new LinkedBlockingQueue<>();

    try (ConditionSource source = ConditionSources.open(file.toString())) {
      source.start(received::add);

      assertThat(source).isInstanceOf(ScenarioConditionSource.class);
      assertThat(received.poll(5, TimeUnit.SECONDS)).extracting(DeviceConditions::network).isEqualTo(Network.NONE);
    }
  }

  @Test
  void aScenarioFileMustExist(@TempDir Path temp) {
    String missing = temp.resolve("typo.json").toString();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ConditionSources.open(missing))
        .withMessage("conditions scenario file " + missing + " does not exist");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ConditionSources.open("linx"))
        .withMessage("conditions scenario file linx does not exist");
  }

  @Test
  void anInvalidScenarioFileIsRefusedWithItsProblem(@TempDir Path temp) throws Exception {
    Path file = Files.writeString(temp.resolve("scenario.json"), "{}");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> ConditionSources.open(file.toString()))
        .withMessage("conditions scenario file " + file + " must be a JSON array of steps, got an object");
  }
}
