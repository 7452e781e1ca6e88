package dev.autoupload.engine.internal.watchdog;

import com.typesafe.config.Config;
import dev.autoupload.engine.watchdog.LibraryWatch;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code autoupload.watchdog} and {@code autoupload.alerts}: when a library counts as stalled, how
 * often it is checked, and where alerts are posted.
 *
 * @param webhook where stalls and recoveries are posted as JSON; empty for none
 * @param webhookTimeout how long one post may take
 * @param webhookAttempts posts of one alert before it is given up on
 * @param webhookMinBackoff the wait before the second post, doubling up to {@code
 *     webhookMaxBackoff}
 */
public record WatchdogSettings(
    LibraryWatch.Limits limits,
    Duration checkEvery,
    Optional<URI> webhook,
    Duration webhookTimeout,
    int webhookAttempts,
    Duration webhookMinBackoff,
    Duration webhookMaxBackoff) {

  /**
   * Reads {@code autoupload.watchdog} and {@code autoupload.alerts}.
   *
   * @param config the engine's configuration, with its defaults under it
   * @return the settings
   * @throws IllegalArgumentException naming the key, for a duration that is not positive, an
   *     attempt count below one or a webhook that is not an http(s) URL
   */
  public static WatchdogSettings from(Config config) {
    Duration stallAfter = positive(config, "autoupload.watchdog.stall-after");
    Duration maxAge = positive(config, "autoupload.watchdog.max-age");
    Duration checkEvery = positive(config, "autoupload.watchdog.check-every");
    int attempts = config.getInt("autoupload.alerts.retry.max-attempts");
    if (attempts < 1) {
      throw new IllegalArgumentException("autoupload.alerts.retry.max-attempts must be at least 1, got " + attempts);
    }
    Duration minBackoff = positive(config, "autoupload.alerts.retry.min-backoff");
    Duration maxBackoff = positive(config, "autoupload.alerts.retry.max-backoff");
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException("autoupload.alerts.retry.max-backoff must not be below min-backoff");
    }
    return new WatchdogSettings(
        new LibraryWatch.Limits(stallAfter, maxAge),
        checkEvery,
        webhook(config.getString("autoupload.alerts.webhook-url")),
        positive(config, "autoupload.alerts.timeout"),
        attempts,
        minBackoff,
        maxBackoff);
  }

  private static Optional<URI> webhook(String url) {
    if (url.isBlank()) {
      return Optional.empty();
    }
    // The URL often carries a token (a chat's incoming webhook): no message may show it whole.
    String problem = "autoupload.alerts.webhook-url must be an http:// or https:// URL with a host";
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(problem);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(problem);
    }
    return Optional.of(uri);
  }

  private static Duration positive(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be longer than zero, got " + value);
    }
    return value;
  }

  /**
   * How a webhook URL shows in a log line: scheme and host only, as its path may be a token.
   *
   * @param webhook the webhook's URL
   * @return scheme, host and port, then {@code /…}
   */
  public static String describe(URI webhook) {
    return webhook.getScheme() + "://" + webhook.getHost() + (webhook.getPort() < 0 ? "" : ":" + webhook.getPort()) + "/…";
  }
}
