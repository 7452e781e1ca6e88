package dev.autoupload.engine.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import dev.autoupload.engine.internal.conditions.PolicySettings;
import dev.autoupload.engine.internal.conditions.RunState;
import dev.autoupload.engine.internal.conditions.UploadPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceConditionsBuilderTest {

  private static final PolicySettings DEFAULT_POLICY = PolicySettings.from(ConfigFactory.defaultReference());

  private static Verdict underDefaultPolicy(DeviceConditions device) {
    return UploadPolicy.evaluate(device, DEFAULT_POLICY, new RunState(false, Duration.ofHours(1), false, LocalTime.NOON), 2);
  }

  @Test
  void everySetterSetsItsComponent() {
    Instant joined = Instant.parse("2024-05-01T09:00:00Z");
    DeviceConditions built =
        DeviceConditions.builder()
            .batteryPercent(42)
            .charging(true)
            .lowPowerMode(true)
            .network(Network.WIFI)
            .metered(false)
            .wifiSsid("home")
            .backgroundRefreshAllowed(false)
            .photoAccess(PhotoAccess.LIMITED)
            .osState(OsState.THROTTLED)
            .networkSince(joined)
            .build();

    assertThat(built)
        .isEqualTo(
            new DeviceConditions(
                42, true, true, Network.WIFI, false, Optional.of("home"), false, PhotoAccess.LIMITED,
                OsState.THROTTLED, Optional.of(joined)));
  }

  @Test
  void theDefaultsUploadNothingUntilANetworkIsNamed() {
    DeviceConditions forgotten = DeviceConditions.builder().build();

    assertThat(forgotten)
        .isEqualTo(
            new DeviceConditions(
                0, false, false, Network.NONE, true, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND,
                Optional.empty()));
    assertThat(underDefaultPolicy(forgotten).allowed()).isFalse();
    assertThat(underDefaultPolicy(forgotten).reasons()).contains(BlockerReason.NO_NETWORK);
  }

  @Test
  void aNetworkNotSaidToBeUnmeteredCountsAsMobileDataAndWaitsForWifi() {
    DeviceConditions wifiMeteredForgotten =
        DeviceConditions.builder().batteryPercent(90).network(Network.WIFI).wifiSsid("home").build();

    assertThat(wifiMeteredForgotten.onMeteredNetwork()).isTrue();
    assertThat(underDefaultPolicy(wifiMeteredForgotten).allowed()).isFalse();
    assertThat(underDefaultPolicy(wifiMeteredForgotten).reasons()).containsExactly(BlockerReason.WIFI_REQUIRED);

    DeviceConditions unmetered = DeviceConditions.builder().batteryPercent(90).network(Network.WIFI).metered(false).build();
    assertThat(underDefaultPolicy(unmetered).allowed()).isTrue();
  }

  @Test
  void aBatteryNotReportedStartsNoBackgroundRun() {
    DeviceConditions background =
        DeviceConditions.builder().network(Network.WIFI).metered(false).osState(OsState.BACKGROUND).build();

    assertThat(underDefaultPolicy(background).reasons()).containsExactly(BlockerReason.BATTERY_BELOW_START_THRESHOLD);
  }

  @Test
  void anSsidCountsOnlyOnWifiAndTheBatteryIsChecked() {
    assertThat(DeviceConditions.builder().network(Network.CELLULAR).wifiSsid("home").build().wifiSsid()).isEmpty();
    assertThatThrownBy(() -> DeviceConditions.builder().batteryPercent(101).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
