package dev.autoupload.targets;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import java.nio.ByteBuffer;

/**
 * An upload sent as one whole file once complete: the appended chunks go to a local {@link Spool}
 * (memory stays at one chunk), and {@link #complete} checks their size and sha256 before {@link
 * #publish} sends them. Always starts at offset 0, as the protocols behind it cannot continue a
 * partial upload. Subclasses say how the file is sent and published. Public for the target
 * packages; not for host apps.
 */
public abstract class SpooledSession implements UploadSession {

  private final String remotePath;
  private final String display;
  private final long size;
  private final Spool spool;
  private final Runnable release;
  private boolean closed;

  /**
   * @param remotePath the path the engine asked for, as in error messages about the session
   * @param display how the file is named in messages (its path on the server)
   * @param size the size announced at {@code open}: an append past it is refused
   * @param spool an empty spool the session owns and closes
   * @param release called once when the session closes, to let a later session open the path
   */
  protected SpooledSession(String remotePath, String display, long size, Spool spool, Runnable release) {
    this.remotePath = remotePath;
    this.display = display;
    this.size = size;
    this.spool = spool;
    this.release = release;
  }

  /**
   * Sends the spooled file, whose {@code size} and {@code sha256} (lowercase hex) were just checked,
   * and publishes it under its final name. The session closes after it, whatever it does.
   *
   * @param size the spooled file's size
   * @param sha256 the spooled file's sha256, in lowercase hex
   * @return the file as the server now holds it
   * @throws UploadException when sending or publishing fails, classified as the target's errors are
   */
  protected abstract RemoteFile publish(long size, String sha256) throws UploadException;

  /**
   * Sees each appended chunk before it is spooled, for a target that needs another hash of it.
   * Does nothing unless overridden.
   *
   * @param bytes a view of the chunk's remaining bytes; reading it does not move the chunk's
   *     position
   */
  protected void appended(ByteBuffer bytes) {}

  /**
   * The spool holding the appended bytes, for {@link #publish} to send.
   *
   * @return the session's spool, closed with the session
   */
  protected final Spool spool() {
    return spool;
  }

  /** A later attempt sends the whole file again: no checkpoints are kept for it. */
  @Override
  public final boolean resumable() {
    return false;
  }

  @Override
  public final long offset() {
    return spool.size();
  }

  @Override
  public final long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(remotePath, spool.size(), offset, bytes.remaining(), size);
    appended(bytes.duplicate());
    spool.write(bytes);
    return spool.size();
  }

  @Override
  public final RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      String received = spool.sha256Hex();
      if (spool.size() != expectedSize) {
        throw mismatch(spool.size() + " bytes received, expected " + expectedSize);
      }
      if (!received.equalsIgnoreCase(sha256)) {
        throw mismatch("sha256 " + received + " received, expected " + sha256);
      }
      // Not synced: it is read back through the page cache, which holds what was written, and a
      // crash loses the spool whatever was synced (the next attempt starts from zero).
      return publish(expectedSize, received);
    } finally {
      close();
    }
  }

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    spool.close();
    release.run();
  }

  /**
   * What was sent is not what the server holds: the next attempt starts from zero.
   *
   * @param why what differs, for the message
   * @return a transient error naming the file, for the caller to throw
   */
  protected final UploadException mismatch(String why) {
    return SessionFailures.mismatch(display, why);
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw SessionFailures.closed(remotePath);
    }
  }
}
