package dev.autoupload.engine.internal;

import com.typesafe.config.Config;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.activity.ActivitySlices;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the engine's own adapters need beyond {@link UploadEngine}'s API: starting from a whole
 * Typesafe {@link Config} (the command line app reads one from files), the actor system the
 * HTTP control endpoint runs on, and starting and stopping the Activity projection (a cluster runs
 * it on one node at a time). Not API: embedders use {@link UploadEngine#builder()}.
 */
public final class EngineInternals {

  /** Granted by {@link UploadEngine} itself, so its public methods need not mention these types. */
  public interface Access {
    /**
     * @param config the settings, falling back to the application's and the reference settings
     * @return the running engine
     */
    UploadEngine start(Config config);

    /**
     * @param config the settings, falling back to the application's and the reference settings
     * @param overWiring Pekko settings laid over the engine's own wiring
     * @return the running engine
     */
    UploadEngine start(Config config, Config overWiring);

    /**
     * @param engine a running engine
     * @return its actor system
     */
    ActorSystem<?> actorSystem(UploadEngine engine);

    /**
     * @param engine a running engine
     * @param slice the Activity slice, or empty for all of them
     * @param run start (true) or stop (false) its Activity projection
     * @param timeout how long to wait for the engine's answer
     * @return completes once the projection runs, or has stopped
     */
    CompletionStage<Void> runActivityProjection(UploadEngine engine, OptionalInt slice, boolean run, Duration timeout);
  }

  private static volatile Access access;

  private EngineInternals() {}

  /**
   * Called once, by {@link UploadEngine}'s class initializer.
   *
   * @param granted how to reach into the engine
   * @throws IllegalStateException when access was granted before
   */
  public static synchronized void grant(Access granted) {
    if (access != null) {
      throw new IllegalStateException("access to the engine's internals was granted already");
    }
    access = granted;
  }

  /**
   * Starts an engine. {@code config} must set {@code autoupload.data-dir}; every other key falls
   * back to the application's settings ({@code application.conf}, {@code -D} properties) and then
   * to {@code reference.conf}.
   *
   * @param config the settings (see {@code reference.conf})
   * @return the running engine; close it when done
   * @throws dev.autoupload.engine.EngineStartException when the data dir is used by another
   *     running engine, the journal cannot be opened or migrated, or a setting is invalid
   */
  public static UploadEngine start(Config config) {
    return access().start(config);
  }

  /**
   * Starts an engine whose actor system takes {@code overWiring} over the engine's own wiring
   * ({@code dev/autoupload/engine/wiring.conf}), which otherwise wins over every setting: how a
   * cluster node puts Pekko remoting back (see the module {@code autoupload-cluster}).
   *
   * @param config the settings, as for {@link #start(Config)}
   * @param overWiring Pekko settings that win over the engine's wiring
   * @return the running engine; close it when done
   * @throws dev.autoupload.engine.EngineStartException as {@link #start(Config)}
   */
  public static UploadEngine start(Config config, Config overWiring) {
    return access().start(config, overWiring);
  }

  /**
   * The engine's actor system, for adapters that run beside the engine on it. Never terminate it
   * directly, close the engine.
   *
   * @param engine a running engine
   * @return its actor system
   */
  public static ActorSystem<?> actorSystem(UploadEngine engine) {
    return access().actorSystem(engine);
  }

  /**
   * Starts the engine's Activity projection, where {@code autoupload.activity.projection = off}
   * left it stopped; a no-op when it runs. It resumes from the offset stored in the journal
   * database, wherever it ran before: run it on one engine at a time of those sharing a journal.
   *
   * @param engine a running engine
   * @param timeout how long to wait for the engine's answer
   * @return completes once the projection runs (or is about to start again after a stop still
   *     under way); fails after {@code timeout}
   */
  public static CompletionStage<Void> startActivityProjection(UploadEngine engine, Duration timeout) {
    return access().runActivityProjection(engine, OptionalInt.empty(), true, timeout);
  }

  /**
   * Stops the engine's Activity projection until {@link #startActivityProjection} starts it again;
   * the engine still reads the read model.
   *
   * @param engine a running engine
   * @param timeout how long to wait for the projection to stop
   * @return completes once the projection has stopped: its last transaction (rows and offset) has
   *     committed or rolled back, so another engine may start it; fails after {@code timeout}
   */
  public static CompletionStage<Void> stopActivityProjection(UploadEngine engine, Duration timeout) {
    return access().runActivityProjection(engine, OptionalInt.empty(), false, timeout);
  }

  /**
   * The number of Activity slices of the engine's journal ({@link ActivitySlices}), fixed when the
   * journal was created.
   *
   * @param engine a running engine
   * @return 1 to {@link ActivitySlices#MAX}
   */
  public static int activitySlices(UploadEngine engine) {
    return ActivitySlices.of(access().actorSystem(engine)).count();
  }

  /**
   * Starts the projection of one Activity slice on the engine, as {@link #startActivityProjection}
   * does for all of them: run each slice on one engine at a time of those sharing a journal.
   *
   * @param engine a running engine
   * @param slice 0 to {@link #activitySlices} - 1
   * @param timeout how long to wait for the engine's answer
   * @return completes once the slice's projection runs; fails after {@code timeout}
   * @throws IllegalArgumentException for a slice the journal does not have
   */
  public static CompletionStage<Void> startActivitySlice(UploadEngine engine, int slice, Duration timeout) {
    return access().runActivityProjection(engine, OptionalInt.of(checkedSlice(engine, slice)), true, timeout);
  }

  /**
   * Stops the projection of one Activity slice on the engine, as {@link #stopActivityProjection}
   * does for all of them.
   *
   * @param engine a running engine
   * @param slice 0 to {@link #activitySlices} - 1
   * @param timeout how long to wait for the slice's projection to stop
   * @return completes once it has stopped (its last transaction ended); fails after {@code timeout}
   * @throws IllegalArgumentException for a slice the journal does not have
   */
  public static CompletionStage<Void> stopActivitySlice(UploadEngine engine, int slice, Duration timeout) {
    return access().runActivityProjection(engine, OptionalInt.of(checkedSlice(engine, slice)), false, timeout);
  }

  private static int checkedSlice(UploadEngine engine, int slice) {
    int count = activitySlices(engine);
    if (slice < 0 || slice >= count) {
      throw new IllegalArgumentException("slice " + slice + " is not one of this journal's " + count + " Activity slices");
    }
    return slice;
  }

  private static Access access() {
    if (access == null) {
      try {
        // Initializing UploadEngine grants the access.
        Class.forName(UploadEngine.class.getName(), true, UploadEngine.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return access;
  }
}
