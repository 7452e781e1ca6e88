package dev.autoupload.engine;

/** The engine could not start; the message says why in words fit for the user. */
public class EngineStartException extends RuntimeException {

  public EngineStartException(String message) {
    super(message);
  }

  public EngineStartException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Another engine, in this process or another, holds the data dir. */
  public static final class DataDirInUse extends EngineStartException {

    public DataDirInUse(String message) {
      super(message);
    }

    public DataDirInUse(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
