package dev.autoupload.engine.internal.upload;

/** The asset disappeared from its source before or during its upload: not an error, a skip. */
final class AssetGoneException extends Exception {

  AssetGoneException(String message, Throwable cause) {
    super(message, cause);
  }
}
