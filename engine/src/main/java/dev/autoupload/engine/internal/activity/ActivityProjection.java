package dev.autoupload.engine.internal.activity;

import dev.autoupload.engine.internal.upload.FileUpload;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.JdbcSession;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps the Activity read model ({@link ActivityStore}) from the tagged {@link FileUpload} events,
 * one projection per slice ({@link ActivitySlices}), each with its own offset. Exactly once: a
 * group of events' row changes and the slice's offset commit in one transaction on the journal's
 * own database, so a kill can neither skip nor repeat an event.
 */
public final class ActivityProjection {

  /** The projection's name, under which its slices' offsets are stored (keyed by their tags). */
  public static final String NAME = "activity";
  /** How soon the view reads again after a read that found events: it follows uploads closely. */
  private static final Duration READ_AGAIN_WHILE_BUSY = Duration.ofMillis(250);
  /**
   * Events folded in one transaction at most, and how long the first of them waits for others:
   * every commit of the embedded journal writes a chunk, so during a busy run one commit for many
   * events costs far less than one for each.
   */
  private static final int GROUP_EVENTS = 200;

  private static final Duration GROUP_WITHIN = Duration.ofMillis(100);

  private ActivityProjection() {}

  /**
   * Where a slice's projection reads its events from; make it once per engine and slice and give
   * it to every {@link #behavior} of that slice on that engine (it listens to the engine's events
   * for as long as the engine runs, however often the projection is stopped and started).
   *
   * @param system the engine's, whose journal the events are read from
   * @param tag the slice's tag ({@link ActivitySlices#tag})
   * @param readAgainWhileIdle how long an idle engine's view waits at most before it reads again
   *     (any event of this engine wakes it; {@code autoupload.activity.read-again-while-idle})
   * @return the events' source
   */
  public static SourceProvider<Offset, EventEnvelope<FileUpload.Event>> events(
      ActorSystem<?> system, String tag, Duration readAgainWhileIdle) {
    return new TaggedEvents(system, tag, READ_AGAIN_WHILE_BUSY, readAgainWhileIdle);
  }

  /**
   * A slice's projection actor; one at a time per engine and slice, and on one engine at a time
   * of those that share a journal: it resumes from the offset stored with the rows, wherever it
   * runs.
   *
   * @param system the engine's, whose journal the events are read from
   * @param dataSource a pool on the journal database, where rows and offsets are written
   * @param tag the slice's tag, which keys its offset
   * @param events the engine's {@link #events} of that slice
   * @return the actor's behaviour
   */
  public static Behavior<ProjectionBehavior.Command> behavior(
      ActorSystem<?> system,
      DataSource dataSource,
      String tag,
      SourceProvider<Offset, EventEnvelope<FileUpload.Event>> events) {
    GroupedProjection<Offset, EventEnvelope<FileUpload.Event>> projection =
        JdbcProjection.groupedWithin(ProjectionId.of(NAME, tag), events, sessions(dataSource), () -> new Handler(), system)
            .withGroup(GROUP_EVENTS, GROUP_WITHIN);
    return ProjectionBehavior.create(projection);
  }

  /**
   * Creates the projection's offset tables where they are missing; fails when it cannot.
   *
   * @param system the engine's
   * @param dataSource a pool on the journal database
   * @return done once the tables exist, or failed with the database's error
   */
  public static CompletionStage<Done> createOffsetTables(ActorSystem<?> system, DataSource dataSource) {
    return JdbcProjection.createTablesIfNotExists(sessions(dataSource), system);
  }

  /**
   * Empties the read model and forgets every slice's offset: the next run replays everything.
   *
   * @param dataSource a pool on the journal database
   * @throws SQLException when the database cannot be written
   */
  public static void reset(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      ActivityStore.clear(connection, NAME);
      connection.commit();
    }
  }

  private static Supplier<Session> sessions(DataSource dataSource) {
    return () -> new Session(dataSource);
  }

  /** The events of one group, folded into the read model in one transaction with their offset. */
  private static final class Handler extends JdbcHandler<List<EventEnvelope<FileUpload.Event>>, Session> {
    @Override
    public void process(Session session, List<EventEnvelope<FileUpload.Event>> envelopes) throws Exception {
      session.withConnection(
          connection -> {
            for (EventEnvelope<FileUpload.Event> envelope : envelopes) {
              ActivityStore.apply(
                  connection, envelope.persistenceId(), envelope.event(), java.time.Instant.ofEpochMilli(envelope.timestamp()));
            }
            return Done.getInstance();
          });
    }
  }

  /** One transaction on a pooled connection. */
  private static final class Session implements JdbcSession {
    private final Connection connection;

    Session(DataSource dataSource) {
      try {
        connection = dataSource.getConnection();
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot open a connection for the Activity projection: " + e.getMessage(), e);
      }
    }

    @Override
    public <Result> Result withConnection(org.apache.pekko.japi.function.Function<Connection, Result> function)
        throws Exception {
      return function.apply(connection);
    }

    @Override
    public void commit() throws SQLException {
      connection.commit();
    }

    @Override
    public void rollback() throws SQLException {
      connection.rollback();
    }

    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }
}
