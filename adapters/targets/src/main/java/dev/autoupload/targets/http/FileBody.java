package dev.autoupload.targets.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body read from a file in 1 MiB buffers. The JDK's {@code BodyPublishers.ofFile} reads
 * 16 KiB at a time through a stream, which held a PUT of a big file on loopback to about 60 % of
 * the pace this reaches (measured against nginx: 230–275 against 340–430 MB/s).
 *
 * <p>Each subscription reads the file anew from its start, so the client may send it again.
 * Public for the target packages; not for host apps.
 */
public final class FileBody {

  static final int BUFFER_BYTES = 1 << 20;

  private FileBody() {}

  /**
   * The body of {@code file}, of the size it has now; it must not change while sent.
   *
   * @param file the file to send, usually a {@code Spool}'s
   * @return a publisher of the file's bytes with their length known, so no chunked encoding is
   *     used
   * @throws IOException when the file's size cannot be read
   */
  public static HttpRequest.BodyPublisher of(Path file) throws IOException {
    long size = Files.size(file);
    if (size == 0) {
      // The client takes no publisher of a known length 0.
      return HttpRequest.BodyPublishers.noBody();
    }
    Flow.Publisher<ByteBuffer> publisher = subscriber -> new Reading(file, size, subscriber).start();
    return HttpRequest.BodyPublishers.fromPublisher(publisher, size);
  }

  /** One subscription: reads as many buffers as were asked for, on the thread that asked. */
  private static final class Reading implements Flow.Subscription {
    private final Path file;
    private final long size;
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    /** Calls to {@link #request} not yet served: only the first caller reads, the others add to it. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile FileChannel channel;
    private long sent;
    private volatile boolean ended;

    Reading(Path file, long size, Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.file = file;
      this.size = size;
      this.subscriber = subscriber;
    }

    void start() {
      subscriber.onSubscribe(this);
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        end();
        subscriber.onError(new IllegalArgumentException("non-positive request " + n));
        return;
      }
      demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
      if (pending.getAndIncrement() != 0) {
        return;
      }
      do {
        serve();
      } while (pending.decrementAndGet() != 0);
    }

    private void serve() {
      while (!ended && demand.get() > 0) {
        try {
          if (channel == null) {
            channel = FileChannel.open(file);
          }
          if (sent == size) {
            end();
            subscriber.onComplete();
            return;
          }
          ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER_BYTES, size - sent));
          while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
              throw new IOException(file + " ended after " + (sent + buffer.position()) + " of " + size + " bytes");
            }
          }
          buffer.flip();
          sent += buffer.remaining();
          demand.decrementAndGet();
          subscriber.onNext(buffer);
        } catch (IOException | UncheckedIOException e) {
          end();
          subscriber.onError(e);
          return;
        }
      }
    }

    @Override
    public void cancel() {
      end();
    }

    private void end() {
      ended = true;
      FileChannel open = channel;
      if (open != null) {
        try {
          open.close();
        } catch (IOException e) {
          // Nothing was written through it.
        }
      }
    }
  }
}
