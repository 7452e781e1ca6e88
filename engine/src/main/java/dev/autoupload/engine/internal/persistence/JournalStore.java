package dev.autoupload.engine.internal.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The journal's tables ({@code event_journal}, {@code event_tag}, {@code snapshot}) in plain JDBC:
 * what the engine's journal plugin ({@link JdbcJournal}, {@link JdbcSnapshotStore}) and its
 * readers (the Activity, verify) write and read. The layout is pekko-persistence-jdbc's, which the
 * engine used before: a journal written by it is read and written on unchanged. Every call blocks;
 * callers run it off the actors' threads.
 *
 * <p>Identifiers are quoted: the H2 schema created them quoted in lower case, which a {@code jdbc:h2:}
 * URL without {@code DATABASE_TO_UPPER=false} would otherwise not find.
 */
public final class JournalStore {

  /** A serialized payload: the serializer's id, its manifest and the bytes. */
  public record Serialized(int serializerId, String manifest, byte[] bytes) {}

  /**
   * One row of {@code event_journal} and its tags.
   *
   * @param ordering the journal's global order, set by the database on insert (0 before)
   * @param writeTimestamp when it was written, in epoch milliseconds
   * @param adapterManifest the event adapter's manifest, empty for none
   * @param metadata the event's metadata, if any
   */
  public record EventRow(
      long ordering,
      String persistenceId,
      long sequenceNr,
      boolean deleted,
      String writer,
      long writeTimestamp,
      String adapterManifest,
      Serialized event,
      Optional<Serialized> metadata,
      Set<String> tags) {}

  /** One row of {@code snapshot}. */
  public record SnapshotRow(
      String persistenceId, long sequenceNr, long created, Serialized snapshot, Optional<Serialized> metadata) {}

  /**
   * Which snapshots of a persistence id a load or delete means: sequence numbers and creation times
   * (epoch milliseconds) within these bounds, all inclusive.
   */
  public record SnapshotBounds(long minSequenceNr, long maxSequenceNr, long minCreated, long maxCreated) {}

  private static final List<String> EVENT_COLUMNS =
      List.of(
          "ordering", "persistence_id", "sequence_number", "deleted", "writer", "write_timestamp", "adapter_manifest",
          "event_ser_id", "event_ser_manifest", "event_payload", "meta_ser_id", "meta_ser_manifest", "meta_payload");

  private static final String INSERT_EVENT =
      "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"deleted\", \"writer\", "
          + "\"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\", "
          + "\"meta_ser_id\", \"meta_ser_manifest\", \"meta_payload\") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String SNAPSHOT_COLUMNS =
      "\"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\", \"snapshot_ser_manifest\", "
          + "\"snapshot_payload\", \"meta_ser_id\", \"meta_ser_manifest\", \"meta_payload\"";

  private static final String SNAPSHOT_BOUNDS =
      "\"persistence_id\" = ? AND \"sequence_number\" BETWEEN ? AND ? AND \"created\" BETWEEN ? AND ?";

  /** Rows a replay fetches from a server at a time, so a long history is not held in memory whole. */
  private static final int FETCH_SIZE = 1000;

  private final DataSource dataSource;

