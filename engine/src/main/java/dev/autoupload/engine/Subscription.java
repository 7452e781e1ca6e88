package dev.autoupload.engine;

/** A registered listener; closing it stops the calls. */
public interface Subscription extends AutoCloseable {

  /** Stops delivering events to the listener. Idempotent, never throws. */
  @Override
  void close();
}
