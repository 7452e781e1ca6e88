package dev.autoupload.engine.internal.conditions;

import java.time.Duration;
import java.time.LocalTime;

/**
 * What the policy needs to know besides the device: whether a run is under way, how long the
 * network has been unchanged, the user's pause and the local time.
 *
 * <p>Blockers raised by one library's target ({@code TARGET_FULL}, {@code NOT_AUTHORIZED}, {@code
 * TARGET_UNTRUSTED}) are not
 * here: they stop that library only, which adds them to the verdict it receives.
 *
 * @param runStarted a run passed the start gate and its queue has not drained yet
 * @param networkStableFor how long the network type and SSID have stayed as they are
 */
public record RunState(boolean runStarted, Duration networkStableFor, boolean userPaused, LocalTime localTime) {}
