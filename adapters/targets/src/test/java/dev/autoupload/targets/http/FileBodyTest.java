package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBodyTest {

  @TempDir Path dir;

  /** Collects what a body publishes, asking for {@code perRequest} buffers at a time. */
  private static class Collector implements Flow.Subscriber<ByteBuffer> {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final int perRequest;
    Flow.Subscription subscription;
    int buffers;
    boolean complete;
    Throwable error;

    Collector(int perRequest) {
      this.perRequest = perRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(perRequest);
    }

    @Override
    public void onNext(ByteBuffer item) {
      byte[] copy = new byte[item.remaining()];
      item.get(copy);
      bytes.writeBytes(copy);
      if (++buffers % perRequest == 0) {
        subscription.request(perRequest);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
    }

    @Override
    public void onComplete() {
      complete = true;
    }
  }

  private Path file(int size) throws Exception {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    return Files.write(dir.resolve("f" + size), content);
  }

  @Test
  void publishesTheWholeFileEachTimeItIsSubscribed() throws Exception {
    for (int size : new int[] {0, 1, FileBody.BUFFER_BYTES, 3 * FileBody.BUFFER_BYTES + 17}) {
      Path file = file(size);
      HttpRequest.BodyPublisher body = FileBody.of(file);
      assertThat(body.contentLength()).isEqualTo(size);
      for (int perRequest : new int[] {1, 3}) {
        Collector collector = new Collector(perRequest);
        body.subscribe(collector);
        assertThat(collector.error).isNull();
        assertThat(collector.complete).as("complete, %d bytes", size).isTrue();
        assertThat(collector.bytes.toByteArray()).isEqualTo(Files.readAllBytes(file));
      }
    }
  }

  @Test
  void aFileShorterThanWhenTheBodyWasMadeIsAnError() throws Exception {
    Path file = file(2 * FileBody.BUFFER_BYTES);
    HttpRequest.BodyPublisher body = FileBody.of(file);
    Files.write(file, new byte[10]);

    Collector collector = new Collector(1);
    body.subscribe(collector);

    assertThat(collector.complete).isFalse();
    assertThat(collector.error).hasMessageContaining("ended after 10 of " + 2 * FileBody.BUFFER_BYTES + " bytes");
  }

  @Test
  void stopsWhenCancelled() throws Exception {
    Path file = file(3 * FileBody.BUFFER_BYTES);
    Collector collector =
        new Collector(1) {
          @Override
          public void onNext(ByteBuffer item) {
            buffers++;
            subscription.cancel();
            subscription.request(1);
          }
        };

    FileBody.of(file).subscribe(collector);

    assertThat(collector.buffers).isEqualTo(1);
    assertThat(collector.complete).isFalse();
  }
}
