package dev.autoupload.engine.internal.persistence;

import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.setup.Setup;

/**
 * Hands the engine's journal tables to the journal plugin and its readers: Pekko creates the
 * plugin by its class name from configuration, which cannot carry the engine's connection pool.
 */
public final class JournalSetup extends Setup {

  /** The dispatcher the journal's database calls block on, the plugin's and its readers'. */
  public static final String DISPATCHER = "autoupload-journal-dispatcher";

  private final JournalStore store;

  /**
   * @param store the tables, on the pool the engine opened and closes
   */
  public JournalSetup(JournalStore store) {
    this.store = store;
  }

  /**
   * The journal tables of the engine {@code system} runs.
   *
   * @param system an actor system started with a {@link JournalSetup}
   * @return its journal tables
   * @throws IllegalStateException when it was started without one
   */
  public static JournalStore storeOf(ClassicActorSystemProvider system) {
    return system
        .classicSystem()
        .settings()
        .setup()
        .get(JournalSetup.class)
        .map(setup -> setup.store)
        .orElseThrow(
            () -> new IllegalStateException("the actor system was started without the engine's journal (a JournalSetup)"));
  }
}
