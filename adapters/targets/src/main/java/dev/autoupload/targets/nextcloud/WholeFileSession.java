package dev.autoupload.targets.nextcloud;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.SpooledSession;

/**
 * A file of at most one chunk: spooled as it is appended, checked, then sent in one PUT that
 * Nextcloud stores atomically and never over an existing file (unless it is to replace it). Always
 * starts at offset 0; an interruption costs at most one chunk, as with chunked uploads.
 */
final class WholeFileSession extends SpooledSession {

  private final NextcloudTarget target;
  private final NextcloudTarget.Location location;
  private final boolean replace;

  WholeFileSession(
      NextcloudTarget target, NextcloudTarget.Location location, long size, boolean replace, Runnable release)
      throws UploadException {
    super(location.remotePath(), location.display(), size, new Spool(target.spoolDir(), "nextcloud"), release);
    this.target = target;
    this.location = location;
    this.replace = replace;
  }

  @Override
  protected RemoteFile publish(long size, String sha256) throws UploadException {
    if (!target.putWholeFile(location, spool(), sha256, replace)) {
      return target.acceptExisting(location, size, sha256);
    }
    return new RemoteFile(location.remotePath(), size, sha256);
  }
}
