package dev.autoupload.conditions.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LinuxConditionSourceTest {

  private static final Duration FAST = Duration.ofMillis(10);

  @TempDir Path temp;

  private final BlockingQueue<DeviceConditions> received = new LinkedBlockingQueue<>();

  @Test
  void aLaptopOnBatteryOnWifi() {
    FakeSysfs sysfs =
        new FakeSysfs(temp).battery("BAT0", 42, "Discharging").mains("AC", false).wifi("wlp2s0", "up").ethernet("enp0s31f6", "down");

    assertThat(read(sysfs)).isEqualTo(linux(42, false, Network.WIFI));
  }

  @Test
  void aDesktopWithoutBatteryOnEthernet() {
    FakeSysfs sysfs = new FakeSysfs(temp).mkdirs("class/power_supply").ethernet("eno1", "up");

    assertThat(read(sysfs)).isEqualTo(linux(100, true, Network.ETHERNET));
  }

  @Test
  void noPowerSupplyFolderAtAllIsADesktop() {
    FakeSysfs sysfs = new FakeSysfs(temp).ethernet("eth0", "up");

    assertThat(read(sysfs)).isEqualTo(linux(100, true, Network.ETHERNET));
  }

  @Test
  void aWirelessMouseBatteryDoesNotMakeADesktopALaptop() {
    FakeSysfs sysfs = new FakeSysfs(temp).deviceBattery("hidpp_battery_0", 15).ethernet("eth0", "up");

    assertThat(read(sysfs)).isEqualTo(linux(100, true, Network.ETHERNET));
  }

  @Test
  void noInterfaceUpMeansNoNetwork() {
    FakeSysfs sysfs =
        new FakeSysfs(temp).battery("BAT0", 80, "Discharging").ethernet("eth0", "down").wifi("wlan0", "dormant");

    assertThat(read(sysfs).network()).isEqualTo(Network.NONE);
  }

  @Test
  void anInterfaceInStateUnknownCountsOnlyWithCarrier() {
    FakeSysfs sysfs = new FakeSysfs(temp).ethernet("tun0", "unknown").write("class/net/tun0/carrier", "0");
    assertThat(read(sysfs).network()).isEqualTo(Network.NONE);

    sysfs.write("class/net/tun0/carrier", "1");
    assertThat(read(sysfs).network()).isEqualTo(Network.ETHERNET);
  }

  @Test
  void wifiIsNotHiddenByAWiredLookingBridge() {
    FakeSysfs sysfs = new FakeSysfs(temp).ethernet("docker0", "up").wifi("wlan0", "up");

    assertThat(read(sysfs).network()).isEqualTo(Network.WIFI);
  }

  @Test
  void aWirelessInterfaceIsAlsoKnownByItsPhy() {
    FakeSysfs sysfs = new FakeSysfs(temp).ethernet("wlan0", "up").mkdirs("class/net/wlan0/phy80211");

    assertThat(read(sysfs).network()).isEqualTo(Network.WIFI);
  }

  @ParameterizedTest
  @CsvSource({
    "Charging, false, true",
    "Full, false, true",
    "Not charging, false, true",
    "Discharging, false, false",
    "Discharging, true, true",
  })
  void chargingWhenPluggedIn(String status, boolean mainsOnline, boolean charging) {
    FakeSysfs sysfs = new FakeSysfs(temp).battery("BAT0", 77, status).mains("AC", mainsOnline).wifi("wlan0", "up");

    assertThat(read(sysfs)).isEqualTo(linux(77, charging, Network.WIFI));
  }

  @Test
  void twoBatteriesReportTheirAverage() {
    FakeSysfs sysfs = new FakeSysfs(temp).battery("BAT0", 90, "Discharging").battery("BAT1", 31, "Discharging");

    assertThat(read(sysfs).batteryPercent()).isEqualTo(61);
  }

  @Test
  void lowPowerModeFollowsTheLowPowerPlatformProfile() {
    FakeSysfs sysfs = new FakeSysfs(temp).write("firmware/acpi/platform_profile", "balanced");
    assertThat(read(sysfs).lowPowerMode()).isFalse();

    sysfs.write("firmware/acpi/platform_profile", "low-power");
    assertThat(read(sysfs).lowPowerMode()).isTrue();
  }

  @Test
  void pollingPicksUpAChange() throws Exception {
    FakeSysfs sysfs = new FakeSysfs(temp).battery("BAT0", 42, "Discharging").wifi("wlan0", "up");
    try (LinuxConditionSource source = new LinuxConditionSource(sysfs.root, FAST)) {
      source.start(received::add);
      assertThat(next()).isEqualTo(linux(42, false, Network.WIFI));

      sysfs.write("class/power_supply/BAT0/capacity", "41");

      assertThat(next()).isEqualTo(linux(41, false, Network.WIFI));
    }
  }

  @Test
  void reportsOnlyWhenSomethingChanged() throws Exception {
    FakeSysfs sysfs = new FakeSysfs(temp).ethernet("eth0", "up");
    try (LinuxConditionSource source = new LinuxConditionSource(sysfs.root, FAST)) {
      source.start(received::add);
      next();

      // About 30 polls of an unchanged tree.
      assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void closeEndsItsDaemonThread() throws Exception {
    BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();
    LinuxConditionSource source = new LinuxConditionSource(new FakeSysfs(temp).root, FAST);
    source.start(conditions -> threads.add(Thread.currentThread()));
    Thread thread = threads.poll(5, TimeUnit.SECONDS);
    assertThat(thread).isNotNull();
    assertThat(thread.isDaemon()).isTrue();

    source.close();

    // Without close the thread would live on: a step is due in an hour, or the next poll.
    thread.join(Duration.ofSeconds(5).toMillis());
    assertThat(thread.isAlive()).isFalse();
  }

  @Test
  void refusesToStartWhereThereIsNoSysfs() {
    try (LinuxConditionSource source = new LinuxConditionSource(temp, FAST)) {
      assertThatIllegalStateException()
          .isThrownBy(() -> source.start(received::add))
          .withMessage(
              "cannot read the device's conditions: "
                  + temp.resolve("class")
                  + " does not exist; the linux conditions source needs Linux sysfs");
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void readsTheRealMachine() throws Exception {
    try (LinuxConditionSource source = new LinuxConditionSource()) {
      source.start(received::add);

      assertThat(next()).isNotNull();
      assertThat(source.describe()).isEqualTo("Linux sysfs at /sys, polled every 5000 ms");
    }
  }

  private DeviceConditions next() throws InterruptedException {
    DeviceConditions conditions = received.poll(5, TimeUnit.SECONDS);
    assertThat(conditions).as("a snapshot within 5 s").isNotNull();
    return conditions;
  }

  private static DeviceConditions read(FakeSysfs sysfs) {
    return new LinuxConditionSource(sysfs.root, FAST).read();
  }

  private static DeviceConditions linux(int battery, boolean charging, Network network) {
    return new DeviceConditions(
        battery, charging, false, network, false, Optional.empty(), true, PhotoAccess.FULL, OsState.FOREGROUND);
  }
}
