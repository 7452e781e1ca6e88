package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import dev.autoupload.targets.Spool;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One WebDAV upload: chunks go to a local spool file as they are appended, and the whole file is
 * sent, verified and moved into place by {@link #complete}. Always starts at offset 0, as a plain
 * WebDAV PUT cannot be continued.
 */
final class WebDavSession implements UploadSession {

  private final WebDavTarget target;
  private final WebDavTarget.Location location;
  private final long size;
  private final boolean replace;
  private final Spool spool;
  private final Runnable release;
  private long offset;
  private boolean closed;

  /**
   * @param replace whether the upload replaces a file already under the final name
   * @param spool an empty spool the session owns and closes
   * @param release called once when the session closes, to let a later session open the path
   */
  WebDavSession(
      WebDavTarget target, WebDavTarget.Location location, long size, boolean replace, Spool spool, Runnable release) {
    this.target = target;
    this.location = location;
    this.size = size;
    this.replace = replace;
    this.spool = spool;
    this.release = release;
  }

  @Override
  public long offset() {
    return offset;
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(location.remotePath(), this.offset, offset, bytes.remaining(), size);
    int length = bytes.remaining();
    spool.write(bytes);
    this.offset += length;
    return this.offset;
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      String sent = spool.sha256Hex();
      if (offset != expectedSize) {
        throw mismatch(offset + " bytes received, expected " + expectedSize);
      }
      if (!sent.equalsIgnoreCase(sha256)) {
        throw mismatch("sha256 " + sent + " received, expected " + sha256);
      }
      spool.force();
      target.putPart(location, spool.file(), expectedSize);
      Optional<Multistatus> part = target.statPart(location);
      long stored =
          part.filter(p -> p.contentLength().isPresent()).map(p -> p.contentLength().getAsLong()).orElse(-1L);
      if (stored != expectedSize) {
        target.deletePartQuietly(location);
        throw new UploadException(
            new UploadError.Transient(
                "verification failed: " + location.display() + ": the server stored "
                    + (stored < 0 ? "nothing it reports a size for" : stored + " bytes")
                    + ", expected " + expectedSize));
      }
      if (target.movePartIntoPlace(location, replace)) {
        target.keepSha256(location, expectedSize, sent);
      } else {
        acceptExisting(expectedSize, sent);
      }
      return new RemoteFile(location.remotePath(), expectedSize, sent);
    } finally {
      close();
    }
  }

  /** A file already sits under the final name: fine if its known hash says it is ours. */
  private void acceptExisting(long expectedSize, String sha256) throws UploadException {
    target.deletePartQuietly(location);
    Optional<Multistatus> existing = target.statFile(location);
    Optional<String> known =
        existing.isPresent() && !existing.get().collection()
            ? target.knownSha256(location, existing.get())
            : Optional.empty();
    boolean same =
        existing.isPresent()
            && existing.get().contentLength().isPresent()
            && existing.get().contentLength().getAsLong() == expectedSize
            && known.map(sha256::equalsIgnoreCase).orElse(false);
    if (!same) {
      String why =
          existing.isPresent() && !existing.get().collection() && known.isEmpty()
              ? " already exists and the target cannot tell its hash"
              : " already exists with different content";
      throw new UploadException(new UploadError.Conflict(location.display() + why));
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    spool.close();
    release.run();
  }

  private UploadException mismatch(String why) {
    return new UploadException(
        new UploadError.Transient("verification failed: " + location.display() + ": " + why));
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw WebDavTarget.permanent("the upload session for " + location.remotePath() + " is closed");
    }
  }
}
