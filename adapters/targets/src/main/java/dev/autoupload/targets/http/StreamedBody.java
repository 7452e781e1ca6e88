package dev.autoupload.targets.http;

import dev.autoupload.engine.upload.Sha256;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body of a known length that is written while the request is sent: the session's
 * thread {@link #offer}s each chunk as the engine appends it, and the HTTP client takes them as the
 * connection has room. At most {@code maxQueuedBytes} wait between the two, so memory stays at a few
 * chunks whatever the file's size, and no copy of the file is kept on the local disk.
 *
 * <p>The sha256 of what the client takes is computed as it takes it, and the chunk that completes
 * the length is held back until {@link #seal} says which hash the whole must have: a body that
 * does not hash to it is aborted before its last byte, so the server never receives it whole.
 *
 * <p>It can be sent once: the targets set the {@code Authorization} header themselves and follow
 * no redirects, so the client has no reason to send it again, and a second subscription fails.
 * Public for the target packages; not for host apps.
 */
public final class StreamedBody implements Flow.Publisher<ByteBuffer> {

  /** What became of an {@link #offer}. */
  public enum Offer {
    /** The bytes are queued for the request. */
    ACCEPTED,
    /** The request ended (an answer, a failure, an abort): nothing more is sent. */
    ENDED,
    /** The client took nothing for as long as the offer could wait: the server stopped reading. */
    STALLED
  }

  private final long size;
  private final long maxQueuedBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition roomOrEnd = lock.newCondition();
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  /** Calls to {@link #drain} not yet served: only the first caller delivers, the others add a round. */
  private final AtomicInteger draining = new AtomicInteger();
  private final MessageDigest delivered = Sha256.newDigest();

  // Guarded by lock.
  private Flow.Subscriber<? super ByteBuffer> subscriber;
  private long demand;
  private long queuedBytes;
  private long accepted;
  private long deliveredBytes;
  private long lastTakenNanos = System.nanoTime();
  private String expectedSha256;
  private IOException failure;
  private boolean ended;
  private boolean mismatch;

  /**
   * @param size the body's exact length, at least 1 (an empty body is {@code noBody()})
   * @param maxQueuedBytes how many offered bytes may wait for the client at most
   */
  public StreamedBody(long size, long maxQueuedBytes) {
    if (size < 1) {
      throw new IllegalArgumentException("a streamed body has at least one byte, not " + size);
    }
    this.size = size;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /**
   * The body for the request builder, with its length declared, so no chunked encoding is used.
   *
   * @return a publisher of the offered bytes
   */
  public HttpRequest.BodyPublisher publisher() {
    return HttpRequest.BodyPublishers.fromPublisher(this, size);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> next) {
    IOException refusal = null;
    lock.lock();
    try {
      if (subscriber != null) {
        refusal = new IOException("a streamed upload body cannot be sent twice");
      } else if (ended) {
        refusal = failure != null ? failure : new IOException("the upload ended before its body was sent");
      } else {
        subscriber = next;
      }
    } finally {
      lock.unlock();
    }
    if (refusal != null) {
      next.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      next.onError(refusal);
      return;
    }
    next.onSubscribe(new Subscription());
    drain();
  }

  /**
   * Queues a copy of {@code bytes}' remaining bytes (the caller may reuse its buffer), waiting up
   * to {@code wait} for the client to make room.
   *
   * @param bytes the next bytes of the body, from its position to its limit; its position ends at
   *     the limit when accepted
   * @param wait how long the client may take nothing before the offer gives up
   * @return whether the bytes were queued, or why not
   * @throws InterruptedException when the thread is interrupted while it waits
   * @throws IllegalStateException when the bytes go past the declared length, or after {@link #seal}
   */
  public Offer offer(ByteBuffer bytes, Duration wait) throws InterruptedException {
    int n = bytes.remaining();
    lock.lock();
    try {
      if (expectedSha256 != null || accepted + n > size) {
        throw new IllegalStateException(
            "cannot offer " + n + " bytes after " + accepted + " of a " + size + "-byte body" + (expectedSha256 != null ? " that is sealed" : ""));
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (!ended && failure == null && !queue.isEmpty() && queuedBytes + n > maxQueuedBytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Offer.STALLED;
        }
        roomOrEnd.awaitNanos(left);
      }
      if (ended || failure != null) {
        return Offer.ENDED;
      }
      ByteBuffer copy = ByteBuffer.allocate(n);
      copy.put(bytes).flip();
      queue.add(copy);
      queuedBytes += n;
      accepted += n;
    } finally {
      lock.unlock();
    }
    drain();
    return Offer.ACCEPTED;
  }

  /**
   * Says no more bytes come and which sha256 the whole body must have; the last bytes go out only
   * if it does, else the request is aborted ({@link #mismatched()}).
   *
   * @param sha256 the expected hash, lowercase hex
   */
  public void seal(String sha256) {
    lock.lock();
    try {
      expectedSha256 = sha256;
    } finally {
      lock.unlock();
    }
    drain();
  }

  /**
   * Fails the request with {@code why}, unless it already ended; an offer waiting returns {@link
   * Offer#ENDED}.
   *
   * @param why the failure the HTTP client reports for the request
   */
  public void abort(IOException why) {
    boolean subscribed;
    lock.lock();
    try {
      if (failure == null && !ended) {
        failure = why;
      }
      subscribed = subscriber != null;
      roomOrEnd.signalAll();
    } finally {
      lock.unlock();
    }
    // The failure goes to the subscriber from whichever thread is draining; one that subscribes
    // later gets it at once.
    drain();
    if (!subscribed) {
      end();
    }
  }

  /** Marks the request over, an answer having come: offers return {@link Offer#ENDED}. */
  public void end() {
    lock.lock();
    try {
      endLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Ends the request and lets go of the bytes still queued; the caller holds the lock. */
  private void endLocked() {
    ended = true;
    queue.clear();
    queuedBytes = 0;
    roomOrEnd.signalAll();
  }

  /**
   * The bytes offered so far.
   *
   * @return how many bytes were accepted
   */
  public long accepted() {
    lock.lock();
    try {
      return accepted;
    } finally {
      lock.unlock();
    }
  }

  /**
   * When the client last took bytes (or the body was made, if it took none yet): a request whose
   * client takes nothing for long is stuck on the server's side.
   *
   * @return a {@link System#nanoTime()} reading
   */
  public long lastTakenNanos() {
    lock.lock();
    try {
      return lastTakenNanos;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the body was aborted because its bytes did not hash to the sealed sha256.
   *
   * @return true when the hash did not match
   */
  public boolean mismatched() {
    lock.lock();
    try {
      return mismatch;
    } finally {
      lock.unlock();
    }
  }

  /** Hands queued bytes to the subscriber while it asks for them; one thread at a time does it. */
  private void drain() {
    if (draining.getAndIncrement() != 0) {
      return;
    }
    do {
      while (deliverOne()) {
        // Delivered one; go on while there is more the subscriber asked for.
      }
    } while (draining.decrementAndGet() != 0);
  }

  /**
   * Delivers one buffer, the completion or the failure; false when there is nothing to do now.
   * Only the draining thread runs it, so {@link #delivered} is hashed outside the lock.
   */
  private boolean deliverOne() {
    Flow.Subscriber<? super ByteBuffer> to;
    ByteBuffer next;
    String expected;
    boolean last;
    IOException failed = null;
    lock.lock();
    try {
      to = subscriber;
      if (to == null || ended) {
        return false;
      }
      if (failure != null) {
        endLocked();
        failed = failure;
        next = null;
        expected = null;
        last = false;
      } else if (demand > 0 && !queue.isEmpty()) {
        last = deliveredBytes + queue.peek().remaining() == size;
        if (last && expectedSha256 == null) {
          return false;
        }
        next = queue.poll();
        expected = expectedSha256;
        queuedBytes -= next.remaining();
        deliveredBytes += next.remaining();
        lastTakenNanos = System.nanoTime();
        demand--;
        roomOrEnd.signalAll();
      } else {
        return false;
      }
    } finally {
      lock.unlock();
    }
    if (failed != null) {
      to.onError(failed);
      return false;
    }
    delivered.update(next.duplicate());
    if (last && !Sha256.hex(delivered).equalsIgnoreCase(expected)) {
      lock.lock();
      try {
        mismatch = true;
        endLocked();
      } finally {
        lock.unlock();
      }
      to.onError(new IOException("the bytes sent do not hash to the sha256 expected; the upload was aborted"));
      return false;
    }
    to.onNext(next);
    if (last) {
      to.onComplete();
      return false;
    }
    return true;
  }

  private final class Subscription implements Flow.Subscription {
    @Override
    public void request(long n) {
      lock.lock();
      try {
        if (n <= 0) {
          failure = new IOException("the HTTP client asked for " + n + " buffers");
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
      } finally {
        lock.unlock();
      }
      drain();
    }

    @Override
    public void cancel() {
      end();
    }
  }
}
