package dev.autoupload.app;

/** Ends {@code autoupload run} with an exit code and a one-line reason for stderr. */
final class RunFailure extends RuntimeException {

  private final int exitCode;

  RunFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  RunFailure(int exitCode, String message) {
    this(exitCode, message, null);
  }

  int exitCode() {
    return exitCode;
  }
}
