package dev.autoupload.engine.internal.activity;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.upload.FileUpload;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The tagged upload events for the Activity projection, read as the journal's live {@code
 * eventsByTag} would, but polled only as often as there is something to read: every {@code fast}
 * while events come, backing off to every {@code slow} while the engine is idle, and woken at once
 * by any {@link EngineEvent} (an upload's progress, its end, new conditions). The live query polls
 * at a fixed rate for ever, which kept an idle daemon busy; this one costs a query every few
 * seconds when nothing happens, and the view still follows an upload within a fraction of a second.
 */
final class TaggedEvents extends SourceProvider<Offset, EventEnvelope<FileUpload.Event>> {

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final String tag;
  private final Duration fast;
  private final Duration slow;
  /**
   * How long after the last engine event or event read the reads stay {@code fast}: the journal's
   * sequence reader makes a new event readable up to a second after it is written.
   */
  private static final Duration BUSY_FOR = Duration.ofSeconds(2);

  /** When the engine last did something or events were last read, in {@link System#nanoTime}. */
  private volatile long lastActivity = System.nanoTime();
  /** Completed, and replaced, on every engine event: what an idle wait also ends on. */
  private final AtomicReference<CompletableFuture<Void>> wakeUp = new AtomicReference<>(new CompletableFuture<>());

  TaggedEvents(ActorSystem<?> system, String tag, Duration fast, Duration slow) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.tag = tag;
    this.fast = fast;
    this.slow = slow;
    ActorRef<EngineEvent> listener =
        system.systemActorOf(
            Behaviors.receive(EngineEvent.class)
                .onAnyMessage(
                    event -> {
                      lastActivity = System.nanoTime();
                      wakeUp.getAndSet(new CompletableFuture<>()).complete(null);
                      return Behaviors.same();
                    })
                .build(),
            "activity-wake-ups-" + java.util.UUID.randomUUID(),
            Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(EngineEvent.class, listener));
  }

  @Override
  public CompletionStage<Source<EventEnvelope<FileUpload.Event>, NotUsed>> source(
      Supplier<CompletionStage<Optional<Offset>>> offset) {
    return offset.get().thenApply(start -> events(start.orElse(Offset.noOffset())));
  }

  private Source<EventEnvelope<FileUpload.Event>, NotUsed> events(Offset start) {
    AtomicReference<Offset> last = new AtomicReference<>(start);
    AtomicReference<Duration> pause = new AtomicReference<>(Duration.ZERO);
    // Taken before each read, so that an event during the read ends the wait after it at once.
    AtomicReference<CompletableFuture<Void>> wokenSinceRead = new AtomicReference<>(wakeUp.get());
    return Source.repeat(NotUsed.notUsed())
        .mapAsync(1, tick -> waitFor(pause.get(), wokenSinceRead.get()))
        .flatMapConcat(
            waited -> {
              wokenSinceRead.set(wakeUp.get());
              AtomicBoolean found = new AtomicBoolean();
              return journal
                  .currentEventsByTag(tag, last.get())
                  .map(
                      envelope -> {
                        last.set(envelope.offset());
                        found.set(true);
                        lastActivity = System.nanoTime();
                        return EventEnvelope.<FileUpload.Event>create(
                            envelope.offset(),
                            envelope.persistenceId(),
                            envelope.sequenceNr(),
                            (FileUpload.Event) envelope.event(),
                            envelope.timestamp());
                      })
                  .concat(
                      Source.lazySource(
                          () -> {
                            boolean busy = System.nanoTime() - lastActivity < BUSY_FOR.toNanos();
                            pause.set(found.get() || busy ? fast : backedOff(pause.get()));
                            return Source.<EventEnvelope<FileUpload.Event>>empty();
                          }))
                  .mapMaterializedValue(m -> NotUsed.notUsed());
            });
  }

  /** After a read that found nothing in a quiet engine, the next waits twice as long, up to {@code slow}. */
  private Duration backedOff(Duration pause) {
    Duration doubled = pause.isZero() ? fast : pause.multipliedBy(2);
    return doubled.compareTo(slow) > 0 ? slow : doubled;
  }

  /** Completes after {@code pause}, or sooner when {@code woken} does: the engine did something. */
  private CompletionStage<NotUsed> waitFor(Duration pause, CompletableFuture<Void> woken) {
    if (pause.isZero() || woken.isDone()) {
      return CompletableFuture.completedFuture(NotUsed.notUsed());
    }
    CompletableFuture<Void> timer = new CompletableFuture<>();
    system.scheduler().scheduleOnce(pause, () -> timer.complete(null), system.executionContext());
    return CompletableFuture.anyOf(woken, timer).thenApply(done -> NotUsed.notUsed());
  }

  @Override
  public Offset extractOffset(EventEnvelope<FileUpload.Event> envelope) {
    return envelope.offset();
  }

  @Override
  public long extractCreationTime(EventEnvelope<FileUpload.Event> envelope) {
    return envelope.timestamp();
  }
}
