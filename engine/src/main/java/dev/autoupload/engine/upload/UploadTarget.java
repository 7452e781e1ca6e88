package dev.autoupload.engine.upload;

/**
 * Where assets go: a folder, WebDAV, tus, S3, Koofr. Implementations must be safe to call from
 * several threads at once, each on a different remote path; every remote path is confined under
 * the target's root.
 *
 * <p>Calls block; the engine makes them from a dedicated blocking-I/O dispatcher.
 */
public interface UploadTarget extends AutoCloseable {

  /** A short human description for logs and status; never contains credentials. */
  String describe();

  /** Asks what the target holds under {@code remotePath}. */
  RemoteState probe(String remotePath) throws UploadException;

  /**
   * Opens an upload of {@code size} bytes to {@code remotePath}, continuing a partial upload where
   * the target keeps one (the session's {@link UploadSession#offset()} tells where).
   */
  UploadSession open(String remotePath, long size) throws UploadException;

  /** Checks that the target is reachable and writable, so a bad target fails before any upload. */
  void check() throws UploadException;

  @Override
  default void close() {}
}
