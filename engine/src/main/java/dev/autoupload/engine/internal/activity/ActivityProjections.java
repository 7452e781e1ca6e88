package dev.autoupload.engine.internal.activity;

import dev.autoupload.engine.internal.Piped;
import dev.autoupload.engine.internal.upload.FileUpload;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * The Activity projections of one engine, one per slice ({@link ActivitySlices}): starts and stops
 * them as asked (all of them, or one slice a cluster runs here), starts one again if it stops by
 * itself, and rebuilds the read model from the journal.
 */
public final class ActivityProjections extends AbstractBehavior<ActivityProjections.Command> {

  /** What the projections take. */
  public sealed interface Command {}

  /**
   * Starts ({@code run}) or stops one slice's projection, or every slice's. The reply comes once
   * they run, or once they have stopped (their last transaction committed or rolled back): only
   * then may another engine on the same journal start them.
   *
   * @param slice the slice, 0 to the number of slices - 1; empty for all
   * @param run whether to run or to stop
   * @param replyTo told once done
   */
  public record Run(OptionalInt slice, boolean run, ActorRef<Done> replyTo) implements Command {}

  /**
   * Stops every slice's projection, empties the read model and replays the journal into it; only
   * where every slice runs.
   *
   * @param replyTo told once the projections run again, or why not
   */
  public record Rebuild(ActorRef<StatusReply<Done>> replyTo) implements Command {}

  private record SliceStopped(int slice) implements Command {}

  private record Reset(Optional<Throwable> failure) implements Command {}

  /** One slice's projection on this engine. */
  private static final class Slice {
    final String tag;
    /** Its events, one listener to the engine's events for every run of it. */
    final SourceProvider<Offset, EventEnvelope<FileUpload.Event>> events;
    /** Whether it should run here. */
    boolean wanted;
    /** Whether it was asked to stop, rather than stopped by itself. */
    boolean stopAsked;
    ActorRef<ProjectionBehavior.Command> projection;

    Slice(String tag, SourceProvider<Offset, EventEnvelope<FileUpload.Event>> events, boolean wanted) {
      this.tag = tag;
      this.events = events;
      this.wanted = wanted;
    }
  }

  /** A stop asked of some slices, answered once all of them have stopped. */
  private record StopWaiting(Set<Integer> slices, ActorRef<Done> replyTo) {}

  private final DataSource dataSource;
  private final List<Slice> slices = new ArrayList<>();
  private final List<StopWaiting> stopWaiting = new ArrayList<>();
  private final List<ActorRef<StatusReply<Done>>> rebuildWaiting = new ArrayList<>();

  /**
   * The projections of an engine whose offset tables exist, one per slice of its journal ({@link
   * ActivitySlices#of}).
   *
   * @param dataSource a pool on the journal database
   * @param runAll whether every slice runs from the start ({@code autoupload.activity.projection})
   * @param readAgainWhileIdle how long an idle slice waits at most before it reads again
   * @return the behaviour
   */
  public static Behavior<Command> create(DataSource dataSource, boolean runAll, Duration readAgainWhileIdle) {
    return Behaviors.setup(context -> new ActivityProjections(context, dataSource, runAll, readAgainWhileIdle));
  }

  private ActivityProjections(
      ActorContext<Command> context, DataSource dataSource, boolean runAll, Duration readAgainWhileIdle) {
    super(context);
    this.dataSource = dataSource;
    int count = ActivitySlices.of(context.getSystem()).count();
    for (String tag : ActivitySlices.tags(count)) {
      slices.add(new Slice(tag, ActivityProjection.events(context.getSystem(), tag, readAgainWhileIdle), runAll));
    }
    if (runAll) {
      for (int slice = 0; slice < count; slice++) {
        start(slice);
      }
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Run.class, this::onRun)
        .onMessage(Rebuild.class, this::onRebuild)
        .onMessage(SliceStopped.class, this::onSliceStopped)
        .onMessage(Reset.class, this::onReset)
        .build();
  }

  private boolean rebuilding() {
    return !rebuildWaiting.isEmpty();
  }

