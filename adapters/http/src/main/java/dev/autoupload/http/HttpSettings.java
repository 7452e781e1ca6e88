package dev.autoupload.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The control endpoint's settings, from {@code autoupload.http} (documented in this module's
 * {@code reference.conf}).
 *
 * @param allowedHosts every Host header name that is answered, the loopback names included,
 *     lower case, IPv6 addresses in brackets
 */
public record HttpSettings(
    Set<String> allowedHosts,
    long maxBody,
    Duration bodyTimeout,
    Duration sseKeepAlive,
    int sseBuffer,
    Duration sessionIdleTimeout,
    int maxSessions,
    Duration rateWindow,
    Duration rateSampleInterval,
    Duration stopTimeout,
    ThumbnailSettings thumbnails) {

  /**
   * How the Activity page's thumbnails are made ({@code autoupload.http.thumbnails}).
   *
   * @param parallelism thumbnails made at once, each on a thread of its own
   * @param queue thumbnails asked for beyond those that wait; more get 503
   * @param maxOriginalSize originals larger than this are not decoded (the tile stands in)
   * @param maxPixels originals with more pixels than this are not decoded (the tile stands in)
   * @param keep thumbnails kept in the data dir; the ones shown least recently go first
   */
  public record ThumbnailSettings(int parallelism, int queue, long maxOriginalSize, long maxPixels, int keep) {
    /**
     * Checks that every value is positive.
     *
     * @param parallelism thumbnails made at once
     * @param queue thumbnails asked for that may wait
     * @param maxOriginalSize the largest original decoded, in bytes
     * @param maxPixels the most pixels of an original decoded
     * @param keep thumbnails kept in the data dir
     * @throws IllegalArgumentException when a value is 0 or negative
     */
    public ThumbnailSettings {
      positive("thumbnails.parallelism", parallelism);
      positive("thumbnails.queue", queue);
      positive("thumbnails.max-original-size", maxOriginalSize);
      positive("thumbnails.max-pixels", maxPixels);
      positive("thumbnails.keep", keep);
    }
  }

  /** Always answered: the names a browser on this machine uses for it. */
  public static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

  /**
   * Checks the values. {@link #from(Config)} is the usual way to make settings; tests call this to
   * vary one.
   *
   * @param allowedHosts the Host header names answered, loopback names included (as {@link
   *     #from(Config)} adds them)
   * @param maxBody the largest request body accepted, in bytes
   * @param bodyTimeout how long a request's body may take to arrive
   * @param sseKeepAlive how often an idle event stream gets a comment line
   * @param sseBuffer events queued for one slow event stream client
   * @param sessionIdleTimeout how long a page login lasts without a request
   * @param maxSessions page logins kept at once
   * @param rateWindow the window the transfer rate is averaged over
   * @param rateSampleInterval how often the transfer rate is sampled
   * @param stopTimeout how long stopping waits for open requests and event streams
   * @param thumbnails how the Activity page's thumbnails are made
   * @throws IllegalArgumentException when a size, count or duration other than {@code
   *     stopTimeout} is not positive
   */
  public HttpSettings {
    allowedHosts = Set.copyOf(allowedHosts);
    positive("max-body", maxBody);
    positive("body-timeout", bodyTimeout.toMillis());
    positive("sse-keep-alive", sseKeepAlive.toMillis());
    positive("sse-buffer", sseBuffer);
    positive("session-idle-timeout", sessionIdleTimeout.toMillis());
    positive("max-sessions", maxSessions);
    positive("rate-window", rateWindow.toMillis());
    positive("rate-sample-interval", rateSampleInterval.toMillis());
  }

  /**
   * Reads {@code autoupload.http} from a resolved configuration that includes this module's
   * {@code reference.conf}. The app reads it when it loads the configuration, so a bad value fails
   * at start-up.
   *
   * @param config the resolved configuration, e.g. the engine's
   * @return the settings, {@link #LOOPBACK_HOSTS} added to the allowed hosts
   * @throws IllegalArgumentException when a value is missing, of the wrong type or out of range
   */
  public static HttpSettings from(Config config) {
    try {
      Config http = config.getConfig("autoupload.http");
      Set<String> hosts = new LinkedHashSet<>(LOOPBACK_HOSTS);
      for (String host : http.getStringList("allowed-hosts")) {
        if (host.isBlank()) {
          throw new IllegalArgumentException("autoupload.http.allowed-hosts must not contain an empty name");
        }
        hosts.add(host.strip().toLowerCase(Locale.ROOT));
      }
      return new HttpSettings(
          hosts,
          http.getBytes("max-body"),
          http.getDuration("body-timeout"),
          http.getDuration("sse-keep-alive"),
          http.getInt("sse-buffer"),
          http.getDuration("session-idle-timeout"),
          http.getInt("max-sessions"),
          http.getDuration("rate-window"),
          http.getDuration("rate-sample-interval"),
          http.getDuration("stop-timeout"),
          new ThumbnailSettings(
              http.getInt("thumbnails.parallelism"),
              http.getInt("thumbnails.queue"),
              http.getBytes("thumbnails.max-original-size"),
              http.getLong("thumbnails.max-pixels"),
              http.getInt("thumbnails.keep")));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("autoupload.http." + key + " must be positive, got " + value);
    }
  }
}
