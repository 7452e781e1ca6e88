package dev.autoupload.engine.conditions;

/** Why uploads are waiting. Every waiting asset carries the complete set that applies. */
public enum BlockerReason {
  /** The user pressed pause. */
  USER_PAUSED
}