  private Behavior<Command> onRun(Run msg) {
    List<Integer> asked = new ArrayList<>();
    if (msg.slice().isPresent()) {
      int slice = msg.slice().getAsInt();
      if (slice < 0 || slice >= slices.size()) {
        getContext().getLog().warn("There is no Activity slice {} of {}; nothing to start or stop", slice, slices.size());
        msg.replyTo().tell(Done.getInstance());
        return this;
      }
      asked.add(slice);
    } else {
      for (int slice = 0; slice < slices.size(); slice++) {
        asked.add(slice);
      }
    }
    Set<Integer> stopping = new HashSet<>();
    for (int index : asked) {
      Slice slice = slices.get(index);
      slice.wanted = msg.run();
      if (msg.run()) {
        // A slice still stopping (or rebuilding) starts again once it has stopped.
        if (slice.projection == null && !rebuilding()) {
          start(index);
        }
      } else if (slice.projection != null) {
        stopping.add(index);
        if (!slice.stopAsked && !rebuilding()) {
          slice.stopAsked = true;
          slice.projection.tell(ProjectionBehavior.stopMessage());
        }
      }
    }
    if (stopping.isEmpty()) {
      msg.replyTo().tell(Done.getInstance());
    } else {
      stopWaiting.add(new StopWaiting(stopping, msg.replyTo()));
    }
    return this;
  }

  private void start(int index) {
    Slice slice = slices.get(index);
    slice.stopAsked = false;
    slice.projection =
        getContext()
            .spawn(
                ActivityProjection.behavior(getContext().getSystem(), dataSource, slice.tag, slice.events),
                "activity-" + slice.tag + "-" + UUID.randomUUID());
    getContext().watchWith(slice.projection, new SliceStopped(index));
  }

  private Behavior<Command> onRebuild(Rebuild msg) {
    if (rebuilding()) {
      rebuildWaiting.add(msg.replyTo());
      return this;
    }
    long wanted = slices.stream().filter(slice -> slice.wanted).count();
    if (wanted == 0) {
      msg.replyTo()
          .tell(StatusReply.error(
              "the Activity projection does not run on this engine (autoupload.activity.projection = off)"));
      return this;
    }
    if (wanted < slices.size()) {
      msg.replyTo()
          .tell(StatusReply.error(
              "only " + wanted + " of the " + slices.size()
                  + " Activity slices run on this engine: rebuild where all of them run"));
      return this;
    }
    if (slices.stream().anyMatch(slice -> slice.projection == null)) {
      msg.replyTo().tell(StatusReply.error("the Activity projection is not running"));
      return this;
    }
    rebuildWaiting.add(msg.replyTo());
    for (Slice slice : slices) {
      if (!slice.stopAsked) {
        slice.stopAsked = true;
        slice.projection.tell(ProjectionBehavior.stopMessage());
      }
    }
    return this;
  }

  private Behavior<Command> onSliceStopped(SliceStopped msg) {
    Slice slice = slices.get(msg.slice());
    slice.projection = null;
    for (Iterator<StopWaiting> waiting = stopWaiting.iterator(); waiting.hasNext(); ) {
      StopWaiting stop = waiting.next();
      stop.slices().remove(msg.slice());
      if (stop.slices().isEmpty()) {
        stop.replyTo().tell(Done.getInstance());
        waiting.remove();
      }
    }
    if (rebuilding()) {
      if (slices.stream().allMatch(each -> each.projection == null)) {
        reset();
      }
      return this;
    }
    if (slice.wanted) {
      if (!slice.stopAsked) {
        getContext().getLog().warn("The Activity projection of slice {} stopped; starting it again", slice.tag);
      }
      start(msg.slice());
    }
    return this;
  }

  private void reset() {
    Executor blockingIo =
        getContext().getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("autoupload-blocking-io-dispatcher"));
    getContext()
        .pipeToSelf(
            Piped.done(CompletableFuture.runAsync(
                () -> {
                  try {
                    ActivityProjection.reset(dataSource);
                  } catch (SQLException e) {
                    throw new CompletionException(e);
                  }
                },
                blockingIo)),
            (ok, error) -> new Reset(Optional.ofNullable(error)));
  }

  private Behavior<Command> onReset(Reset msg) {
    for (int index = 0; index < slices.size(); index++) {
      if (slices.get(index).wanted) {
        start(index);
      }
    }
    StatusReply<Done> reply =
        msg.failure()
            .<StatusReply<Done>>map(e -> StatusReply.error("cannot empty the Activity read model: " + e.getMessage()))
            .orElse(StatusReply.ack());
    rebuildWaiting.forEach(replyTo -> replyTo.tell(reply));
    rebuildWaiting.clear();
    return this;
  }
}
