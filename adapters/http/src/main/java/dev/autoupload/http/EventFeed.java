package dev.autoupload.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.engine.EngineEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the engine's events into Server-Sent Events for every connected client: {@code progress},
 * {@code state}, {@code verdict}, {@code stalled} and {@code recovered} (see {@link ApiJson}), and those of verifications ({@code
 * verify-progress}, {@code verify-file}, {@code verify-done}, see {@link Verifications}). Each
 * client has its own bounded queue, so a slow one loses its own oldest-pending events and never
 * holds up the engine or the others.
 *
 * <p>Every stream opens with a {@code ready} event, sent once the client's queue receives events:
 * a client that has read it misses nothing that happens after.
 */
final class EventFeed implements AutoCloseable {

  static final String READY = "ready";
  static final String PROGRESS = "progress";
  static final String STATE = "state";
  static final String VERDICT = "verdict";
  static final String STALLED = "stalled";
  static final String RECOVERED = "recovered";
  static final String VERIFY_PROGRESS = "verify-progress";
  static final String VERIFY_FILE = "verify-file";
  static final String VERIFY_DONE = "verify-done";

  private static final Logger log = LoggerFactory.getLogger(EventFeed.class);

  private final ObjectMapper mapper;
  private final int buffer;
  private final Duration keepAlive;
  /** Each client's queue, and when its stream has ended. */
  private final Map<BoundedSourceQueue<ServerSentEvent>, CompletableFuture<Done>> clients = new ConcurrentHashMap<>();
  private boolean closed;

  EventFeed(ObjectMapper mapper, int buffer, Duration keepAlive) {
    this.mapper = mapper;
    this.buffer = buffer;
    this.keepAlive = keepAlive;
  }

  /**
   * An engine listener: called on an engine thread, so it only queues. With no client listening
   * it writes no JSON, which was a twentieth of the actors' sampled time in a backup (JFR).
   */
  void publish(EngineEvent event) {
    offerToClients(() -> toServerSentEvent(event));
  }

  /** Sends {@code payload} as JSON in an event of {@code type} to every client; only queues. */
  void publish(String type, Object payload) {
    offerToClients(() -> json(payload, type));
  }

  private void offerToClients(Supplier<Optional<ServerSentEvent>> event) {
    if (!clients.isEmpty()) {
      event.get().ifPresent(sse -> clients.keySet().forEach(client -> client.offer(sse)));
    }
  }

  /** A new client's stream; it ends when the client goes away or the feed closes. */
  Source<ServerSentEvent, NotUsed> subscribe() {
    return Source.<ServerSentEvent>queue(buffer)
        .watchTermination(
            (queue, done) -> {
              register(queue, done.toCompletableFuture());
              done.whenComplete((ok, error) -> clients.remove(queue));
              return NotUsed.notUsed();
            })
        .prepend(Source.single(ServerSentEvent.create("{}", READY)))
        .keepAlive(keepAlive, ServerSentEvent::heartbeat);
  }

  private synchronized void register(BoundedSourceQueue<ServerSentEvent> queue, CompletableFuture<Done> ended) {
    if (closed) {
      queue.complete();
    } else {
      clients.put(queue, ended);
    }
  }

  /**
   * Ends every client's stream; later subscribers get an empty one.
   *
   * @return completes when every stream has sent its last event
   */
  synchronized CompletableFuture<Void> end() {
    closed = true;
    clients.keySet().forEach(BoundedSourceQueue::complete);
    return CompletableFuture.allOf(
        clients.values().stream()
            .map(done -> done.exceptionally(error -> Done.getInstance()))
            .toArray(CompletableFuture[]::new));
  }

  @Override
  public void close() {
    end();
  }

  Optional<ServerSentEvent> toServerSentEvent(EngineEvent event) {
    if (event instanceof EngineEvent.AssetProgress progress) {
      return json(ApiJson.Progress.of(progress), PROGRESS);
    }
    if (event instanceof EngineEvent.VerdictChanged changed) {
      return json(ApiJson.VerdictChange.of(changed), VERDICT);
    }
    if (event instanceof EngineEvent.Stalled stalled) {
      return json(ApiJson.Stalled.of(stalled.stall(), stalled.stall().since().plus(stalled.lasting())), STALLED);
    }
    if (event instanceof EngineEvent.Recovered recovered) {
      return json(ApiJson.Recovered.of(recovered), RECOVERED);
    }
    return ApiJson.StateChange.of(event).flatMap(change -> json(change, STATE));
  }

  private Optional<ServerSentEvent> json(Object payload, String type) {
    try {
      return Optional.of(ServerSentEvent.create(mapper.writeValueAsString(payload), type));
    } catch (JsonProcessingException e) {
      log.error("Cannot write a {} event as JSON", type, e);
      return Optional.empty();
    }
  }
}
