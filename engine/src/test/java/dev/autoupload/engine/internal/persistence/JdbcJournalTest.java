package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.internal.persistence.JournalStore.EventRow;
import dev.autoupload.engine.internal.persistence.JournalStore.Serialized;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import org.apache.pekko.actor.BootstrapSetup;
import org.apache.pekko.actor.setup.ActorSystemSetup;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's journal plugin on a real H2 journal: events and snapshots written through Pekko
 * come back in order after a restart, tagged events are read by tag, writes of many actors share
 * commits without one's failure failing the others, and a journal pekko-persistence-jdbc wrote
 * (before the engine had its own plugin) is read as it was written.
 */
class JdbcJournalTest {

  @TempDir Path dataDir;

  private JournalDatabase journal;
  private HikariDataSource pool;
  private JournalStore store;
  private ActorTestKit testKit;

  /** A test event; CBOR as the engine's own. */
  public record Noted(String text) implements CborSerializable {}

  /** A test snapshot: every text noted so far. */
  public record Notes(List<String> texts) implements CborSerializable {}

  sealed interface Command {}

  record Note(String text, ActorRef<List<String>> replyTo) implements Command {}

  record Read(ActorRef<List<String>> replyTo) implements Command {}

  /** Notes texts, tagged "notes", snapshotting every 3 events. */
  static final class Notebook extends EventSourcedBehavior<Command, Noted, Notes> {

    Notebook(String id) {
      super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public Notes emptyState() {
      return new Notes(List.of());
    }

    @Override
    public CommandHandler<Command, Noted, Notes> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Note.class, (state, note) -> Effect().persist(new Noted(note.text())).thenReply(note.replyTo(), Notes::texts))
          .onCommand(Read.class, (state, read) -> Effect().reply(read.replyTo(), state.texts()))
          .build();
    }

