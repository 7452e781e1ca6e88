package dev.autoupload.conditions.linux;

import dev.autoupload.conditions.SourceThread;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.conditions.DeviceConditions;
import dev.autoupload.engine.conditions.DeviceConditions.Network;
import dev.autoupload.engine.conditions.DeviceConditions.OsState;
import dev.autoupload.engine.conditions.DeviceConditions.PhotoAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conditions of the Linux machine Autoupload runs on, read from sysfs.
 *
 * <ul>
 *   <li>Power from {@code class/power_supply}: the batteries' {@code capacity} (their average when
 *       there are several), and plugged in (reported as charging) when a {@code Mains} or {@code
 *       USB} supply is {@code online} or a battery is {@code Charging}, {@code Full} or {@code Not
 *       charging}. Batteries of peripherals ({@code scope} {@code Device}, a wireless mouse) do not
 *       count. A machine without a battery is on AC power: 100 %, charging.
 *   <li>The network from {@code class/net}: an interface other than {@code lo} is connected when
 *       its {@code operstate} is {@code up}, or {@code unknown} with {@code carrier} 1. Wi-Fi when a
 *       connected one is wireless, otherwise Ethernet, and none when nothing is connected.
 *   <li>Low Power Mode when {@code firmware/acpi/platform_profile} is {@code low-power}.
 * </ul>
 *
 * <p>Linux does not tell these apart, so they are fixed: SSID unknown, not metered, background
 * refresh allowed, full photo access, in the foreground. A file that cannot be read counts as
 * absent, so a half-present device never stops the polling.
 */
public final class LinuxConditionSource implements ConditionSource {

  private static final Logger log = LoggerFactory.getLogger(LinuxConditionSource.class);

  /** How often {@link #LinuxConditionSource()} looks. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
  /** Where {@link #LinuxConditionSource()} looks: {@code /sys}; tests give another folder. */
  public static final Path DEFAULT_SYSFS = Path.of("/sys");

  private static final Set<String> PLUGGED_IN_STATUSES = Set.of("Charging", "Full", "Not charging");

  private final Path sysfs;
  private final Duration pollInterval;
  private ScheduledExecutorService scheduler;

  /** Reads {@code /sys} every {@link #DEFAULT_POLL_INTERVAL}. */
  public LinuxConditionSource() {
    this(DEFAULT_SYSFS, DEFAULT_POLL_INTERVAL);
  }

  /**
   * @param sysfs where sysfs is mounted ({@code /sys}), or a copy of its layout
   * @param pollInterval how long between two looks; positive
   */
  public LinuxConditionSource(Path sysfs, Duration pollInterval) {
    this.sysfs = Objects.requireNonNull(sysfs, "sysfs");
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("the poll interval must be positive, got " + pollInterval);
    }
  }

  @Override
  public String describe() {
    return "Linux sysfs at " + sysfs + ", polled every " + pollInterval.toMillis() + " ms";
  }

  /**
   * Reports the first snapshot at once, then looks every poll interval on a daemon thread of its
   * own and reports only what changed.
   *
   * @throws IllegalStateException when there is no sysfs to read (not Linux), or already started
   */
  @Override
  public synchronized void start(Consumer<DeviceConditions> sink) {
    Objects.requireNonNull(sink, "sink");
    if (scheduler != null) {
      throw new IllegalStateException(describe() + " was already started");
    }
    Path classes = sysfs.resolve("class");
    if (!Files.isDirectory(classes)) {
      throw new IllegalStateException(
          "cannot read the device's conditions: "
              + classes
              + " does not exist; the linux conditions source needs Linux sysfs");
    }
    scheduler = SourceThread.start("autoupload-conditions-linux");
    scheduler.scheduleWithFixedDelay(
        new Poll(sink), 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops polling and waits briefly for the thread to end. */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      running = scheduler;
    }
    SourceThread.stop(running);
  }

  /** Runs on the scheduler's one thread, so {@code last} needs no lock. */
  private final class Poll implements Runnable {
    private final Consumer<DeviceConditions> sink;
    private DeviceConditions last;

    Poll(Consumer<DeviceConditions> sink) {
      this.sink = sink;
    }

    @Override
    public void run() {
      // An exception escaping a periodic task would cancel every later poll.
      try {
        DeviceConditions now = read();
        if (!now.equals(last)) {
          last = now;
          sink.accept(now);
        }
      } catch (RuntimeException e) {
        log.warn("{}: reading the device's conditions failed", describe(), e);
      }
    }
  }

  /** The conditions as sysfs shows them now. */
  DeviceConditions read() {
    Power power = power();
    boolean lowPower =
        readLine(sysfs.resolve("firmware/acpi/platform_profile")).map("low-power"::equals).orElse(false);
    return new DeviceConditions(
        power.percent(),
        power.pluggedIn(),
        lowPower,
        network(),
        false,
        Optional.empty(),
        true,
        PhotoAccess.FULL,
        OsState.FOREGROUND);
  }

  private record Power(int percent, boolean pluggedIn) {}

  private Power power() {
    List<Integer> capacities = new ArrayList<>();
    boolean pluggedIn = false;
    for (Path supply : children(sysfs.resolve("class/power_supply"))) {
      switch (readLine(supply.resolve("type")).orElse("")) {
        case "Battery" -> {
          if (readLine(supply.resolve("scope")).filter("Device"::equals).isPresent()) {
            continue;
          }
          readInt(supply.resolve("capacity")).ifPresent(capacities::add);
          pluggedIn |= readLine(supply.resolve("status")).filter(PLUGGED_IN_STATUSES::contains).isPresent();
        }
        case "Mains", "USB" -> pluggedIn |= readInt(supply.resolve("online")).filter(online -> online > 0).isPresent();
        default -> {}
      }
    }
    if (capacities.isEmpty()) {
      return new Power(100, true);
    }
    int average = (int) Math.round(capacities.stream().mapToInt(Integer::intValue).average().orElseThrow());
    return new Power(Math.max(0, Math.min(100, average)), pluggedIn);
  }

  private Network network() {
    boolean wired = false;
    boolean wireless = false;
    for (Path device : children(sysfs.resolve("class/net"))) {
      if (device.getFileName().toString().equals("lo") || !connected(device)) {
        continue;
      }
      if (Files.exists(device.resolve("wireless")) || Files.exists(device.resolve("phy80211"))) {
        wireless = true;
      } else {
        wired = true;
      }
    }
    // Wi-Fi wins: Docker bridges and VPN tunnels look wired here and must not hide it.
    return wireless ? Network.WIFI : wired ? Network.ETHERNET : Network.NONE;
  }

  private static boolean connected(Path device) {
    return switch (readLine(device.resolve("operstate")).orElse("")) {
      case "up" -> true;
      // Reading carrier of a device that is down fails (EINVAL), which reads as absent.
      case "unknown" -> readLine(device.resolve("carrier")).filter("1"::equals).isPresent();
      default -> false;
    };
  }

  private static List<Path> children(Path folder) {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static Optional<String> readLine(Path file) {
    try {
      return Optional.of(Files.readString(file).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Integer> readInt(Path file) {
    try {
      return readLine(file).map(Integer::valueOf);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
