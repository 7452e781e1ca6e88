package dev.autoupload.engine;

/** The engine could not start; the message says why in words fit for the user. */
public class EngineStartException extends RuntimeException {

  /**
   * An exception with the user's message.
   *
   * @param message why, in words fit for the user
   */
  public EngineStartException(String message) {
    super(message);
  }

  /**
   * An exception with the user's message and its cause.
   *
   * @param message why, in words fit for the user
   * @param cause the exception that stopped the start
   */
  public EngineStartException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Another engine, in this process or another, holds the data dir. */
  public static final class DataDirInUse extends EngineStartException {

    /**
     * An exception with the user's message.
     *
     * @param message why, in words fit for the user
     */
    public DataDirInUse(String message) {
      super(message);
    }

    /**
     * An exception with the user's message and its cause.
     *
     * @param message why, in words fit for the user
     * @param cause the exception met taking the data dir's lock
     */
    public DataDirInUse(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
