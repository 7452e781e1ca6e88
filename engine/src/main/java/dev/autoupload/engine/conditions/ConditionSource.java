package dev.autoupload.engine.conditions;

import java.util.function.Consumer;

/**
 * Something that knows the device's state (a host app, a scripted scenario, the Linux kernel) and
 * pushes a {@link DeviceConditions} snapshot whenever it changes.
 */
public interface ConditionSource extends AutoCloseable {

  /** {@return a short human description for logs and status} */
  String describe();

  /**
   * Starts reporting: the first snapshot as soon as it is known, then every change. Called once;
   * {@code sink} is thread-safe and returns at once.
   *
   * @param sink where to push each snapshot
   * @throws IllegalStateException with a message fit for the user when the source cannot start
   */
  void start(Consumer<DeviceConditions> sink);

  /** Stops reporting and releases threads and files. Never throws. */
  @Override
  void close();
}
