package dev.autoupload.engine.conditions;

import java.time.Duration;
import java.time.LocalTime;
import java.util.Set;

/**
 * What the policy needs to know besides the device: whether a run is under way, how long the
 * network has been unchanged, the user's pause, the blockers raised by uploads, and the local time.
 *
 * @param runStarted a run passed the start gate and its queue has not drained yet
 * @param networkStableFor how long the network type and SSID have stayed as they are
 * @param raisedByUploads blockers the target raised ({@code TARGET_FULL}, {@code NOT_AUTHORIZED})
 */
public record RunState(
    boolean runStarted,
    Duration networkStableFor,
    boolean userPaused,
    Set<BlockerReason> raisedByUploads,
    LocalTime localTime) {

  public RunState {
    raisedByUploads = Set.copyOf(raisedByUploads);
  }
}
