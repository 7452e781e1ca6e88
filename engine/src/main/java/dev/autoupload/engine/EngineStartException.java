package dev.autoupload.engine;

/** The engine could not start; the message says why in words fit for the user. */
public final class EngineStartException extends RuntimeException {

  public EngineStartException(String message) {
    super(message);
  }

  public EngineStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
