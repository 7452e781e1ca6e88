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

  /** What stopped it; part of the exception's serial form. */
  private final Problem problem;

  /**
   * A verification stopped by {@code problem}.
   *
   * @param problem what stopped it
   * @param message what happened, in words fit for the user
   * @param cause the exception met, or null
   */
  public VerifyException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  /** {@return what stopped the verification} */
  public Problem problem() {
    return problem;
  }
}
