package dev.autoupload.engine.internal.activity;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.internal.persistence.DatabaseCall;
import dev.autoupload.engine.internal.persistence.JournalSerialization;
import dev.autoupload.engine.internal.persistence.JournalSetup;
import dev.autoupload.engine.internal.persistence.JournalStore;
import dev.autoupload.engine.internal.upload.FileUpload;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The tagged upload events for the Activity projection, read as the journal's live {@code
 * eventsByTag} would, but only as often as there is something to read: every {@code fast} while
 * events come, backing off to every {@code slow} while the engine is idle, and woken at once by any
 * {@link EngineEvent} (an upload's progress, its end, new conditions).
 *
 * <p>It reads the journal's tables ({@link JournalStore}) rather than through a read journal's
 * {@code eventsByTag}: pekko-persistence-jdbc's learnt how far it may read from a sequence reader,
 * an actor that queried the journal once a second for ever, idle or not, and made a new event
 * readable up to a second late. Here the same decision ({@link VisibleOrderings}: never read past
 * an ordering that may still commit) is taken on each read, so an idle engine's journal is queried
 * every {@code slow}, and a new event is read as soon as the event that wakes the reader is
 * published.
 */
final class TaggedEvents extends SourceProvider<Offset, EventEnvelope<FileUpload.Event>> {

  /** Events read in one query at most; a full batch is followed by the next at once. */
  private static final int BATCH = 500;
  /**
   * How long an ordering may stay missing before it counts as never coming: as the journal
   * plugin's sequence reader decides by default ({@code max-tries} 10 × {@code query-delay} 1 s).
   */
  private static final Duration GIVE_UP_ON_GAP_AFTER = Duration.ofSeconds(10);
  /** How long after the last engine event or event read the reads stay {@code fast}. */
  private static final Duration BUSY_FOR = Duration.ofSeconds(2);
  /**
   * The least time between two reads, however often engine events wake the reader (a busy engine
   * publishes progress continuously): each read is two queries, and reading back to back cost a
   * run of 500 files about 15 % more CPU. Reading on through full batches is not held back.
   */
  private static final Duration MIN_BETWEEN_READS = Duration.ofMillis(250);

  private final ActorSystem<?> system;
  private final JournalStore journal;
  private final JournalSerialization serialization;
  private final Executor jdbc;
  private final String tag;
  private final Duration fast;
  private final Duration slow;

  /** When the engine last did something or events were last read, in {@link System#nanoTime}. */
  private volatile long lastActivity = System.nanoTime();
  /** When the last read began, in {@link System#nanoTime}. */
  private volatile long lastRead = System.nanoTime() - MIN_BETWEEN_READS.toNanos();
  /** Completed, and replaced, on every engine event: what an idle wait also ends on. */
  private final AtomicReference<CompletableFuture<Void>> wakeUp = new AtomicReference<>(new CompletableFuture<>());

  TaggedEvents(ActorSystem<?> system, String tag, Duration fast, Duration slow) {
    this.system = system;
    this.journal = JournalSetup.storeOf(system);
    this.serialization = new JournalSerialization(system);
    this.jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig(JournalSetup.DISPATCHER));
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
    return offset.get().thenApply(start -> events(start.map(TaggedEvents::ordering).orElse(0L)));
  }

  private static long ordering(Offset offset) {
    if (offset instanceof Sequence sequence) {
      return sequence.value();
    }
    if (offset == Offset.noOffset()) {
      return 0L;
    }
    throw new IllegalArgumentException("the Activity's offset must be a journal ordering, not " + offset);
  }

  private Source<EventEnvelope<FileUpload.Event>, NotUsed> events(long start) {
    AtomicLong last = new AtomicLong(start);
    AtomicReference<VisibleOrderings> visible = new AtomicReference<>(VisibleOrderings.from(start));
    AtomicReference<Duration> pause = new AtomicReference<>(Duration.ZERO);
    // A full batch of orderings or events: the journal holds more to read, so read on at once.
    AtomicBoolean more = new AtomicBoolean();
    // Taken before each read, so that an event during the read ends the wait after it at once.
    AtomicReference<CompletableFuture<Void>> wokenSinceRead = new AtomicReference<>(wakeUp.get());
    return Source.repeat(NotUsed.notUsed())
        .mapAsync(1, tick -> waitFor(pause.get(), wokenSinceRead.get()))
        .flatMapConcat(
            waited -> {
              lastRead = System.nanoTime();
              wokenSinceRead.set(wakeUp.get());
              return readableOrderings(visible, more);
            })
        .flatMapConcat(
            readable -> {
              AtomicInteger found = new AtomicInteger();
              Source<EventEnvelope<FileUpload.Event>, NotUsed> batch =
                  readable > last.get() ? eventsUpTo(last.get(), readable) : Source.empty();
              return batch
                  .map(
                      envelope -> {
                        last.set(((Sequence) envelope.offset()).value());
                        found.incrementAndGet();
                        lastActivity = System.nanoTime();
                        return envelope;
                      })
                  .concat(
                      Source.lazySource(
                          () -> {
                            boolean busy = System.nanoTime() - lastActivity < BUSY_FOR.toNanos();
                            if (found.get() < BATCH) {
                              // Every tagged event up to readable is read: the next query starts
                              // there, not at the last tagged event, past the untagged ones.
                              last.accumulateAndGet(readable, Math::max);
                            }
                            if (found.get() >= BATCH || more.get()) {
                              pause.set(Duration.ZERO);
                            } else if (found.get() > 0 || busy || visible.get().waitingForGap()) {
                              pause.set(fast);
                            } else {
                              pause.set(backedOff(pause.get()));
                            }
                            return Source.<EventEnvelope<FileUpload.Event>>empty();
                          }))
                  .mapMaterializedValue(m -> NotUsed.notUsed());
            });
  }

  /** Asks the journal which orderings exist above what is known readable, and moves that on. */
  private Source<Long, NotUsed> readableOrderings(AtomicReference<VisibleOrderings> visible, AtomicBoolean more) {
    return Source.lazyCompletionStage(() -> read(() -> journal.orderingsAfter(visible.get().readable(), BATCH)))
        .map(
            seen -> {
              VisibleOrderings next = visible.get().next(seen, Instant.now(), GIVE_UP_ON_GAP_AFTER);
              visible.set(next);
              more.set(seen.size() >= BATCH && !next.waitingForGap());
              return next.readable();
            });
  }

  /** The tagged events with an ordering above {@code after} and at most {@code upTo}, a batch at most. */
  private Source<EventEnvelope<FileUpload.Event>, NotUsed> eventsUpTo(long after, long upTo) {
    return Source.lazyCompletionStage(() -> read(() -> journal.eventsByTag(tag, after, upTo, BATCH)))
        .mapConcat(rows -> rows)
        .map(
            row -> {
              PersistentRepr repr = serialization.toRepr(row);
              return EventEnvelope.<FileUpload.Event>create(
                  Offset.sequence(row.ordering()),
                  repr.persistenceId(),
                  repr.sequenceNr(),
                  (FileUpload.Event) repr.payload(),
                  repr.timestamp());
            });
  }

  private <T> CompletionStage<T> read(DatabaseCall<T> query) {
    return DatabaseCall.runOn(jdbc, query);
  }

  /** After a read that found nothing in a quiet engine, the next waits twice as long, up to {@code slow}. */
  private Duration backedOff(Duration pause) {
    Duration doubled = pause.isZero() ? fast : pause.multipliedBy(2);
    return doubled.compareTo(slow) > 0 ? slow : doubled;
  }

  /** Completes after {@code pause}, or sooner when {@code woken} does: the engine did something. */
  private CompletionStage<NotUsed> waitFor(Duration pause, CompletableFuture<Void> woken) {
    if (pause.isZero()) {
      return CompletableFuture.completedFuture(NotUsed.notUsed());
    }
    CompletableFuture<?> pauseOrWakeUp = woken.isDone() ? woken : CompletableFuture.anyOf(woken, after(pause));
    return pauseOrWakeUp.thenCompose(
        done -> {
          long sinceRead = System.nanoTime() - lastRead;
          Duration rest = MIN_BETWEEN_READS.minusNanos(sinceRead);
          return rest.isNegative() || rest.isZero() ? CompletableFuture.completedFuture(null) : after(rest);
        })
        .thenApply(done -> NotUsed.notUsed());
  }

  private CompletableFuture<Void> after(Duration delay) {
    CompletableFuture<Void> timer = new CompletableFuture<>();
    system.scheduler().scheduleOnce(delay, () -> timer.complete(null), system.executionContext());
    return timer;
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
