package dev.autoupload.targets.koofr;

import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.SpooledSession;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One Koofr upload: chunks go to a local spool file as they are appended, hashed with sha256 (what
 * the engine checks) and MD5 (what Koofr reports); on completion the file is sent, verified and
 * published as {@link KoofrTarget} describes. Always starts at offset 0: Koofr's put cannot be
 * continued.
 */
final class KoofrSession extends SpooledSession {

  private final KoofrTarget target;
  private final KoofrTarget.Location location;
  private final boolean replace;
  private final MessageDigest md5 = Md5.newDigest();

  /**
   * @param replace whether the upload replaces a file already under the final name
   * @param spool an empty spool the session owns and closes
   * @param release called once when the session closes, to let a later session open the path
   */
  KoofrSession(
      KoofrTarget target, KoofrTarget.Location location, long size, boolean replace, Spool spool, Runnable release) {
    super(location.remotePath(), location.file(), size, spool, release);
    this.target = target;
    this.location = location;
    this.replace = replace;
  }

  @Override
  protected void appended(ByteBuffer bytes) {
    md5.update(bytes);
  }

  @Override
  protected RemoteFile publish(long size, String sha256) throws UploadException {
    String sentMd5 = HexFormat.of().formatHex(md5.digest());
    RemoteFile stored = new RemoteFile(location.remotePath(), size, sha256);
    Optional<KoofrApi.FileInfo> existing = target.info(location.file());
    boolean replacing = replace && existing.isPresent() && !holds(existing.get(), size, sentMd5);
    if (replacing && existing.get().folder()) {
      throw KoofrTarget.permanent(location.file() + " is a folder on Koofr; it is not replaced by a file");
    }
    if (existing.isPresent() && !replacing) {
      requireSame(existing.get(), size, sentMd5);
      return stored;
    }
    KoofrApi.FileInfo part = target.putPart(location, spool());
    if (!part.name().equals(location.part())
        || part.folder()
        || part.size() != size
        || !sameContent(part, location.partPath(), sentMd5)) {
      target.removePartQuietly(location);
      throw mismatch(
          "Koofr stored " + (part.folder() ? "a folder" : part.size() + " bytes with MD5 " + part.md5().orElse("(none)"))
              + " as \"" + part.name() + "\", expected " + size + " bytes with MD5 " + sentMd5
              + " as \"" + location.part() + "\"");
    }
    if (replacing) {
      // Koofr's move never replaces: the old file goes only now that its successor is verified.
      target.removeFile(location);
    }
    if (!target.movePartIntoPlace(location)) {
      Optional<KoofrApi.FileInfo> there = target.info(location.file());
      target.removePartQuietly(location);
      if (there.isEmpty()) {
        throw new UploadException(
            new UploadError.Transient("Koofr refused to move the upload onto " + location.file() + "; trying again"));
      }
      requireSame(there.get(), size, sentMd5);
    }
    return stored;
  }

  private boolean holds(KoofrApi.FileInfo existing, long expectedSize, String md5) throws UploadException {
    return !existing.folder() && existing.size() == expectedSize && sameContent(existing, location.file(), md5);
  }

  /**
   * Whether the file at {@code path} holds the content of this MD5: by the hash Koofr reports, or,
   * on a mount that keeps none (a connected Dropbox, Google Drive), by reading it back.
   */
  private boolean sameContent(KoofrApi.FileInfo info, String path, String md5) throws UploadException {
    return info.md5().isPresent() ? info.md5().get().equals(md5) : target.md5Of(path).equals(md5);
  }

  /** Something sits under the final name: fine only if Koofr vouches it holds these very bytes. */
  private void requireSame(KoofrApi.FileInfo existing, long expectedSize, String md5) throws UploadException {
    if (existing.folder()) {
      throw KoofrTarget.permanent(location.file() + " is a folder on Koofr");
    }
    if (existing.size() != expectedSize || !sameContent(existing, location.file(), md5)) {
      throw conflict(" already exists with different content");
    }
  }

  private UploadException conflict(String why) {
    return new UploadException(new UploadError.Conflict(location.file() + why));
  }
}
