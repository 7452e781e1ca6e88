package dev.autoupload.engine;

import dev.autoupload.engine.internal.conditions.ConditionMonitor;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Takes the user's pause (or its end) to every condition monitor of the engine, the device's and
 * the libraries' own, and answers once each has taken it: the pause holds for every library by
 * then. A monitor that stops meanwhile (its library was removed) needs no pause.
 */
final class PauseRound {

  /**
   * How long the round waits before it stops without an answer: only for a monitor that neither
   * answers nor stops, which its supervision should not allow; the caller's ask has timed out by then.
   */
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(1);

  private static final Object GIVE_UP = "give-up";

  private record Taken(ActorRef<ConditionMonitor.Command> monitor) {}

  private PauseRound() {}

  static Behavior<Object> create(List<ActorRef<ConditionMonitor.Command>> monitors, boolean paused, ActorRef<Done> replyTo) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  Set<ActorRef<?>> waiting = new HashSet<>(monitors);
                  ActorRef<Object> round = context.getSelf();
                  for (ActorRef<ConditionMonitor.Command> monitor : monitors) {
                    context.watch(monitor);
                    // A relay per monitor tells whose answer it is; an ask would cost a future, and
                    // with it a thread on a one-core machine, per pause.
                    ActorRef<Done> relay =
                        context.spawnAnonymous(
                            Behaviors.<Done>receiveMessage(
                                done -> {
                                  round.tell(new Taken(monitor));
                                  return Behaviors.stopped();
                                }));
                    monitor.tell(new ConditionMonitor.SetUserPaused(paused, relay));
                  }
                  timers.startSingleTimer(GIVE_UP, GIVE_UP_AFTER);
                  return Behaviors.receive(Object.class)
                      .onMessage(Taken.class, taken -> settled(waiting, taken.monitor(), replyTo))
                      .onSignal(Terminated.class, stopped -> settled(waiting, stopped.getRef(), replyTo))
                      .onMessageEquals(GIVE_UP, Behaviors::stopped)
                      .build();
                }));
  }

  private static Behavior<Object> settled(Set<ActorRef<?>> waiting, ActorRef<?> monitor, ActorRef<Done> replyTo) {
    waiting.remove(monitor);
    if (!waiting.isEmpty()) {
      return Behaviors.same();
    }
    replyTo.tell(Done.getInstance());
    return Behaviors.stopped();
  }
}
