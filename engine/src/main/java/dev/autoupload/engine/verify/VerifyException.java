package dev.autoupload.engine.verify;

/** A verification could not run to its end; {@link #problem()} says what stopped it. */
public final class VerifyException extends RuntimeException {

  /** What stopped a verification. */
  public enum Problem {
    /** The library's record in the journal could not be read. */
    JOURNAL_UNREADABLE,
    /** The library's source could not be scanned (its folder is missing, not readable). */
    SCAN_FAILED
  }

  private final Problem problem;

  public VerifyException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
