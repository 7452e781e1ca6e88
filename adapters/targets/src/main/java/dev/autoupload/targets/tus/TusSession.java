package dev.autoupload.targets.tus;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tus upload: appended chunks are gathered in memory up to the target's PATCH size, or the end
 * of the file, and sent as one PATCH; the server keeps every PATCH it acknowledged, so a later
 * session continues from the server's offset. What was gathered and not yet sent is lost with the
 * session, as a kill loses what the engine has not checkpointed.
 *
 * <p>{@link #complete} of a session that sent the whole file compares the sha256 of everything the
 * server acknowledged, each PATCH answered with the offset after it (no request of its own). A
 * session that did not send every byte asks the server (HEAD) whether the upload holds exactly
 * the expected bytes, then the hash. A session resumed mid-file did not see the early bytes; it hashes the
 * server's copy where the server serves it (GET), and otherwise relies on what the server checked
 * on the way in: with the checksum extension every chunk it holds matched its sha256 when it was
 * sent; without it, only the length is verified (logged as a warning). A mismatch terminates the
 * upload, so the next attempt starts a new one.
 */
final class TusSession implements UploadSession {

  private static final Logger log = LoggerFactory.getLogger(TusSession.class);

  private final TusTarget target;
  private final TusTarget.Capabilities capabilities;
  private final String remotePath;
  private final URI url;
  private final String display;
  private final long size;
  private final long startedAt;
  /** The sha256 of the bytes the server acknowledged in this session, from {@link #startedAt}. */
  private final MessageDigest acknowledged = Sha256.newDigest();
  /** What the server acknowledged. */
  private long offset;
  /** Bytes appended after {@link #offset}, not yet sent. */
  private final byte[] gathered;
  private int gatheredLength;
  private boolean closed;

  TusSession(
      TusTarget target,
      TusTarget.Capabilities capabilities,
      String remotePath,
      URI url,
      long size,
      long offset,
      int patchBytes) {
    this.target = target;
    this.capabilities = capabilities;
    this.remotePath = remotePath;
    this.url = url;
    this.display = TusTarget.display(url, remotePath);
    this.size = size;
    this.startedAt = offset;
    this.offset = offset;
    this.gathered = new byte[(int) Math.min(patchBytes, Math.max(1, size - offset))];
  }

  @Override
  public long offset() {
    return offset + gatheredLength;
  }

  /** The upload URL: all a later process needs to continue, and no secret. */
  @Override
  public Optional<String> resumeToken() {
    return Optional.of(url.toString());
  }

  /** Gathers {@code bytes}, sending a PATCH each time the PATCH size or the end of the file is reached. */
  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(remotePath, offset(), offset, bytes.remaining(), size);
    ByteBuffer rest = bytes.duplicate();
    while (rest.hasRemaining()) {
      int n = Math.min(rest.remaining(), gathered.length - gatheredLength);
      rest.get(gathered, gatheredLength, n);
      gatheredLength += n;
      if (gatheredLength == gathered.length || offset() == size) {
        send();
      }
    }
    return offset();
  }

  /** Sends what was gathered as one PATCH. */
  private void send() throws UploadException {
    if (gatheredLength == 0) {
      return;
    }
    ByteBuffer chunk = ByteBuffer.wrap(gathered, 0, gatheredLength);
    Optional<String> checksum = Optional.empty();
    Optional<Map.Entry<String, String>> algorithm = capabilities.checksumAlgorithm();
    if (algorithm.isPresent()) {
      MessageDigest digest = digest(algorithm.get().getValue());
      digest.update(chunk.duplicate());
      checksum = Optional.of(algorithm.get().getKey() + " " + Base64.getEncoder().encodeToString(digest.digest()));
    }
    long next = target.patch(url, display, offset, chunk.duplicate(), checksum);
    acknowledged.update(chunk);
    this.offset = next;
    gatheredLength = 0;
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      send();
      String expected = sha256.toLowerCase(Locale.ROOT);
      if (startedAt == 0 && offset == size && expectedSize == size) {
        // The server acknowledged every byte to this session, each PATCH answered with the offset
        // after it, of an upload of exactly this length (created so, or found so when opened): a
        // HEAD would only say it again. The hash is of what it acknowledged.
        requireAcknowledged(expected);
        return new RemoteFile(remotePath, expectedSize, expected);
      }
      TusTarget.UploadState state =
          target
              .head(url, "HEAD " + display)
              .orElseThrow(
                  () ->
                      new UploadException(
                          new UploadError.Transient(
                              "verification failed: " + display
                                  + ": the upload is gone from the server; the next attempt starts a new one")));
      if (state.length() != expectedSize) {
        throw discarded("the server holds an upload of " + state.length() + " bytes, expected " + expectedSize);
      }
      if (!state.finished()) {
        throw new UploadException(
            new UploadError.Transient(
                "verification failed: " + display + ": the server holds " + state.offset() + " of "
                    + state.length() + " bytes"));
      }
      if (startedAt == 0 && offset == state.length()) {
        requireAcknowledged(expected);
      } else {
        Optional<String> stored = target.readBack(url, state.length(), display);
        if (stored.isPresent() && !stored.get().equals(expected)) {
          throw discarded("the server's copy has sha256 " + stored.get() + ", expected " + expected);
        }
        if (stored.isEmpty() && capabilities.checksumAlgorithm().isEmpty()) {
          log.warn(
              "{}: resumed upload verified by its length only: the server neither checks chunk checksums"
                  + " nor serves the upload back",
              display);
        }
      }
      return new RemoteFile(remotePath, expectedSize, expected);
    } finally {
      close();
    }
  }

  /** The sha256 of every byte the server acknowledged to this session must be {@code expected}. */
  private void requireAcknowledged(String expected) throws UploadException {
    String sent = Sha256.hex(acknowledged);
    if (!sent.equals(expected)) {
      throw discarded("sha256 " + sent + " received, expected " + expected);
    }
  }

  /** Releases nothing but the session: the client is the target's, and the server keeps the upload. */
  @Override
  public void close() {
    closed = true;
  }

  private UploadException discarded(String why) {
    boolean deleted = target.terminateQuietly(url, display);
    return new UploadException(
        new UploadError.Transient(
            "verification failed: " + display + ": " + why
                + (deleted
                    ? "; the upload was deleted and the next attempt starts over"
                    : "; the server could not delete the upload")));
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw TusTarget.permanent("the upload session for " + remotePath + " is closed");
    }
  }

  private static MessageDigest digest(String jcaName) {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(jcaName + " is missing from this Java runtime", e);
    }
  }
}
