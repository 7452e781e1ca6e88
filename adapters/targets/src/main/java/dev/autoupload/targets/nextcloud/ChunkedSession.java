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
import java.util.Locale;
import java.util.Optional;

/**
 * A file larger than one chunk, sent with Nextcloud's chunked upload v2. Appended bytes are spooled
 * until a chunk is full, which is then PUT as the next numbered chunk, so an interruption loses at
 * most one chunk. {@link #complete} sends the last chunk, has the server assemble them onto the
 * hidden part name, verifies the result and moves it onto the final name without overwriting.
 */
final class ChunkedSession implements UploadSession {

  private final NextcloudTarget target;
  private final NextcloudTarget.Location location;
  private final long size;
  private final long chunkSize;
  private final boolean replace;
  private final Runnable release;
  private final Spool spool;

  /** The sha256 of the whole file, when this session sent it from byte 0; empty after a resume. */
  private final Optional<MessageDigest> whole;

  /** Bytes the server holds in complete chunks, numbered from 1. */
  private long onServer;

  /** Whether an earlier attempt had the server assemble every chunk into the part already. */
  private final boolean assembled;

  private boolean closed;

  ChunkedSession(
      NextcloudTarget target,
      NextcloudTarget.Location location,
      long size,
      NextcloudTarget.Start start,
      boolean replace,
      Runnable release)
      throws UploadException {
    this.target = target;
    this.location = location;
    this.size = size;
    this.replace = replace;
    this.chunkSize = target.chunkSize();
    this.onServer = start.onServer();
    this.assembled = start.assembled();
    this.release = release;
    this.whole = onServer == 0 ? Optional.of(Sha256.newDigest()) : Optional.empty();
    this.spool = new Spool(target.spoolDir(), "nextcloud");
  }

  @Override
  public long offset() {
    return onServer + spool.size();
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(location.remotePath(), offset(), offset, bytes.remaining(), size);
    while (bytes.hasRemaining()) {
      if (spool.size() == chunkSize) {
        // A full chunk whose PUT failed in an earlier call.
        sendChunk();
      }
      int room = (int) Math.min(bytes.remaining(), chunkSize - spool.size());
      ByteBuffer slice = bytes.slice().limit(room);
      whole.ifPresent(digest -> digest.update(slice.duplicate()));
      spool.write(slice);
      bytes.position(bytes.position() + room);
      if (spool.size() == chunkSize) {
        sendChunk();
      }
    }
    return offset();
  }

  private void sendChunk() throws UploadException {
    int number = (int) (onServer / chunkSize) + 1;
    target.putChunk(location, number, spool, size);
    onServer += spool.size();
    spool.clear();
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      if (offset() != expectedSize) {
        throw startingOver(offset() + " bytes received, expected " + expectedSize);
      }
      Optional<String> sent = whole.map(Sha256::hex);
      if (sent.isPresent() && !sent.get().equalsIgnoreCase(sha256)) {
        throw startingOver("sha256 " + sent.get() + " received, expected " + sha256);
      }
      if (spool.size() > 0) {
        sendChunk();
      }
      String hash = sha256.toLowerCase(Locale.ROOT);
      boolean assembledFromTheseChunks = !assembled && target.assemble(location, expectedSize, hash);
      verifyAssembled(expectedSize, hash, sent.isPresent() && assembledFromTheseChunks);
      if (!target.publishPart(location, replace)) {
        try {
          return target.acceptExisting(location, expectedSize, hash);
        } finally {
          target.deletePart(location);
        }
      }
      return new RemoteFile(location.remotePath(), expectedSize, hash);
    } finally {
      close();
    }
  }

  /**
   * Checks the assembled part before it is published, as {@link StoredFileCheck} decides: by its
   * size and the hash of what this session sent when it sent every byte and the server said it
   * assembled them, else by reading it back.
   */
  private void verifyAssembled(long expectedSize, String sha256, boolean sentEveryByte)
      throws UploadException {
    Optional<DavListing.Entry> part = target.partEntry(location);
    StoredFileCheck.Expected expected = new StoredFileCheck.Expected(expectedSize, sha256);
    StoredFileCheck.Decision decision =
        part.isEmpty()
            ? new StoredFileCheck.Decision(StoredFileCheck.Verdict.DIFFERENT, "the server assembled nothing it reports")
            : StoredFileCheck.judge(
                expected,
                new StoredFileCheck.Reported(
                    part.get().contentLength(), sentEveryByte ? Optional.of(sha256) : Optional.empty()));
    if (decision.verdict() == StoredFileCheck.Verdict.READ_BACK) {
      NextcloudTarget.ReadBack read = target.readBackPart(location, expectedSize);
      decision = StoredFileCheck.judgeReadBack(expected, read.length(), read.sha256());
    }
    if (decision.verdict() != StoredFileCheck.Verdict.SAME) {
      target.deletePart(location);
      throw new UploadException(
          new UploadError.Transient(
              "verification failed: " + location.display() + ": the assembled part: " + decision.reason()
                  + "; the upload starts over"));
    }
  }

  /** Discards the chunks: what is on the server cannot become the expected file. */
  private UploadException startingOver(String why) {
    target.discardUpload(location);
    return new UploadException(
        new UploadError.Transient(
            "verification failed: " + location.display() + ": " + why + "; the upload starts over"));
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

  private void requireOpen() throws UploadException {
    if (closed) {
      throw NextcloudTarget.permanent("the upload session for " + location.remotePath() + " is closed");
    }
  }
}
