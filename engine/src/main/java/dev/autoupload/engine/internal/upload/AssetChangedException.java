package dev.autoupload.engine.internal.upload;

/** The asset's content changed while it was uploaded: what was sent is not what the file holds. */
final class AssetChangedException extends Exception {

  AssetChangedException(String message) {
    super(message);
  }
}