    @Override
    public EventHandler<Notes, Noted> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onAnyEvent(
              (state, noted) -> {
                List<String> texts = new ArrayList<>(state.texts());
                texts.add(noted.text());
                return new Notes(List.copyOf(texts));
              });
    }

    @Override
    public Set<String> tagsFor(Noted event) {
      return Set.of("notes");
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(3, 1);
    }
  }

  @BeforeEach
  void start() {
    journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    pool = journal.pool(3, "journal-test");
    store = new JournalStore(pool);
    Config config =
        ConfigFactory.parseResources("dev/autoupload/engine/wiring.conf").withFallback(ConfigFactory.load()).resolve();
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "journal-test",
            ActorSystemSetup.create(BootstrapSetup.create(config), new JournalSetup(store)));
    testKit = ActorTestKit.create(system);
  }

  @AfterEach
  void stop() throws SQLException {
    testKit.shutdownTestKit();
    journal.shutDownEmbedded();
    pool.close();
  }

  private List<String> ask(ActorRef<Command> notebook, java.util.function.Function<ActorRef<List<String>>, Command> command) {
    TestProbe<List<String>> probe = testKit.createTestProbe();
    notebook.tell(command.apply(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private ActorRef<Command> notebook(String id) {
    return testKit.spawn(Behaviors.<Command>setup(context -> new Notebook(id)));
  }

  @Test
  void eventsAndSnapshotsWrittenThroughPekkoComeBackInOrderAfterARestart() throws Exception {
    ActorRef<Command> notebook = notebook("notebook-1");
    for (int i = 1; i <= 5; i++) {
      String text = "note " + i;
      ask(notebook, replyTo -> new Note(text, replyTo));
    }
    List<String> written = ask(notebook, Read::new);
    testKit.stop(notebook);

    assertThat(ask(notebook("notebook-1"), Read::new)).as("replayed from the snapshot at 3 and events 4, 5").isEqualTo(written).hasSize(5);
    assertThat(store.highestSequenceNr("notebook-1")).isEqualTo(5);
    assertThat(store.highestSequenceNr("no-such-notebook")).isZero();
    assertThat(store.latestSnapshot("notebook-1", new JournalStore.SnapshotBounds(0, Long.MAX_VALUE, 0, Long.MAX_VALUE)))
        .hasValueSatisfying(snapshot -> assertThat(snapshot.sequenceNr()).isEqualTo(3));

    JournalSerialization serialization = new JournalSerialization(testKit.system());
    List<EventRow> tagged = store.eventsByTag("notes", 0, Long.MAX_VALUE, 100);
    assertThat(tagged).extracting(row -> ((Noted) serialization.toRepr(row).payload()).text()).isEqualTo(written);
    assertThat(tagged).extracting(EventRow::sequenceNr).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(tagged).extracting(EventRow::ordering).isSorted().doesNotHaveDuplicates();
    assertThat(store.eventsByTag("other", 0, Long.MAX_VALUE, 100)).isEmpty();
    assertThat(store.eventsByTag("notes", tagged.get(1).ordering(), tagged.get(3).ordering(), 100))
        .extracting(EventRow::sequenceNr)
        .containsExactly(3L, 4L);
    assertThat(store.orderingsAfter(tagged.get(2).ordering(), 100))
        .containsExactly(tagged.get(3).ordering(), tagged.get(4).ordering());
    assertThat(tagged).allSatisfy(row -> assertThat(row.writeTimestamp()).isPositive());
  }

  @Test
  void manyActorsWritingAtOnceEachGetTheirEventsBackInOrder() {
    int notebooks = 20;
    int notes = 10;
    List<ActorRef<Command>> refs = IntStream.range(0, notebooks).mapToObj(i -> notebook("many-" + i)).toList();
    List<TestProbe<List<String>>> probes = new ArrayList<>();
    for (int n = 0; n < notes; n++) {
      for (int i = 0; i < notebooks; i++) {
        TestProbe<List<String>> probe = testKit.createTestProbe();
        refs.get(i).tell(new Note(i + "/" + n, probe.getRef()));
        probes.add(probe);
      }
    }
    probes.forEach(probe -> probe.receiveMessage(Duration.ofSeconds(30)));
    refs.forEach(testKit::stop);

    for (int i = 0; i < notebooks; i++) {
      int notebook = i;
      assertThat(ask(notebook("many-" + i), Read::new))
          .containsExactlyElementsOf(IntStream.range(0, notes).mapToObj(n -> notebook + "/" + n).toList());
    }
  }

  @Test
  void aWriteTheDatabaseRefusesFailsAloneNotTheWritesCommittedWithIt() throws Exception {
    JournalSerialization serialization = new JournalSerialization(testKit.system());
    Serialized payload = serialization.serialize(new Noted("x"));
    store.insert(List.of(row("taken", 1, payload)));
    List<Runnable> queued = new ArrayList<>();
    GroupCommit commits = new GroupCommit(store, queued::add);

    CompletableFuture<Void> first = commits.write(List.of(row("free", 1, payload)));
    CompletableFuture<Void> duplicate = commits.write(List.of(row("taken", 1, payload)));
    CompletableFuture<Void> third = commits.write(List.of(row("free", 2, payload), row("free", 3, payload)));
    assertThat(queued).as("one commit runs for the three writes").hasSize(1);
    queued.get(0).run();

    assertThat(first).isCompleted();
    assertThat(third).isCompleted();
    assertThat(duplicate).isCompletedExceptionally();
    assertThat(store.highestSequenceNr("free")).isEqualTo(3);
    List<Long> replayed = new ArrayList<>();
    store.replay("free", 1, Long.MAX_VALUE, Long.MAX_VALUE, row -> replayed.add(row.sequenceNr()));
    assertThat(replayed).containsExactly(1L, 2L, 3L);
    assertThatThrownBy(duplicate::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SQLException.class);
  }

  @Test
  void eventsMarkedDeletedAreNotReplayedButKeepTheirSequenceNumbers() throws Exception {
    Serialized payload = new JournalSerialization(testKit.system()).serialize(new Noted("x"));
    store.insert(List.of(row("deleting", 1, payload), row("deleting", 2, payload), row("deleting", 3, payload)));
    store.markDeleted("deleting", 2);

    List<Long> replayed = new ArrayList<>();
    store.replay("deleting", 1, Long.MAX_VALUE, Long.MAX_VALUE, row -> replayed.add(row.sequenceNr()));
    assertThat(replayed).containsExactly(3L);
    assertThat(store.highestSequenceNr("deleting")).isEqualTo(3);
  }

  private static EventRow row(String persistenceId, long sequenceNr, Serialized payload) {
    return new EventRow(0, persistenceId, sequenceNr, false, "writer", 1L, "", payload, Optional.empty(), Set.of("t"));
  }

  @Test
  void aJournalPekkoPersistenceJdbcWroteIsReadAsItWasWritten() throws Exception {
    // The old journal's script, in place of this test's fresh one.
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("DROP ALL OBJECTS");
      statement.execute("RUNSCRIPT FROM 'classpath:/old-journals/h2-before-internal-packages.sql'");
    }
    Map<String, Long> rowsPerId = new TreeMap<>();
    Set<String> snapshotIds = new HashSet<>();
    try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery("SELECT persistence_id, COUNT(*) FROM event_journal GROUP BY persistence_id")) {
        while (rows.next()) {
          rowsPerId.put(rows.getString(1), rows.getLong(2));
        }
      }
      try (ResultSet rows = statement.executeQuery("SELECT DISTINCT persistence_id FROM snapshot")) {
        while (rows.next()) {
          snapshotIds.add(rows.getString(1));
        }
      }
    }
    assertThat(rowsPerId).isNotEmpty();
    assertThat(snapshotIds).isNotEmpty();

    JournalSerialization serialization = new JournalSerialization(testKit.system());
    for (Map.Entry<String, Long> id : rowsPerId.entrySet()) {
      List<PersistentRepr> replayed = new ArrayList<>();
      store.replay(id.getKey(), 1, Long.MAX_VALUE, Long.MAX_VALUE, row -> replayed.add(serialization.toRepr(row)));
      assertThat(replayed).as(id.getKey()).hasSize(id.getValue().intValue());
      assertThat(replayed)
          .extracting(PersistentRepr::sequenceNr)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, id.getValue().intValue()).mapToObj(Long::valueOf).toList());
      assertThat(replayed).allSatisfy(repr -> assertThat(repr.payload().getClass().getName()).contains(".internal."));
      assertThat(store.highestSequenceNr(id.getKey())).isEqualTo(id.getValue());
    }
    for (String id : snapshotIds) {
      JournalStore.SnapshotRow snapshot =
          store.latestSnapshot(id, new JournalStore.SnapshotBounds(0, Long.MAX_VALUE, 0, Long.MAX_VALUE)).orElseThrow();
      assertThat(serialization.deserialize(snapshot.snapshot()).getClass().getName()).contains(".internal.");
    }
    assertThat(store.eventsByTag("file-upload", 0, Long.MAX_VALUE, 10_000)).as("the upload events of before, by their tag").isNotEmpty();
  }
}
