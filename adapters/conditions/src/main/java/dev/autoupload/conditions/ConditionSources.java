package dev.autoupload.conditions;

import dev.autoupload.conditions.linux.LinuxConditionSource;
import dev.autoupload.conditions.scenario.ScenarioConditionSource;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.conditions.DeviceConditions;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/** Turns the app's {@code --conditions} value into a {@link ConditionSource}. */
public final class ConditionSources {

  private ConditionSources() {}

  /**
   * Opens the source {@code spec} names, case aside:
   *
   * <ul>
   *   <li>{@code desktop}, or nothing: a plugged-in desktop on a wired network, reported once
   *       ({@link DeviceConditions#desktop()});
   *   <li>{@code linux}: the machine it runs on, read from {@code /sys} ({@link
   *       LinuxConditionSource});
   *   <li>anything else: the path of a scenario file ({@link ScenarioConditionSource}); write
   *       {@code ./linux} for a file of that name.
   * </ul>
   *
   * @param spec {@code desktop}, {@code linux} or a scenario file's path; null or blank for desktop
   * @return the source, not yet started
   * @throws IllegalArgumentException with a one-line message when the scenario file does not exist
   *     or is not a valid scenario
   */
  public static ConditionSource open(String spec) {
    return open(spec, LinuxConditionSource.DEFAULT_POLL_INTERVAL);
  }

  /**
   * As {@link #open(String)}, reading the Linux machine's state every {@code linuxPollInterval}.
   *
   * @param spec {@code desktop}, {@code linux} or a scenario file's path; null or blank for desktop
   * @param linuxPollInterval how often {@code linux} reads {@code /sys}; the others ignore it
   * @return the source, not yet started
   * @throws IllegalArgumentException as {@link #open(String)}
   */
  public static ConditionSource open(String spec, Duration linuxPollInterval) {
    String name = spec == null ? "" : spec.strip();
    if (name.isEmpty() || name.equalsIgnoreCase("desktop")) {
      return new Desktop();
    }
    if (name.equalsIgnoreCase("linux")) {
      return new LinuxConditionSource(LinuxConditionSource.DEFAULT_SYSFS, linuxPollInterval);
    }
    Path file;
    try {
      file = Path.of(name);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "invalid conditions scenario file name \"" + name + "\": " + e.getReason());
    }
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("conditions scenario file " + name + " does not exist");
    }
    return ScenarioConditionSource.load(file);
  }

  /** The engine's default, said out loud: nothing about a desktop changes. */
  private static final class Desktop implements ConditionSource {
    @Override
    public String describe() {
      return "desktop: plugged in, wired network";
    }

    @Override
    public void start(Consumer<DeviceConditions> sink) {
      sink.accept(DeviceConditions.desktop());
    }

    @Override
    public void close() {}
  }
}
