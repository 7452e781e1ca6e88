package dev.autoupload.targets.webdav;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
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
  private final Path spool;
  private final Runnable release;
  private final FileChannel channel;
  private final MessageDigest digest = Sha256.newDigest();
  private long offset;
  private boolean closed;

  /**
   * @param spool an empty temporary file the session owns and deletes when it closes
   * @param release called once when the session closes, to let a later session open the path
   */
  WebDavSession(
      WebDavTarget target, WebDavTarget.Location location, long size, Path spool, Runnable release)
      throws UploadException {
    this.target = target;
    this.location = location;
    this.size = size;
    this.spool = spool;
    this.release = release;
    try {
      this.channel = FileChannel.open(spool, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      deleteSpool();
      throw new UploadException(new UploadError.Transient("cannot open spool file " + spool + ": " + e.getMessage()), e);
    }
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
    digest.update(bytes.duplicate());
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new UploadException(
          new UploadError.Transient("cannot write spool file " + spool + ": " + e.getMessage()), e);
    }
    this.offset += length;
    return this.offset;
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      String sent = Sha256.hex(digest);
      if (offset != expectedSize) {
        throw mismatch(offset + " bytes received, expected " + expectedSize);
      }
      if (!sent.equalsIgnoreCase(sha256)) {
        throw mismatch("sha256 " + sent + " received, expected " + sha256);
      }
      try {
        channel.force(false);
      } catch (IOException e) {
        throw new UploadException(
            new UploadError.Transient("cannot write spool file " + spool + ": " + e.getMessage()), e);
      }
      target.putPart(location, spool, expectedSize);
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
      if (target.movePartIntoPlace(location)) {
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
    try {
      channel.close();
    } catch (IOException ignored) {
      // The spool is deleted next; nothing in it is needed any more.
    }
    deleteSpool();
    release.run();
  }

  private UploadException mismatch(String why) {
    return new UploadException(
        new UploadError.Transient("verification failed: " + location.display() + ": " + why));
  }

  private void deleteSpool() {
    try {
      Files.deleteIfExists(spool);
    } catch (IOException ignored) {
      // A temporary file in the spool directory; the system cleans it up eventually.
    }
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw WebDavTarget.permanent("the upload session for " + location.remotePath() + " is closed");
    }
  }
}
