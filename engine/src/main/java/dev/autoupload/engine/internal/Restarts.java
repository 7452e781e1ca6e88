package dev.autoupload.engine.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.event.Level;

/**
 * How the engine's actors are restarted when they fail ({@code autoupload.supervision}): after a
 * backoff that doubles from {@code minBackoff} to {@code maxBackoff}, with jitter. The condition
 * monitor is restarted by Pekko ({@link #strategy}); a library by the engine's guardian, which
 * needs the cause to show and decides with {@link dev.autoupload.engine.internal.library.LibraryHealth}.
 *
 * @param onceMaxRestarts restarts in a row after which a library backed up once gives up and stays
 *     down, so a run that cannot finish ends with the reason; a watched library never gives up
 */
public record Restarts(Duration minBackoff, Duration maxBackoff, double randomFactor, int onceMaxRestarts) {

  /**
   * Checks the settings, naming the configuration key of a bad one.
   *
   * @param minBackoff the first wait; positive
   * @param maxBackoff the longest wait; at least {@code minBackoff}
   * @param randomFactor how much jitter stretches a wait; not negative
   * @param onceMaxRestarts restarts in a row before a library backed up once gives up; at least 1
   * @throws IllegalArgumentException when a value is out of range
   */
  public Restarts {
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "autoupload.supervision.min-backoff must be positive and at most max-backoff");
    }
    if (randomFactor < 0) {
      throw new IllegalArgumentException("autoupload.supervision.random-factor must not be negative");
    }
    if (onceMaxRestarts < 1) {
      throw new IllegalArgumentException("autoupload.supervision.once-max-restarts must be at least 1");
    }
  }

  /**
   * Reads {@code autoupload.supervision}.
   *
   * @param config the engine's configuration, with its defaults under it
   * @return the settings
   * @throws IllegalArgumentException when a value is out of range
   */
  public static Restarts from(Config config) {
    Config supervision = config.getConfig("autoupload.supervision");
    return new Restarts(
        supervision.getDuration("min-backoff"),
        supervision.getDuration("max-backoff"),
        supervision.getDouble("random-factor"),
        supervision.getInt("once-max-restarts"));
  }

  /**
   * The settings of the engine's {@code reference.conf}.
   *
   * @return the defaults
   */
  public static Restarts defaults() {
    return from(ConfigFactory.defaultReference());
  }

  /**
   * How long to wait before restart number {@code failure} (1 for the first): {@code minBackoff}
   * doubled for each failure before it, capped at {@code maxBackoff}, plus up to {@code
   * randomFactor} of that as jitter, from {@code random} in [0, 1).
   *
   * @param failure the restart's number, from 1
   * @param random a draw in [0, 1)
   * @return the wait
   */
  public Duration backoff(int failure, double random) {
    double doubled = minBackoff.toNanos() * Math.pow(2, Math.min(failure - 1, 30));
    double capped = Math.min(doubled, maxBackoff.toNanos());
    return Duration.ofNanos((long) (capped * (1 + random * randomFactor)));
  }

  /**
   * Pekko's restart with backoff, as {@link Behaviors#supervise} takes it; each failure logged as a
   * warning.
   *
   * @return the strategy, with these backoff settings
   */
  public BackoffSupervisorStrategy strategy() {
    return SupervisorStrategy.restartWithBackoff(minBackoff, maxBackoff, randomFactor).withLogLevel(Level.WARN);
  }
}
