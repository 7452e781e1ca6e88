package dev.autoupload.engine.persistence;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.ContentHashCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
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

  private final DataSource dataSource;

  public JdbcContentHashCache(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Optional<String> lookup(Asset asset) {
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

  @Override
  public void remember(Asset asset, String sha256) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement delete =
              connection.prepareStatement("DELETE FROM asset_content_hash WHERE library_id = ? AND asset_id = ?");
          PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO asset_content_hash (library_id, asset_id, version, sha256) VALUES (?, ?, ?, ?)")) {
        delete.setString(1, asset.libraryId());
        delete.setString(2, asset.id());
        delete.executeUpdate();
        insert.setString(1, asset.libraryId());
        insert.setString(2, asset.id());
        insert.setString(3, asset.version());
        insert.setString(4, sha256);
        insert.executeUpdate();
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      log.warn("cannot write the content hash cache: {}", e.getMessage());
    }
  }
}
