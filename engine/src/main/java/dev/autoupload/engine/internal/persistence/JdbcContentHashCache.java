package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.ContentHashCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content hash cache in the journal's database (table {@code asset_content_hash}, one row per
 * asset), so it outlives restarts. Keyed by the asset's {@link Asset#version()}, so an edit that
 * keeps size and modification time is never answered with the old content's hash. A failing
 * database only costs a re-read: errors are logged, never thrown.
 */
public final class JdbcContentHashCache implements ContentHashCache {

  private static final Logger log = LoggerFactory.getLogger(JdbcContentHashCache.class);

  /** Migration 3: the first cache, keyed by size and modification time. */
  public static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS asset_content_hash ("
              + "library_id VARCHAR(100) NOT NULL, "
              + "asset_id VARCHAR(200) NOT NULL, "
              + "size_bytes BIGINT NOT NULL, "
              + "modified_micros BIGINT NOT NULL, "
              + "sha256 CHAR(64) NOT NULL, "
              + "PRIMARY KEY (library_id, asset_id))");

  /**
   * Migration 6: keyed by version instead; what the first cache held is dropped, as size and time
   * alone could vouch for a file edited since.
   */
  public static final List<String> VERSIONED_SCHEMA =
      List.of(
          "DROP TABLE IF EXISTS asset_content_hash",
          "CREATE TABLE asset_content_hash ("
              + "library_id VARCHAR(100) NOT NULL, "
              + "asset_id VARCHAR(200) NOT NULL, "
              + "version CHAR(16) NOT NULL, "
              + "sha256 CHAR(64) NOT NULL, "
              + "PRIMARY KEY (library_id, asset_id))");

  /** Hashes are written together once this many wait, or the oldest has waited this long. */
  static final int WRITE_EVERY = 64;

  static final long WRITE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(1);

  private record Key(String libraryId, String assetId) {}

  private record Known(String version, String sha256) {}

  private final DataSource dataSource;

  /**
   * Hashes learnt and not yet written, in order. A transaction per hash cost as much as a journal
   * write; a kill loses only these, which the next run reads once more. Guarded by {@code this}.
   */
  private final Map<Key, Known> waiting = new LinkedHashMap<>();

  private long oldestWaitingSince;
  private boolean writing;

  /**
   * A cache in the tables the migration made.
   *
   * @param dataSource a pool on the journal database; the engine closes it after {@link #flush()}
   */
  public JdbcContentHashCache(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Optional<String> lookup(Asset asset) {
    synchronized (this) {
      Known known = waiting.get(new Key(asset.libraryId(), asset.id()));
      if (known != null) {
        return known.version().equals(asset.version()) ? Optional.of(known.sha256()) : Optional.empty();
      }
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT sha256 FROM asset_content_hash WHERE library_id = ? AND asset_id = ? AND version = ?")) {
      query.setString(1, asset.libraryId());
      query.setString(2, asset.id());
      query.setString(3, asset.version());
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      log.warn("cannot read the content hash cache: {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** Keeps the hash; written with others (see {@link #WRITE_EVERY}) by the caller that finds them due. */
  @Override
  public void remember(Asset asset, String sha256) {
    Map<Key, Known> due;
    synchronized (this) {
      if (waiting.isEmpty()) {
        oldestWaitingSince = System.nanoTime();
      }
      waiting.put(new Key(asset.libraryId(), asset.id()), new Known(asset.version(), sha256));
      boolean isDue = waiting.size() >= WRITE_EVERY || System.nanoTime() - oldestWaitingSince >= WRITE_WITHIN_NANOS;
      if (!isDue || writing) {
        return;
      }
      writing = true;
      due = new LinkedHashMap<>(waiting);
    }
    write(due);
  }

  /** Writes every hash still waiting; the engine calls it before it closes the database. */
  @Override
  public void flush() {
    Map<Key, Known> due;
    synchronized (this) {
      if (waiting.isEmpty() || writing) {
        return;
      }
      writing = true;
      due = new LinkedHashMap<>(waiting);
    }
    write(due);
  }

  /** Writes {@code due} in one transaction, then lets go of what has not changed meanwhile. */
  private void write(Map<Key, Known> due) {
    try {
      writeRows(due);
    } finally {
      synchronized (this) {
        due.forEach(waiting::remove);
        if (!waiting.isEmpty()) {
          oldestWaitingSince = System.nanoTime();
        }
        writing = false;
      }
    }
  }

  private void writeRows(Map<Key, Known> due) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM asset_content_hash WHERE library_id = ? AND asset_id = ?");
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO asset_content_hash (library_id, asset_id, version, sha256) VALUES (?, ?, ?, ?)")) {
        for (Map.Entry<Key, Known> entry : due.entrySet()) {
          delete.setString(1, entry.getKey().libraryId());
          delete.setString(2, entry.getKey().assetId());
          delete.addBatch();
          insert.setString(1, entry.getKey().libraryId());
          insert.setString(2, entry.getKey().assetId());
          insert.setString(3, entry.getValue().version());
          insert.setString(4, entry.getValue().sha256());
          insert.addBatch();
        }
        delete.executeBatch();
        insert.executeBatch();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      log.warn("cannot write the content hash cache ({} hashes, read again next time): {}", due.size(), e.getMessage());
    }
  }
}