  /**
   * The tables in the database {@code dataSource} reaches, which the migration created.
   *
   * @param dataSource a pool on the journal database
   */
  public JournalStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Inserts {@code rows} in one transaction, in their order, with their tags: all or none.
   *
   * @param rows the events, their {@code ordering} ignored (the database assigns it)
   * @throws SQLException when the database refuses them (nothing is written then)
   */
  public void insert(List<EventRow> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean tagged = rows.stream().anyMatch(row -> !row.tags().isEmpty());
        List<Long> orderings = insertEvents(connection, rows, tagged);
        if (tagged) {
          insertTags(connection, rows, orderings);
        }
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    }
  }

  private static List<Long> insertEvents(Connection connection, List<EventRow> rows, boolean keys) throws SQLException {
    try (PreparedStatement insert =
        keys ? connection.prepareStatement(INSERT_EVENT, new String[] {"ordering"}) : connection.prepareStatement(INSERT_EVENT)) {
      for (EventRow row : rows) {
        insert.setString(1, row.persistenceId());
        insert.setLong(2, row.sequenceNr());
        insert.setBoolean(3, row.deleted());
        insert.setString(4, row.writer());
        insert.setLong(5, row.writeTimestamp());
        insert.setString(6, row.adapterManifest());
        setSerialized(insert, 7, Optional.of(row.event()));
        setSerialized(insert, 10, row.metadata());
        insert.addBatch();
      }
      insert.executeBatch();
      if (!keys) {
        return List.of();
      }
      List<Long> orderings = new ArrayList<>(rows.size());
      try (ResultSet generated = insert.getGeneratedKeys()) {
        while (generated.next()) {
          orderings.add(generated.getLong(1));
        }
      }
      if (orderings.size() != rows.size()) {
        throw new SQLException(
            "the database returned " + orderings.size() + " orderings for " + rows.size() + " inserted events");
      }
      return orderings;
    }
  }

  private static void insertTags(Connection connection, List<EventRow> rows, List<Long> orderings) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      for (int i = 0; i < rows.size(); i++) {
        for (String tag : rows.get(i).tags()) {
          insert.setLong(1, orderings.get(i));
          insert.setString(2, tag);
          insert.addBatch();
        }
      }
      insert.executeBatch();
    }
  }

  private static void setSerialized(PreparedStatement statement, int first, Optional<Serialized> value) throws SQLException {
    if (value.isPresent()) {
      statement.setInt(first, value.get().serializerId());
      statement.setString(first + 1, value.get().manifest());
      statement.setBytes(first + 2, value.get().bytes());
    } else {
      statement.setNull(first, Types.INTEGER);
      statement.setNull(first + 1, Types.VARCHAR);
      statement.setNull(first + 2, Types.BINARY);
    }
  }

  /**
   * Hands the events of a persistence id that are not marked deleted to {@code each}, in order.
   *
   * @param persistenceId whose events
   * @param fromSequenceNr the first sequence number
   * @param toSequenceNr the last sequence number
   * @param max how many events at most
   * @param each what takes each event, on the calling thread
   * @throws SQLException when the database cannot be read
   */
  public void replay(String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<EventRow> each)
      throws SQLException {
    if (max <= 0 || fromSequenceNr > toSequenceNr) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      // A server streams a cursor only inside a transaction; otherwise it sends every row at once.
      connection.setAutoCommit(false);
      try (PreparedStatement query =
          connection.prepareStatement(
              "SELECT " + eventColumns("") + " FROM \"event_journal\" WHERE \"persistence_id\" = ? "
                  + "AND \"sequence_number\" BETWEEN ? AND ? AND \"deleted\" = FALSE ORDER BY \"sequence_number\"")) {
        query.setString(1, persistenceId);
        query.setLong(2, fromSequenceNr);
        query.setLong(3, toSequenceNr);
        query.setFetchSize(FETCH_SIZE);
        long left = max;
        try (ResultSet rows = query.executeQuery()) {
          while (left > 0 && rows.next()) {
            each.accept(eventRow(rows, Set.of()));
            left--;
          }
        }
      } finally {
        connection.rollback();
      }
    }
  }

  /**
   * The highest sequence number written for a persistence id, deleted or not. The last row of the
   * primary key's order rather than {@code MAX}: H2 computes a {@code MAX} under a condition by
   * reading every row that meets it, a million events of a large library's supervisor in about a
   * second of each start (0.3 s warm), against a tenth of a millisecond.
   *
   * @param persistenceId whose events
   * @return the highest sequence number; 0 for none
   * @throws SQLException when the database cannot be read
   */
  public long highestSequenceNr(String persistenceId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT \"sequence_number\" FROM \"event_journal\" WHERE \"persistence_id\" = ? "
                    + "ORDER BY \"persistence_id\" DESC, \"sequence_number\" DESC FETCH FIRST 1 ROWS ONLY")) {
      query.setString(1, persistenceId);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getLong(1) : 0L;
      }
    }
  }

  /**
   * Marks events deleted: a replay skips them, their rows stay (the highest sequence number with them).
   *
   * @param persistenceId whose events
   * @param toSequenceNr the last sequence number marked
   * @throws SQLException when the database refuses it
   */
  public void markDeleted(String persistenceId, long toSequenceNr) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE \"event_journal\" SET \"deleted\" = TRUE WHERE \"persistence_id\" = ? AND \"sequence_number\" <= ?")) {
      update.setString(1, persistenceId);
      update.setLong(2, toSequenceNr);
      update.executeUpdate();
    }
  }

  /**
   * The orderings of the events committed now, ascending.
   *
   * @param after the ordering to read above
   * @param limit how many orderings at most
   * @return the orderings
   * @throws SQLException when the database cannot be read
   */
  public List<Long> orderingsAfter(long after, int limit) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT \"ordering\" FROM \"event_journal\" WHERE \"ordering\" > ? ORDER BY \"ordering\" LIMIT ?")) {
      query.setLong(1, after);
      query.setInt(2, limit);
      List<Long> orderings = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          orderings.add(rows.getLong(1));
        }
      }
      return orderings;
    }
  }

  /**
   * The events with a tag that are not marked deleted, in ascending ordering.
   *
   * @param tag the tag
   * @param after the ordering to read above
   * @param upTo the highest ordering to read
   * @param limit how many events at most
   * @return the events, each with its ordering
   * @throws SQLException when the database cannot be read
   */
  public List<EventRow> eventsByTag(String tag, long after, long upTo, int limit) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + eventColumns("e.")
                    + " FROM \"event_journal\" e JOIN \"event_tag\" t ON t.\"event_id\" = e.\"ordering\" "
                    + "WHERE t.\"tag\" = ? AND e.\"ordering\" > ? AND e.\"ordering\" <= ? AND e.\"deleted\" = FALSE "
                    + "ORDER BY e.\"ordering\" LIMIT ?")) {
      query.setString(1, tag);
      query.setLong(2, after);
      query.setLong(3, upTo);
      query.setInt(4, limit);
      List<EventRow> events = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          events.add(eventRow(rows, Set.of(tag)));
        }
      }
      return events;
    }
  }

  /** The columns {@link #eventRow} reads, in its order, each after {@code prefix}. */
  private static String eventColumns(String prefix) {
    return EVENT_COLUMNS.stream().map(column -> prefix + '"' + column + '"').collect(Collectors.joining(", "));
  }

  private static EventRow eventRow(ResultSet rows, Set<String> tags) throws SQLException {
    String adapterManifest = rows.getString(7);
    return new EventRow(
        rows.getLong(1),
        rows.getString(2),
        rows.getLong(3),
        rows.getBoolean(4),
        rows.getString(5),
        rows.getLong(6),
        adapterManifest == null ? "" : adapterManifest,
        new Serialized(rows.getInt(8), rows.getString(9), rows.getBytes(10)),
        serialized(rows, 11),
        tags);
  }

  private static Optional<Serialized> serialized(ResultSet rows, int first) throws SQLException {
    int serializerId = rows.getInt(first);
    if (rows.wasNull()) {
      return Optional.empty();
    }
    String manifest = rows.getString(first + 1);
    return Optional.of(new Serialized(serializerId, manifest == null ? "" : manifest, rows.getBytes(first + 2)));
  }

  /**
   * The latest snapshot of a persistence id within bounds.
   *
   * @param persistenceId whose snapshot
   * @param bounds which snapshots may be chosen
   * @return the one with the highest sequence number among them, if any
   * @throws SQLException when the database cannot be read
   */
  public Optional<SnapshotRow> latestSnapshot(String persistenceId, SnapshotBounds bounds) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + SNAPSHOT_COLUMNS + " FROM \"snapshot\" WHERE " + SNAPSHOT_BOUNDS
                    + " ORDER BY \"sequence_number\" DESC LIMIT 1")) {
      setBounds(query, persistenceId, bounds);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new SnapshotRow(
                rows.getString(1),
                rows.getLong(2),
                rows.getLong(3),
                new Serialized(rows.getInt(4), rows.getString(5), rows.getBytes(6)),
                serialized(rows, 7)));
      }
    }
  }

  /**
   * Stores a snapshot, replacing one at the same sequence number, in one transaction.
   *
   * @param row the snapshot
   * @throws SQLException when the database refuses it
   */
  public void saveSnapshot(SnapshotRow row) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ? AND \"sequence_number\" = ?");
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO \"snapshot\" (" + SNAPSHOT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        delete.setString(1, row.persistenceId());
        delete.setLong(2, row.sequenceNr());
        delete.executeUpdate();
        insert.setString(1, row.persistenceId());
        insert.setLong(2, row.sequenceNr());
        insert.setLong(3, row.created());
        insert.setInt(4, row.snapshot().serializerId());
        insert.setString(5, row.snapshot().manifest());
        insert.setBytes(6, row.snapshot().bytes());
        setSerialized(insert, 7, row.metadata());
        insert.executeUpdate();
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(connection, e);
        throw e;
      }
    }
  }

  /**
   * Deletes snapshots.
   *
   * @param persistenceId whose snapshots
   * @param bounds which of them
   * @throws SQLException when the database refuses it
   */
  public void deleteSnapshots(String persistenceId, SnapshotBounds bounds) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement("DELETE FROM \"snapshot\" WHERE " + SNAPSHOT_BOUNDS)) {
      setBounds(delete, persistenceId, bounds);
      delete.executeUpdate();
    }
  }

  private static void setBounds(PreparedStatement statement, String persistenceId, SnapshotBounds bounds)
      throws SQLException {
    statement.setString(1, persistenceId);
    statement.setLong(2, bounds.minSequenceNr());
    statement.setLong(3, bounds.maxSequenceNr());
    statement.setLong(4, bounds.minCreated());
    statement.setLong(5, bounds.maxCreated());
  }

  private static void rollbackQuietly(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
