package dev.autoupload.targets.nextcloud;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import dev.autoupload.targets.Spool;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * A file of at most one chunk: spooled as it is appended, checked, then sent in one PUT that
 * Nextcloud stores atomically and never over an existing file. Always starts at offset 0; an
 * interruption costs at most one chunk, as with chunked uploads.
 */
final class WholeFileSession implements UploadSession {

  private final NextcloudTarget target;
  private final NextcloudTarget.Location location;
  private final long size;
  private final boolean replace;
  private final Runnable release;
  private final Spool spool;
  private final MessageDigest digest = Sha256.newDigest();
  private boolean closed;

  WholeFileSession(
      NextcloudTarget target, NextcloudTarget.Location location, long size, boolean replace, Runnable release)
      throws UploadException {
    this.target = target;
    this.location = location;
    this.size = size;
    this.replace = replace;
    this.release = release;
    this.spool = new Spool(target.spoolDir(), "nextcloud");
  }

  @Override
  public long offset() {
    return spool.size();
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(location.remotePath(), spool.size(), offset, bytes.remaining(), size);
    digest.update(bytes.duplicate());
    spool.write(bytes);
    return spool.size();
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      String sent = Sha256.hex(digest);
      if (spool.size() != expectedSize) {
        throw mismatch(spool.size() + " bytes received, expected " + expectedSize);
      }
      if (!sent.equalsIgnoreCase(sha256)) {
        throw mismatch("sha256 " + sent + " received, expected " + sha256);
      }
      if (!target.putWholeFile(location, spool.file(), expectedSize, sent, replace)) {
        return target.acceptExisting(location, expectedSize, sent);
      }
      return new RemoteFile(location.remotePath(), expectedSize, sent);
    } finally {
      close();
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
      throw NextcloudTarget.permanent("the upload session for " + location.remotePath() + " is closed");
    }
  }
}
