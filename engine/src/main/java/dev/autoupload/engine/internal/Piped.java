package dev.autoupload.engine.internal;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * What an actor hands to {@code pipeToSelf}: never a stage that completes with null. A piped
 * value reaches dead letters when the actor has stopped before the stage completed (a library
 * restarting mid-scan, a projection stopped mid-reset), and Pekko's dead-letter listener fails on
 * a null one with a NullPointerException, logged as an ERROR with its stack trace.
 */
public final class Piped {

  private Piped() {}

  /**
   * The stage, completing with {@link Done} where it completes with a value: for a stage of
   * {@code Void} whose value means nothing.
   *
   * @param stage the work
   * @return done when it is, failed as it fails
   */
  public static CompletionStage<Done> done(CompletionStage<?> stage) {
    return stage.thenApply(ignored -> Done.getInstance());
  }
}
