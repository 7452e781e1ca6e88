package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.upload.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The body a streamed upload writes while it is sent, without an HTTP client in between. */
class StreamedBodyTest {

  private static final Duration NO_WAIT = Duration.ZERO;

  /** Takes what it is given, one buffer per request, and asks for more only when told. */
  private static final class Taker implements Flow.Subscriber<ByteBuffer> {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Flow.Subscription subscription;
    boolean complete;
    Throwable error;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
    }

    @Override
    public void onNext(ByteBuffer item) {
      byte[] copy = new byte[item.remaining()];
      item.get(copy);
      bytes.writeBytes(copy);
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

  @Test
  void deliversCopiesOfWhatWasOfferedAndHoldsTheLastBytesUntilSealedWithTheirHash() throws Exception {
    byte[] content = "0123456789".getBytes();
    StreamedBody body = new StreamedBody(content.length, 100);
    Taker taker = new Taker();
    body.subscribe(taker);
    taker.subscription.request(10);

    byte[] buffer = new byte[5];
    System.arraycopy(content, 0, buffer, 0, 5);
    assertThat(body.offer(ByteBuffer.wrap(buffer), NO_WAIT)).isEqualTo(StreamedBody.Offer.ACCEPTED);
    // The caller reuses its buffer at once: what was offered must not change with it.
    System.arraycopy(content, 5, buffer, 0, 5);
    assertThat(body.offer(ByteBuffer.wrap(buffer), NO_WAIT)).isEqualTo(StreamedBody.Offer.ACCEPTED);

    assertThat(taker.bytes.toByteArray()).as("the last bytes wait for the hash").isEqualTo("01234".getBytes());
    body.seal(Sha256.of(new ByteArrayInputStream(content)));

    assertThat(taker.bytes.toByteArray()).isEqualTo(content);
    assertThat(taker.complete).isTrue();
    assertThat(body.accepted()).isEqualTo(content.length);
  }

  @Test
  void abortsBeforeTheLastByteWhenTheHashDiffers() throws Exception {
    StreamedBody body = new StreamedBody(4, 100);
    Taker taker = new Taker();
    body.subscribe(taker);
    taker.subscription.request(10);
    body.offer(ByteBuffer.wrap("ab".getBytes()), NO_WAIT);
    body.offer(ByteBuffer.wrap("cd".getBytes()), NO_WAIT);

    body.seal(Sha256.of(new ByteArrayInputStream("abce".getBytes())));

    assertThat(taker.bytes.toString()).isEqualTo("ab");
    assertThat(taker.complete).isFalse();
    assertThat(taker.error).isInstanceOf(IOException.class);
    assertThat(body.mismatched()).isTrue();
  }

  @Test
  void anOfferWaitsForRoomAndSaysStalledWhenNoneComes() throws Exception {
    StreamedBody body = new StreamedBody(30, 10);
    Taker taker = new Taker();
    body.subscribe(taker);
    assertThat(body.offer(ByteBuffer.wrap(new byte[10]), NO_WAIT)).isEqualTo(StreamedBody.Offer.ACCEPTED);

    assertThat(body.offer(ByteBuffer.wrap(new byte[10]), Duration.ofMillis(50))).isEqualTo(StreamedBody.Offer.STALLED);

    taker.subscription.request(1);
    assertThat(body.offer(ByteBuffer.wrap(new byte[10]), NO_WAIT)).as("room once taken").isEqualTo(StreamedBody.Offer.ACCEPTED);
  }

  @Test
  void anOfferAfterTheRequestEndedSaysSoAndNothingMoreIsDelivered() throws Exception {
    StreamedBody body = new StreamedBody(20, 100);
    Taker taker = new Taker();
    body.subscribe(taker);

    body.end();

    assertThat(body.offer(ByteBuffer.wrap(new byte[10]), NO_WAIT)).isEqualTo(StreamedBody.Offer.ENDED);
    taker.subscription.request(5);
    assertThat(taker.bytes.size()).isZero();
  }

  @Test
  void anAbortFailsTheRequestAndASecondSubscriptionIsRefused() throws Exception {
    StreamedBody body = new StreamedBody(20, 100);
    Taker first = new Taker();
    body.subscribe(first);
    Taker second = new Taker();
    body.subscribe(second);
    assertThat(second.error).hasMessage("a streamed upload body cannot be sent twice");

    body.abort(new IOException("the upload was closed before it completed"));

    assertThat(first.error).hasMessage("the upload was closed before it completed");
    assertThat(body.offer(ByteBuffer.wrap(new byte[10]), NO_WAIT)).isEqualTo(StreamedBody.Offer.ENDED);
  }

  @Test
  void refusesBytesPastTheDeclaredLength() throws Exception {
    StreamedBody body = new StreamedBody(5, 100);
    body.offer(ByteBuffer.wrap(new byte[4]), NO_WAIT);

    assertThatThrownBy(() -> body.offer(ByteBuffer.wrap(new byte[2]), NO_WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot offer 2 bytes after 4 of a 5-byte body");
  }
}
