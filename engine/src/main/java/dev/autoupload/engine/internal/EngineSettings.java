package dev.autoupload.engine.internal;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.watchdog.WatchdogSettings;
import dev.autoupload.engine.library.RemoteLayout;
import java.time.DateTimeException;
import java.time.ZoneId;

/**
 * Checks the engine's settings that no settings type of their own reads and checks ({@code
 * UploadSettings}, {@code PolicySettings} and the verifier's do): the layout and its time zone,
 * the conditions' debounce, the ask timeout, ledger snapshots, the journal's pool and the watchdog. A bad value
 * is then a one-line error naming its key before anything starts, not a failure deep inside.
 */
public final class EngineSettings {

  private EngineSettings() {}

  /**
   * @param config the engine's configuration, with its defaults under it
   * @throws IllegalArgumentException naming the key, when a value is out of range or not a layout
   *     or time zone
   * @throws com.typesafe.config.ConfigException when a value is missing or of the wrong type
   */
  public static void check(Config config) {
    String zone = config.getString("autoupload.layout.time-zone");
    ZoneId zoneId;
    try {
      zoneId = zone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "autoupload.layout.time-zone: \"" + zone + "\" is not a time zone such as Europe/Berlin or UTC");
    }
    RemoteLayout.of(config.getString("autoupload.layout.pattern"), zoneId);
    if (config.getDuration("autoupload.conditions.debounce").isNegative()) {
      throw new IllegalArgumentException("autoupload.conditions.debounce must not be negative");
    }
    if (config.getDuration("autoupload.ask-timeout").toMillis() < 1) {
      throw new IllegalArgumentException("autoupload.ask-timeout must be at least 1ms");
    }
    Restarts.from(config);
    WatchdogSettings.from(config);
    atLeastOne(config, "autoupload.ledger-snapshot-every");
    atLeastOne(config, "autoupload.journal.max-connections");
  }

  private static void atLeastOne(Config config, String key) {
    if (config.getInt(key) < 1) {
      throw new IllegalArgumentException(key + " must be at least 1, got " + config.getInt(key));
    }
  }
}
