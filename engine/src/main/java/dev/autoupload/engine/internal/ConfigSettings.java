package dev.autoupload.engine.internal;

import com.typesafe.config.Config;
import dev.autoupload.engine.freespace.AfterBackup;
import dev.autoupload.engine.library.LibraryRules;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads the API's settings values from a Typesafe {@link Config}, which the API itself does not
 * mention.
 */
public final class ConfigSettings {

  private ConfigSettings() {}

  /**
   * Reads both after-backup settings from a resolved configuration.
   *
   * @param config the settings
   * @return what happens to originals once their backup is proven
   * @throws IllegalArgumentException naming the key, when a value is not one of the forms documented
   * @throws com.typesafe.config.ConfigException when a value is missing or not a string
   */
  public static AfterBackup afterBackup(Config config) {
    return AfterBackup.parse(config.getString(AfterBackup.KEY), config.getString(AfterBackup.PROOF_KEY));
  }

  /**
   * From {@code autoupload.rules}; {@code only-since} is a date ({@code 2024-01-01}, from midnight
   * in {@code zone}) or empty.
   *
   * @param config the settings
   * @param zone the time zone of {@code only-since}
   * @return the rules for every library that sets none of its own
   * @throws IllegalArgumentException when {@code only-since} is not a date
   * @throws com.typesafe.config.ConfigException when a value is missing or of the wrong type
   */
  public static LibraryRules libraryRules(Config config, ZoneId zone) {
    Config rules = config.getConfig("autoupload.rules");
    String since = rules.getString("only-since").strip();
    Optional<Instant> onlySince;
    try {
      onlySince = since.isEmpty() ? Optional.empty() : Optional.of(LocalDate.parse(since).atStartOfDay(zone).toInstant());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "autoupload.rules.only-since must be a date such as 2024-01-01, or empty; got \"" + since + "\"");
    }
    return new LibraryRules(
        rules.getBoolean("photos.mobile-data"),
        rules.getBoolean("videos.mobile-data"),
        rules.getBytes("max-size-on-metered"),
        rules.getDuration("min-age"),
        onlySince);
  }
}
