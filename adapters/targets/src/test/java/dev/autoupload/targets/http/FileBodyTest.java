package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.Spool;
import dev.autoupload.targets.SpoolDamage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileBodyTest {

  @TempDir Path dir;
  private final List<Spool> spools = new ArrayList<>();

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

  private Spool spool(int size) throws Exception {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    Spool spool = new Spool(dir, "test");
    spools.add(spool);
    spool.write(ByteBuffer.wrap(content));
    return spool;
  }

  @AfterEach
  void closeSpools() {
    spools.forEach(Spool::close);
  }

  @Test
  void publishesTheWholeSpoolEachTimeItIsSubscribed() throws Exception {
    for (int size : new int[] {0, 1, FileBody.BUFFER_BYTES, 3 * FileBody.BUFFER_BYTES + 17}) {
      Spool spool = spool(size);
      HttpRequest.BodyPublisher body = FileBody.of(spool);
      assertThat(body.contentLength()).isEqualTo(size);
      for (int perRequest : new int[] {1, 3}) {
        Collector collector = new Collector(perRequest);
        body.subscribe(collector);
        assertThat(collector.error).isNull();
        assertThat(collector.complete).as("complete, %d bytes", size).isTrue();
        assertThat(collector.bytes.toByteArray()).isEqualTo(Files.readAllBytes(spool.file()));
      }
    }
  }

  /**
   * A spool file damaged after its writing (one bit flipped: first, middle or last byte) fails
   * the body before its last buffer, so no server receives the whole request, however it is
   * subscribed.
   */
  @ParameterizedTest
  @CsvSource({"1, 0", "1048576, 0", "1048576, 1048575", "3145745, 0", "3145745, 2000000", "3145745, 3145744"})
  void aSpoolFileChangedAfterItsWritingFailsTheBodyBeforeItsLastBuffer(int size, long flipped) throws Exception {
    Spool spool = spool(size);
    HttpRequest.BodyPublisher body = FileBody.of(spool);
    SpoolDamage.flipABit(spool.file(), flipped);

    for (int perRequest : new int[] {1, 3}) {
      Collector collector = new Collector(perRequest);
      body.subscribe(collector);

      assertThat(collector.complete).isFalse();
      assertThat(collector.error)
          .isInstanceOf(FileBody.Changed.class)
          .hasMessageContaining(spool.file().toString())
          .hasMessageContaining("no longer holds the bytes written to it");
      assertThat((long) collector.bytes.size()).isLessThan(size);
    }
  }

  @Test
  void aSpoolFileShorterThanWhenTheBodyWasMadeIsAnError() throws Exception {
    Spool spool = spool(2 * FileBody.BUFFER_BYTES);
    HttpRequest.BodyPublisher body = FileBody.of(spool);
    Files.write(spool.file(), new byte[10]);

    Collector collector = new Collector(1);
    body.subscribe(collector);

    assertThat(collector.complete).isFalse();
    assertThat(collector.error)
        .isInstanceOf(FileBody.Changed.class)
        .hasMessageContaining("ended after 10 of " + 2 * FileBody.BUFFER_BYTES + " bytes");
  }

  @Test
  void stopsWhenCancelled() throws Exception {
    Spool spool = spool(3 * FileBody.BUFFER_BYTES);
    Collector collector =
        new Collector(1) {
          @Override
          public void onNext(ByteBuffer item) {
            buffers++;
            subscription.cancel();
            subscription.request(1);
          }
        };

    FileBody.of(spool).subscribe(collector);

    assertThat(collector.buffers).isEqualTo(1);
    assertThat(collector.complete).isFalse();
  }
}
