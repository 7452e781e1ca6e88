package dev.autoupload.cluster;

import java.util.concurrent.CompletionException;

/** What failed, under the wrappers a {@code CompletionStage} puts around it. */
final class Failures {

  private Failures() {}

  /**
   * @param failure as a stage's handler or {@code pipeToSelf} gets it; may be null
   * @return the failure without its {@link CompletionException} wrappers; null for null
   */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
