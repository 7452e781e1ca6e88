package dev.autoupload.targets.local;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes one file into its part file, then publishes it under the final name once verified. */
final class LocalFolderSession implements UploadSession {

  private static final Logger log = LoggerFactory.getLogger(LocalFolderSession.class);
  /** Smaller parts sync in a few milliseconds: a thread of their own would cost more than it saves. */
  private static final long HASH_WHILE_SYNCING_BYTES = 8L << 20;

  private final LocalFolderTarget.Location location;
  private final long size;
  private final FileChannel channel;
  private final boolean replace;
  private final Runnable release;
  private long offset;
  private boolean closed;

  /**
   * @param channel the part file, open for reading and writing; the session owns it
   * @param replace whether publishing replaces a file already under the final name
   * @param release called once when the session closes, to let a later session open the path
   */
  LocalFolderSession(
      LocalFolderTarget.Location location, long size, FileChannel channel, boolean replace, Runnable release)
      throws IOException {
    this.location = location;
    this.size = size;
    this.channel = channel;
    this.replace = replace;
    this.release = release;
    this.offset = channel.size();
  }

  @Override
  public long offset() {
    return offset;
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(location.remotePath(), this.offset, offset, bytes.remaining(), size);
    try {
      while (bytes.hasRemaining()) {
        // Advanced per write so that after a failure the offset still tells what is on disk.
        this.offset += channel.write(bytes, this.offset);
      }
    } catch (IOException e) {
      throw FileErrors.writing(location.part(), e);
    }
    return this.offset;
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      long received = channel.size();
      if (received != expectedSize) {
        throw discard(received + " bytes received, expected " + expectedSize);
      }
      FileDigest.Digest digest = received >= HASH_WHILE_SYNCING_BYTES ? hashWhileSyncing() : syncThenHash();
      if (!digest.matches(expectedSize, sha256)) {
        throw discard("sha256 " + digest.hex() + " received, expected " + sha256);
      }
      return publish(digest);
    } catch (IOException e) {
      throw FileErrors.writing(location.part(), e);
    } finally {
      close();
    }
  }

  private FileDigest.Digest syncThenHash() throws IOException {
    channel.force(true);
    return FileDigest.of(channel);
  }

  /**
   * Forces the part to the disk on a thread of its own while this one reads it back and hashes it:
   * the sync waits for the disk, the hash for the CPU, and both read the same page cache, so the
   * check proves what it proved after the sync. A 1 GiB part: 1.57 s for the two one after the
   * other (0.79 s each), 0.87-0.93 s side by side.
   */
  private FileDigest.Digest hashWhileSyncing() throws IOException {
    CompletableFuture<Void> synced = new CompletableFuture<>();
    Thread syncing =
        new Thread(
            () -> {
              try {
                channel.force(true);
                synced.complete(null);
              } catch (Throwable e) {
                synced.completeExceptionally(e);
              }
            },
            "autoupload-sync-part");
    syncing.setDaemon(true);
    syncing.start();
    try {
      return FileDigest.of(channel);
    } finally {
      // The channel closes after this; never while the sync still uses it.
      awaitSynced(synced);
    }
  }

  private static void awaitSynced(CompletableFuture<Void> synced) throws IOException {
    try {
      synced.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
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
    } catch (IOException e) {
      // Everything appended was already handed to the OS; the next session re-reads its length.
      log.debug("closing {} failed: {}", location.part(), FileErrors.reason(e));
    } finally {
      release.run();
    }
  }

  private RemoteFile publish(FileDigest.Digest digest) throws IOException, UploadException {
    Path file = location.file();
    Path part = location.part();
    if (replace) {
      replaceWithPart(file, part);
      return new RemoteFile(location.remotePath(), digest.size(), digest.hex());
    }
    try {
      // A hard link, unlike a rename, fails instead of replacing a file that is already there.
      Files.createLink(file, part);
    } catch (FileAlreadyExistsException e) {
      return acceptExisting(digest);
    } catch (UnsupportedOperationException | FileSystemException e) {
      // Without hard links only a rename is atomic, and a rename replaces: checking first narrows
      // the window in which a file appearing under the final name gets overwritten.
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return acceptExisting(digest);
      }
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
    }
    // The final name must be durable before the part goes, or a crash could lose both.
    syncFolder(file.getParent());
    try {
      Files.deleteIfExists(part);
    } catch (IOException e) {
      log.warn("{} is stored, but its part file stays behind: {}", file, FileErrors.reason(e));
    }
    return new RemoteFile(location.remotePath(), digest.size(), digest.hex());
  }

  /** A rename replaces atomically: the old file is there until the new one takes its name. */
  private static void replaceWithPart(Path file, Path part) throws IOException, UploadException {
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      throw permanent(file + " is a folder; it is not replaced by a file");
    }
    try {
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
    }
    syncFolder(file.getParent());
  }

  /** Succeeds when the file already there is the one we uploaded, refuses it otherwise. */
  private RemoteFile acceptExisting(FileDigest.Digest digest) throws IOException, UploadException {
    Path file = location.file();
    boolean same;
    try {
      BasicFileAttributes existing =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      same =
          existing.isRegularFile()
              && existing.size() == digest.size()
              && FileDigest.of(file).matches(digest.size(), digest.hex());
    } catch (IOException e) {
      throw FileErrors.reading(file, e);
    }
    Files.deleteIfExists(location.part());
    if (!same) {
      throw new UploadException(
          new UploadError.Conflict(
              location.remotePath()
                  + " already exists with different content in "
                  + file.getParent()));
    }
    return new RemoteFile(location.remotePath(), digest.size(), digest.hex());
  }

  /** Drops what was received so the next attempt starts from zero. */
  private UploadException discard(String why) {
    try {
      // Emptied first: should the delete fail, the next session still starts from zero.
      channel.truncate(0);
      Files.deleteIfExists(location.part());
    } catch (IOException e) {
      log.warn("cannot discard {}: {}", location.part(), FileErrors.reason(e));
    }
    return new UploadException(
        new UploadError.Transient("verification failed: " + location.remotePath() + ": " + why));
  }

  private static void syncFolder(Path folder) {
    try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      // Some filesystems refuse to open or sync a folder; the file's own data is forced already.
      log.debug("cannot sync folder {}: {}", folder, FileErrors.reason(e));
    }
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw permanent("the upload session for " + location.remotePath() + " is closed");
    }
  }

  private static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
