package dev.autoupload.targets;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.http.HttpErrors;
import dev.autoupload.targets.http.StreamedBody;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An upload sent as one request whose body is the file, streamed while the engine appends it: the
 * request starts with the first append and each chunk goes on to the server as it comes, with no
 * local copy of the file (a 4 GB video no longer needs 4 GB of temporary space, nor the time to
 * write and read them). Always starts at offset 0, as the protocols behind it cannot continue a
 * partial upload; a session closed before {@link #complete} aborts the request, so the server keeps
 * no part of it (or, at most, a part the next attempt replaces).
 *
 * <p>The bytes are checked against the hash the engine computed before the last of them leaves
 * ({@link StreamedBody}): a mismatch never reaches the server whole. A server that takes no bytes
 * for {@code read-timeout} fails the upload as transient, as does one that does not answer within
 * {@code read-timeout} after the last byte left. Public for the target packages; not for host apps.
 */
public abstract class StreamedSession implements UploadSession {

  /** Bytes that may wait for the connection: a few engine chunks, so reading and sending overlap. */
  static final long MAX_QUEUED_BYTES = 4L << 20;

  private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private final String remotePath;
  private final String display;
  private final long size;
  private final TargetSettings settings;
  private final Runnable release;
  private StreamedBody body;
  private CompletableFuture<HttpResponse<String>> answer;
  private long startedNanos;
  private volatile boolean closed;

  /**
   * @param remotePath the path the engine asked for, as in error messages about the session
   * @param display how the file is named in messages (its path on the server)
   * @param size the size announced at {@code open}, the request's {@code Content-Length}
   * @param settings the read timeout and the slowest pace a transfer may have
   * @param release called once when the session closes, to let a later session open the path
   */
  protected StreamedSession(String remotePath, String display, long size, TargetSettings settings, Runnable release) {
    this.remotePath = remotePath;
    this.display = display;
    this.size = size;
    this.settings = settings;
    this.release = release;
  }

  /**
   * Starts the request that carries the file; called once, with the first append (or by {@link
   * #complete} for an empty file). It must set no request timeout: the body comes at the pace the
   * engine reads the source, which the session times itself.
   *
   * @param body the request body, of the session's size
   * @return the answer to come
   */
  protected abstract CompletableFuture<HttpResponse<String>> send(HttpRequest.BodyPublisher body);

  /**
   * What the request does, for messages, e.g. {@code PUT /photos/.a.jpg.autoupload-part}.
   *
   * @return the operation's description, without credentials
   */
  protected abstract String operation();

  /**
   * Throws the target's classified failure unless {@code answer} says the file was stored.
   *
   * @param answer the server's answer to the request
   * @throws UploadException when the answer is not a success
   */
  protected abstract void requireStored(HttpResponse<String> answer) throws UploadException;

  /**
   * Publishes the file the request stored (its answer a success, its bytes of {@code size} and
   * {@code sha256}) under its final name. The session closes after it, whatever it does.
   *
   * @param answer the server's answer to the request
   * @param sending how long the request took, from its first byte to its answer
   * @param size the file's size
   * @param sha256 the file's sha256, in lowercase hex
   * @return the file as the server now holds it
   * @throws UploadException when publishing fails, classified as the target's errors are
   */
  protected abstract RemoteFile publish(HttpResponse<String> answer, Duration sending, long size, String sha256)
      throws UploadException;

  /** A later attempt sends the whole file again: no checkpoints are kept for it. */
  @Override
  public final boolean resumable() {
    return false;
  }

  @Override
  public final long offset() {
    return body == null ? 0 : body.accepted();
  }

  @Override
  public final long append(long offset, ByteBuffer bytes) throws UploadException {
    requireOpen();
    Appends.require(remotePath, offset(), offset, bytes.remaining(), size);
    if (!bytes.hasRemaining()) {
      return offset();
    }
    if (body == null) {
      body = new StreamedBody(size, MAX_QUEUED_BYTES);
      start(body.publisher());
    }
    StreamedBody.Offer offered;
    try {
      offered = body.offer(bytes, settings.readTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort("interrupted");
      throw new UploadException(new UploadError.Transient(operation() + " interrupted"), e);
    }
    switch (offered) {
      case ACCEPTED:
        return offset();
      case STALLED:
        abort("the server took no bytes for " + settings.readTimeout().toSeconds() + " s");
        throw new UploadException(
            new UploadError.Transient(
                operation() + " failed: the server took no bytes for " + settings.readTimeout().toSeconds() + " s"));
      default:
        throw endedEarly();
    }
  }

  @Override
  public final RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    requireOpen();
    try {
      if (offset() != expectedSize || expectedSize != size) {
        throw mismatch(offset() + " bytes received, expected " + expectedSize);
      }
      if (size == 0) {
        if (!EMPTY_SHA256.equalsIgnoreCase(sha256)) {
          throw mismatch("sha256 " + EMPTY_SHA256 + " received, expected " + sha256);
        }
        start(HttpRequest.BodyPublishers.noBody());
      } else {
        body.seal(sha256);
      }
      HttpResponse<String> stored = await();
      requireStored(stored);
      return publish(stored, Duration.ofNanos(System.nanoTime() - startedNanos), size, sha256.toLowerCase());
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
    abort("the upload was closed before it completed");
    release.run();
  }

  /**
   * What was sent is not what the engine hashed: the next attempt starts from zero.
   *
   * @param why what differs, for the message
   * @return a transient error naming the file, for the caller to throw
   */
  protected final UploadException mismatch(String why) {
    return SessionFailures.mismatch(display, why);
  }

  private void start(HttpRequest.BodyPublisher publisher) {
    startedNanos = System.nanoTime();
    answer = send(publisher);
    StreamedBody started = body;
    if (started != null) {
      // An answer (or a failure) before the last byte: the offers waiting learn it at once.
      answer.whenComplete((response, failure) -> started.end());
    }
  }

  /** The request ended before the body did: the server answered early, or the connection failed. */
  private UploadException endedEarly() throws UploadException {
    HttpResponse<String> early = await();
    requireStored(early);
    return new UploadException(
        new UploadError.Transient(operation() + " failed: the server answered before the whole file was sent"));
  }

  /**
   * The answer, waited for while the client still takes bytes and for at most {@code read-timeout}
   * after the last it took: the queue may still hold a few MiB for a slow link to carry.
   */
  private HttpResponse<String> await() throws UploadException {
    Duration timeout = settings.readTimeout();
    try {
      while (true) {
        long quietSince = body == null ? startedNanos : body.lastTakenNanos();
        long left = quietSince + timeout.toNanos() - System.nanoTime();
        if (left <= 0) {
          abort("no answer in time");
          HttpTimeoutException timedOut =
              new HttpTimeoutException("no answer within " + timeout.toSeconds() + " s of the last byte sent");
          throw new UploadException(HttpErrors.fromIo(operation(), timedOut), timedOut);
        }
        try {
          return answer.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // Bytes may have gone out meanwhile: the deadline is counted from the last of them.
        }
      }
    } catch (ExecutionException e) {
      if (body != null && body.mismatched()) {
        throw mismatch("the bytes sent do not hash to sha256 expected");
      }
      IOException failure =
          e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
      throw new UploadException(HttpErrors.fromIo(operation(), failure), failure);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort("interrupted");
      throw new UploadException(new UploadError.Transient(operation() + " interrupted"), e);
    }
  }

  private void abort(String why) {
    if (body != null) {
      body.abort(new IOException(why));
    }
    if (answer != null && !answer.isDone()) {
      answer.cancel(true);
    }
  }

  private void requireOpen() throws UploadException {
    if (closed) {
      throw SessionFailures.closed(remotePath);
    }
  }
}
