package dev.autoupload.engine.internal.conditions;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A stretch of each day in local time, {@code start} inclusive to {@code end} exclusive; one whose
 * start is after its end crosses midnight ({@code 22:00-07:00}), one whose start is its end is the
 * whole day.
 */
public record DailyWindow(LocalTime start, LocalTime end) {

  /**
   * Checks that both ends are given.
   *
   * @param start the first moment of the window
   * @param end the first moment after it
   * @throws NullPointerException when either is null
   */
  public DailyWindow {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
  }

  /**
   * Whether {@code time} falls in the window.
   *
   * @param time the local time of day
   * @return true within it, always for a window whose start is its end
   */
  public boolean contains(LocalTime time) {
    if (start.equals(end)) {
      return true;
    }
    return start.isBefore(end)
        ? !time.isBefore(start) && time.isBefore(end)
        : !time.isBefore(start) || time.isBefore(end);
  }

  /**
   * {@code "HH:MM-HH:MM"}, as {@code autoupload.policy.schedule} lists them.
   *
   * @param text the window, spaces around '-' allowed
   * @return the window
   * @throws IllegalArgumentException saying what is expected, for anything else
   */
  public static DailyWindow parse(String text) {
    String[] parts = text.strip().split("\\s*-\\s*");
    try {
      if (parts.length == 2) {
        return new DailyWindow(LocalTime.parse(parts[0]), LocalTime.parse(parts[1]));
      }
    } catch (DateTimeParseException e) {
      // Said below, with the text.
    }
    throw new IllegalArgumentException(
        "autoupload.policy.schedule: \"" + text + "\" is not a window such as \"22:00-07:00\" (HH:MM-HH:MM, local time)");
  }

  /** As {@link #parse} reads it: {@code HH:MM-HH:MM}. */
  @Override
  public String toString() {
    return start + "-" + end;
  }
}
