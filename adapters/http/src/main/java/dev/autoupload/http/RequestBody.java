package dev.autoupload.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * A request's body read whole: its bytes if it is within the limit, else only that it was too
 * large (what came beyond the limit was read and dropped).
 *
 * @param bytes the body, empty when it was too large
 * @param tooLarge whether the body was longer than the limit
 */
record RequestBody(ByteString bytes, boolean tooLarge) {

  /**
   * Reads {@code entity} to its end.
   *
   * @param limit the largest body kept
   * @param readAtMost the most read in all; a longer body fails with {@code StreamLimitReachedException}
   * @param timeout the longest the whole body may take; a slower one fails with {@code TimeoutException}
   */
  static CompletionStage<RequestBody> read(
      HttpEntity entity, long limit, long readAtMost, Duration timeout, Materializer materializer) {
    return entity
        .withoutSizeLimit()
        .getDataBytes()
        .limitWeighted(readAtMost, chunk -> (long) chunk.size())
        .completionTimeout(timeout)
        .runFold(
            new RequestBody(ByteString.emptyByteString(), false),
            (body, chunk) -> body.tooLarge() || body.bytes().size() + (long) chunk.size() > limit
                ? new RequestBody(ByteString.emptyByteString(), true)
                : new RequestBody(body.bytes().concat(chunk), false),
            materializer);
  }
}
