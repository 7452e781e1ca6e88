package dev.autoupload.engine.conditions;

import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.util.Set;

/**
 * The policy's answer: may uploads run, how many at once, and every reason that applies.
 *
 * @param allowed uploads may run: no reason in {@code reasons} is blocking
 * @param concurrency uploads per library allowed at once; 0 when not allowed
 * @param reasons every reason that applies, blocking or not ({@code OS_THROTTLED} slows, does not stop)
 * @param metered the network is billed by volume ({@link DeviceConditions#onMeteredNetwork}): a
 *     library's rules may keep some of its assets off it
 */
public record Verdict(boolean allowed, int concurrency, Set<BlockerReason> reasons, boolean metered)
    implements CborSerializable {

  /**
   * Copies {@code reasons}, so the verdict stays immutable.
   *
   * @param allowed uploads may run: no reason in {@code reasons} is blocking
   * @param concurrency uploads per library allowed at once; 0 when not allowed
   * @param reasons every reason that applies, blocking or not ({@code OS_THROTTLED} slows, does not stop)
   * @param metered the network is billed by volume ({@link DeviceConditions#onMeteredNetwork}): a
   *     library's rules may keep some of its assets off it
   */
  public Verdict {
    reasons = Set.copyOf(reasons);
  }

  /**
   * A verdict on an unmetered network.
   *
   * @param allowed uploads may run
   * @param concurrency uploads per library allowed at once; 0 when not allowed
   * @param reasons every reason that applies
   */
  public Verdict(boolean allowed, int concurrency, Set<BlockerReason> reasons) {
    this(allowed, concurrency, reasons, false);
  }

  /**
   * A verdict that lets uploads run with nothing in the way.
   *
   * @param concurrency uploads per library allowed at once
   * @return that verdict, unmetered
   */
  public static Verdict run(int concurrency) {
    return new Verdict(true, concurrency, Set.of());
  }

  /** {@return the reasons that stop uploads}; empty when {@code allowed}. */
  public Set<BlockerReason> blockers() {
    return reasons.stream().filter(BlockerReason::blocking).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }
}
