package dev.autoupload.engine.upload;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One upload of one file in progress. Not thread-safe: the engine calls it from one thread at a
 * time, in order.
 */
public interface UploadSession extends AutoCloseable {

  /** {@return the offset the next {@link #append} must start at}, in bytes from the file's start. */
  long offset();

  /**
   * What a later process needs to continue this upload, when the target cannot find a partial
   * upload by its path alone: a tus upload URL, an S3 multipart upload id. The engine records it
   * in the journal as soon as the session is open and passes it back to {@link
   * UploadTarget#probe(String, Optional)} and {@link UploadTarget#open(String, long, Optional)}.
   * Never a secret: it ends up in the journal.
   *
   * @return the token; empty for targets that find partial uploads by path
   */
  default Optional<String> resumeToken() {
    return Optional.empty();
  }

  /**
   * The source's bytes before {@link #offset()}, which an earlier attempt sent, read once more
   * after a resume: in order from byte 0, before the first {@link #append}, as the engine hashes
   * them. A session may check them against what the target holds (S3: each part's checksum)
   * instead of reading the finished file back. By default they are not used.
   *
   * @param offset where {@code bytes} start in the file
   * @param bytes the source's bytes from {@code offset}; read, not kept
   * @throws UploadException when the target holds other bytes there: the upload then starts over
   */
  default void alreadySent(long offset, ByteBuffer bytes) throws UploadException {}

  /**
   * Whether a later session can go on from where this one stopped. A session that sends the file
   * in one request (a plain WebDAV PUT) cannot: a later attempt starts from zero whatever was
   * sent, so the engine writes no checkpoints of its progress, which would cost a journal commit
   * each and save nothing.
   *
   * @return true unless a later attempt always starts from zero
   */
  default boolean resumable() {
    return true;
  }

  /**
   * Sends {@code bytes} (all remaining bytes of the buffer) starting at {@code offset}, which must
   * equal {@link #offset()}.
   *
   * <p>A session may send while the caller goes on (a request whose body streams as the file is
   * appended): then the failure of bytes an earlier append took is thrown by a later append or by
   * {@link #complete}. Nothing counts as stored before {@code complete} returns.
   *
   * @param offset where {@code bytes} start in the file, in bytes
   * @param bytes the data: all the buffer's remaining bytes; the session copies what it keeps
   * @return the new offset
   * @throws UploadException when the target refuses or cannot be reached; its {@link UploadError} says whether to retry
   */
  long append(long offset, ByteBuffer bytes) throws UploadException;

  /**
   * Finishes the upload: the target makes the file visible under its final name only after it
   * checked that it holds exactly {@code expectedSize} bytes hashing to {@code sha256}. A mismatch
   * discards the partial data and fails with a {@link UploadError.Transient} error, so the next
   * attempt starts from zero.
   *
   * @param expectedSize the file's length in bytes
   * @param sha256 lowercase hex sha256 of the whole file
   * @return the finished file as the target reports it
   * @throws UploadException when the content does not match, or the target refuses or cannot be reached
   */
  RemoteFile complete(long expectedSize, String sha256) throws UploadException;

  /**
   * Releases connections and handles, keeping what was sent so a later session can resume (or
   * {@link UploadTarget#discard} remove it). Never throws. It may be called from another thread
   * than the appends, but never while one runs.
   */
  @Override
  void close();
}
