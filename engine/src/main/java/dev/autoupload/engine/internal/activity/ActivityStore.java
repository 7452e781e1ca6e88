package dev.autoupload.engine.internal.activity;

import dev.autoupload.engine.activity.ActivityItem;
import dev.autoupload.engine.activity.ActivityOrder;
import dev.autoupload.engine.activity.ActivityPage;
import dev.autoupload.engine.activity.LivePhotos;
import dev.autoupload.engine.activity.UploadState;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadReason;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The Activity read model: one row per asset in {@code activity_asset}, kept by the Activity
 * projection from the {@link FileUpload} events, and the queries over it. The same SQL runs on H2
 * and PostgreSQL.
 *
 * <p>Timestamps are stored to the microsecond, the precision both databases keep, so a paging
 * cursor made from a row finds that row again exactly.
 */
public final class ActivityStore {

  /** The read model's tables; applied by the journal migration. */
  public static final List<String> SCHEMA =
      List.of(
          "CREATE TABLE IF NOT EXISTS activity_asset ("
              + "library_id VARCHAR(100) NOT NULL, "
              + "asset_id VARCHAR(200) NOT NULL, "
              + "path VARCHAR(4096) NOT NULL, "
              + "remote_path VARCHAR(4096), "
              + "created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
              + "uploaded_at TIMESTAMP WITH TIME ZONE, "
              + "bytes BIGINT NOT NULL, "
              + "state VARCHAR(16) NOT NULL, "
              + "offset_bytes BIGINT NOT NULL, "
              + "attempts INTEGER NOT NULL, "
              + "last_error VARCHAR(4096), "
              + "reasons VARCHAR(1000) NOT NULL, "
              + "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, "
              + "PRIMARY KEY (library_id, asset_id))",
          "CREATE INDEX IF NOT EXISTS activity_asset_uploaded_idx ON activity_asset (uploaded_at, library_id, asset_id)",
          "CREATE INDEX IF NOT EXISTS activity_asset_created_idx ON activity_asset (created_at, library_id, asset_id)",
          "CREATE INDEX IF NOT EXISTS activity_asset_state_idx ON activity_asset (state, updated_at)");

  /** Migration 4: the live photo halves (see {@link LivePhotos}). */
  public static final List<String> LIVE_PHOTO_SCHEMA =
      List.of(
          "ALTER TABLE activity_asset ADD COLUMN IF NOT EXISTS live_pair VARCHAR(64)",
          "ALTER TABLE activity_asset ADD COLUMN IF NOT EXISTS live_role VARCHAR(8)",
          "CREATE INDEX IF NOT EXISTS activity_asset_live_idx ON activity_asset (library_id, live_pair)");

  /** Migration 5: what an upload decided about a different file under its name. */
  public static final List<String> NOTE_SCHEMA =
      List.of("ALTER TABLE activity_asset ADD COLUMN IF NOT EXISTS note VARCHAR(4096)");

  /**
   * Migration 13: a library's latest upload found without reading its rows (see {@link
   * #lastBackups}), which took 0.6-2.8 s at each start at a million uploaded assets.
   */
  public static final List<String> LIBRARY_UPLOADED_SCHEMA =
      List.of(
          "CREATE INDEX IF NOT EXISTS activity_asset_library_uploaded_idx "
              + "ON activity_asset (library_id, uploaded_at DESC NULLS LAST)");

  /** Migration 7: the sha256 of the content backed up, which names its thumbnail. */
  public static final List<String> SHA256_SCHEMA =
      List.of("ALTER TABLE activity_asset ADD COLUMN IF NOT EXISTS sha256 VARCHAR(64)");

  /** For the still of a pair, its video's remote path once the video too is backed up. */
  private static final String LIVE_VIDEO =
      "(SELECT MAX(v.remote_path) FROM activity_asset v WHERE a.live_role = 'photo' "
          + "AND v.library_id = a.library_id AND v.live_pair = a.live_pair AND v.live_role = 'video' "
          + "AND v.state = 'COMPLETED') AS live_video";

  /** The video of a pair whose still is backed up too is shown with the still, not on its own. */
  private static final String NOT_A_PAIRED_VIDEO =
      "NOT (a.live_role IS NOT NULL AND a.live_role = 'video' AND EXISTS (SELECT 1 FROM activity_asset p "
          + "WHERE p.library_id = a.library_id AND p.live_pair = a.live_pair AND p.live_role = 'photo' "
          + "AND p.state = 'COMPLETED'))";

  /** The note so far, if any, followed by one more (bound twice). */
  private static final String NOTE_PLUS = "CASE WHEN note IS NULL THEN ? ELSE note || '; ' || ? END";

  private static final String COLUMNS =
      "library_id, asset_id, path, remote_path, created_at, uploaded_at, bytes, state, offset_bytes, "
          + "attempts, last_error, reasons, note, sha256";

  private final DataSource dataSource;

  /**
   * A store reading the read model's tables.
   *
   * @param dataSource a pool on the journal database, which the engine closes
   */
  public ActivityStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  // ---- writing: called by the projection inside its transaction ----

  /** Folds one event of the upload {@code persistenceId} into its row. */
  static void apply(Connection connection, String persistenceId, FileUpload.Event event, Instant at)
      throws SQLException {
    AssetKey key = AssetKey.of(persistenceId);
    Instant now = micros(at);
    if (event instanceof FileUpload.UploadStarted started) {
      // A version's first attempt starts its note afresh; later attempts keep what was decided.
      String note = started.reason() == UploadReason.CHANGED ? UploadReason.CHANGED.description() : null;
      int updated =
          update(
              connection,
              key,
              "path = ?, remote_path = ?, created_at = ?, bytes = ?, state = 'UPLOADING', attempts = ?, "
                  + "last_error = NULL, reasons = '', updated_at = ?, live_pair = ?, live_role = ?, "
                  + "note = CASE WHEN ? = 1 THEN ? ELSE note END",
              started.path(),
              started.remotePath(),
              time(started.createdAt()),
              started.size(),
              started.attempt(),
              time(now),
              livePair(started.path()),
              liveRole(started.path()),
              started.attempt(),
              note);
      if (updated == 0) {
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO activity_asset (" + COLUMNS + ", updated_at, live_pair, live_role) "
                    + "VALUES (?, ?, ?, ?, ?, NULL, ?, 'UPLOADING', 0, ?, NULL, '', ?, NULL, ?, ?, ?)")) {
          bind(
              insert,
              key.libraryId(),
              key.assetId(),
              started.path(),
              started.remotePath(),
              time(started.createdAt()),
              started.size(),
              started.attempt(),
              note,
              time(now),
              livePair(started.path()),
              liveRole(started.path()));
          insert.executeUpdate();
        }
      }
    } else if (event instanceof FileUpload.RemotePathChanged changed) {
      // The decision outlives the attempt: a retry keeps the chosen name without deciding again.
      update(connection, key, "note = " + NOTE_PLUS + ", updated_at = ?", changed.reason(), changed.reason(), time(now));
    } else if (event instanceof FileUpload.RemoteFileReplacing replacing) {
      String note = replacedNote(replacing);
      update(connection, key, "note = " + NOTE_PLUS + ", updated_at = ?", note, note, time(now));
    } else if (event instanceof FileUpload.ProgressCheckpointed checkpoint) {
      update(connection, key, "offset_bytes = ?, updated_at = ?", checkpoint.offset(), time(now));
    } else if (event instanceof FileUpload.UploadPaused paused) {
      update(
          connection,
          key,
          "state = 'PAUSED', offset_bytes = ?, reasons = ?, updated_at = ?",
          paused.offset(),
          reasons(paused.reasons()),
          time(now));
    } else if (event instanceof FileUpload.UploadResumed) {
      update(connection, key, "state = 'UPLOADING', reasons = '', updated_at = ?", time(now));
    } else if (event instanceof FileUpload.UploadCompleted completed) {
      update(
          connection,
          key,
          "state = 'COMPLETED', remote_path = ?, bytes = ?, offset_bytes = ?, uploaded_at = ?, "
              + "last_error = NULL, reasons = '', updated_at = ?, sha256 = ?",
          completed.remotePath(),
          completed.bytes(),
          completed.bytes(),
          time(micros(completed.uploadedAt())),
          time(now),
          completed.sha256());
    } else if (event instanceof FileUpload.UploadFailed failed) {
      update(
          connection,
          key,
          "state = 'FAILED', attempts = ?, offset_bytes = ?, last_error = ?, reasons = '', updated_at = ?",
          failed.attempt(),
          failed.offset(),
          describe(failed.error()),
          time(now));
    } else if (event instanceof FileUpload.UploadSkipped skipped) {
      update(
          connection, key, "state = 'SKIPPED', last_error = ?, reasons = '', updated_at = ?", skipped.reason(), time(now));
    }
  }

  private static String replacedNote(FileUpload.RemoteFileReplacing replacing) {
    String hash =
        replacing.replacedSha256() != null
            ? "sha256 " + replacing.replacedSha256()
            : replacing.replacedMd5() != null ? "MD5 " + replacing.replacedMd5() : "hash unknown";
    return replacing.reason() + "; the replaced file had " + replacing.replacedSize() + " bytes, " + hash;
  }

  private static int update(Connection connection, AssetKey key, String assignments, Object... values)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE activity_asset SET " + assignments + " WHERE library_id = ? AND asset_id = ?")) {
      Object[] all = Arrays.copyOf(values, values.length + 2);
      all[values.length] = key.libraryId();
      all[values.length + 1] = key.assetId();
      bind(update, all);
      return update.executeUpdate();
    }
  }

  /** Empties the read model so the projection can rebuild it from the journal. */
  static void clear(Connection connection, String projectionName) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM activity_asset");
    }
    try (PreparedStatement offsets =
        connection.prepareStatement("DELETE FROM pekko_projection_offset_store WHERE projection_name = ?")) {
      offsets.setString(1, projectionName);
      offsets.executeUpdate();
    }
  }

  // ---- reading ----

  /**
   * Completed uploads, newest first by upload time or by creation date, {@code limit} at a time;
   * {@code before} is the {@code next} cursor of the previous page.
   *
   * @param limit items per page, 1–500
   * @param before the previous page's {@code next}; empty for the first page
   * @param order by upload time or by creation date
   * @return the page, with the cursor of the next one when there is more
   * @throws IllegalArgumentException for a limit outside 1–500 or a cursor this store did not make
   *     for that order
   * @throws SQLException when the database cannot be read
   */
  public ActivityPage recent(int limit, Optional<String> before, ActivityOrder order) throws SQLException {
    if (limit < 1 || limit > 500) {
      throw new IllegalArgumentException("limit must be between 1 and 500, got " + limit);
    }
    String column = order == ActivityOrder.UPLOADED ? "uploaded_at" : "created_at";
    Optional<Cursor> cursor = before.map(text -> Cursor.parse(text, order));
    String sql =
        "SELECT " + COLUMNS + ", " + LIVE_VIDEO + " FROM activity_asset a WHERE state = 'COMPLETED' AND "
            + NOT_A_PAIRED_VIDEO
            + cursor
                .map(c -> " AND (" + column + " < ? OR (" + column + " = ? AND (library_id < ? "
                    + "OR (library_id = ? AND asset_id < ?))))")
                .orElse("")
            + " ORDER BY " + column + " DESC, library_id DESC, asset_id DESC FETCH FIRST ? ROWS ONLY";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(sql)) {
      List<Object> values = new ArrayList<>();
      cursor.ifPresent(
          c -> values.addAll(List.of(time(c.at()), time(c.at()), c.libraryId(), c.libraryId(), c.assetId())));
      values.add(limit + 1);
      bind(query, values.toArray());
      List<ActivityItem> items = read(query);
      Optional<String> next = Optional.empty();
      if (items.size() > limit) {
        items = items.subList(0, limit);
        ActivityItem last = items.get(limit - 1);
        Instant at = order == ActivityOrder.UPLOADED ? last.uploadedAt().orElseThrow() : last.createdAt();
        next = Optional.of(new Cursor(order, at, last.libraryId(), last.assetId()).encode());
      }
      return new ActivityPage(items, next);
    }
  }

  /**
   * Assets in the given states (all but completed when empty), most recently changed first.
   *
   * @param states the states wanted; empty for all but completed
   * @param limit the most items returned
   * @return the items
   * @throws SQLException when the database cannot be read
   */
  public List<ActivityItem> inStates(Set<UploadState> states, int limit) throws SQLException {
    Set<UploadState> wanted =
        states.isEmpty() ? EnumSet.complementOf(EnumSet.of(UploadState.COMPLETED)) : EnumSet.copyOf(states);
    String placeholders = wanted.stream().map(s -> "?").collect(Collectors.joining(", "));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + COLUMNS + ", " + LIVE_VIDEO + " FROM activity_asset a WHERE state IN (" + placeholders + ") "
                    + "ORDER BY updated_at DESC, library_id, asset_id FETCH FIRST ? ROWS ONLY")) {
      List<Object> values = new ArrayList<>();
      wanted.forEach(state -> values.add(state.name()));
      values.add(limit);
      bind(query, values.toArray());
      return read(query);
    }
  }

  /**
   * The asset {@code assetId} of library {@code libraryId}, when the read model has it.
   *
   * @param libraryId the library's id
   * @param assetId the asset's id in that library
   * @return its item, or empty when the projection has not seen it
   * @throws SQLException when the database cannot be read
   */
  public Optional<ActivityItem> find(String libraryId, String assetId) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + COLUMNS + ", " + LIVE_VIDEO + " FROM activity_asset a WHERE library_id = ? AND asset_id = ?")) {
      bind(query, libraryId, assetId);
      return read(query).stream().findFirst();
    }
  }

  /**
   * Files backed up in each of {@code hours} consecutive hours starting at {@code from}, oldest
   * first, counted in one pass over the upload-time index.
   *
   * @param from the start of the first hour
   * @param hours how many hours, 1–168
   * @return one count per hour, oldest first
   * @throws IllegalArgumentException for a number of hours outside 1–168
   * @throws SQLException when the database cannot be read
   */
  public List<Long> backedUpPerHour(Instant from, int hours) throws SQLException {
    if (hours < 1 || hours > 168) {
      throw new IllegalArgumentException("hours must be between 1 and 168, got " + hours);
    }
    StringBuilder sql = new StringBuilder("SELECT ");
    List<Object> values = new ArrayList<>();
    for (int hour = 0; hour < hours; hour++) {
      sql.append(hour == 0 ? "" : ", ").append("COALESCE(SUM(CASE WHEN uploaded_at >= ? AND uploaded_at < ? THEN 1 ELSE 0 END), 0)");
      values.add(time(from.plus(hour, ChronoUnit.HOURS)));
      values.add(time(from.plus(hour + 1L, ChronoUnit.HOURS)));
    }
    sql.append(" FROM activity_asset WHERE state = 'COMPLETED' AND uploaded_at >= ? AND uploaded_at < ?");
    values.add(time(from));
    values.add(time(from.plus(hours, ChronoUnit.HOURS)));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(sql.toString())) {
      bind(query, values.toArray());
      List<Long> counts = new ArrayList<>(hours);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        for (int hour = 1; hour <= hours; hour++) {
          counts.add(rows.getLong(hour));
        }
      }
      return counts;
    }
  }

  /**
   * How many assets each library has in each state.
   *
   * @return by library id, the count of each state that has any
   * @throws SQLException when the database cannot be read
   */
  public Map<String, Map<UploadState, Long>> counts() throws SQLException {
    Map<String, Map<UploadState, Long>> counts = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT library_id, state, COUNT(*) FROM activity_asset GROUP BY library_id, state ORDER BY library_id");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        counts
            .computeIfAbsent(rows.getString(1), id -> new EnumMap<>(UploadState.class))
            .put(UploadState.valueOf(rows.getString(2)), rows.getLong(3));
      }
    }
    return counts;
  }

  /** A library's latest upload, or null when it has none; a public constant for the tests of its plan. */
  public static final String LAST_BACKUP =
      "SELECT uploaded_at FROM activity_asset WHERE library_id = ? "
          + "ORDER BY library_id, uploaded_at DESC NULLS LAST FETCH FIRST 1 ROWS ONLY";

  /**
   * The latest upload of each of {@code libraryIds}, as the watchdog's start for libraries not
   * backed up since: one lookup in {@code activity_asset_library_uploaded_idx} each. The order
   * names the library first, as the index does, so that H2 reads the first row of the index's
   * range instead of sorting the library's rows; its NULLS LAST puts a library's uploads before
   * its assets never uploaded.
   *
   * @param libraryIds the libraries
   * @return by library id, the time of its latest upload; libraries never backed up are absent
   * @throws SQLException when the database cannot be read
   */
  public Map<String, Instant> lastBackups(Set<String> libraryIds) throws SQLException {
    Map<String, Instant> latest = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(LAST_BACKUP)) {
      for (String libraryId : libraryIds) {
        query.setString(1, libraryId);
        try (ResultSet rows = query.executeQuery()) {
          if (rows.next()) {
            OffsetDateTime uploadedAt = rows.getObject(1, OffsetDateTime.class);
            if (uploadedAt != null) {
              latest.put(libraryId, uploadedAt.toInstant());
            }
          }
        }
      }
    }
    return latest;
  }

  /**
   * Every row, in key order: for comparing a rebuilt read model with the one before. No code calls
   * it at present.
   *
   * @return every item, by library id then asset id
   * @throws SQLException when the database cannot be read
   */
  public List<ActivityItem> all() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT " + COLUMNS + ", " + LIVE_VIDEO + " FROM activity_asset a ORDER BY library_id, asset_id")) {
      return read(query);
    }
  }

  private static List<ActivityItem> read(PreparedStatement query) throws SQLException {
    List<ActivityItem> items = new ArrayList<>();
    try (ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        items.add(
            new ActivityItem(
                rows.getString("library_id"),
                rows.getString("asset_id"),
                rows.getString("path"),
                Optional.ofNullable(rows.getString("remote_path")),
                rows.getObject("created_at", OffsetDateTime.class).toInstant(),
                Optional.ofNullable(rows.getObject("uploaded_at", OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                rows.getLong("bytes"),
                UploadState.valueOf(rows.getString("state")),
                rows.getLong("offset_bytes"),
                rows.getInt("attempts"),
                Optional.ofNullable(rows.getString("last_error")),
                parseReasons(rows.getString("reasons")),
                Optional.ofNullable(rows.getString("live_video")),
                Optional.ofNullable(rows.getString("note")),
                Optional.ofNullable(rows.getString("sha256"))));
      }
    }
    return items;
  }

  private static String livePair(String path) {
    return LivePhotos.halfOf(path).map(LivePhotos.Half::pairKey).orElse(null);
  }

  private static String liveRole(String path) {
    return LivePhotos.halfOf(path).map(LivePhotos.Half::role).orElse(null);
  }

  private static void bind(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        // Typed, as PostgreSQL cannot infer the type of a bare null; every nullable value is text.
        statement.setNull(i + 1, java.sql.Types.VARCHAR);
      } else {
        statement.setObject(i + 1, values[i]);
      }
    }
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(micros(instant), ZoneOffset.UTC);
  }

  private static Instant micros(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }

  private static String reasons(Set<BlockerReason> reasons) {
    return reasons.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  private static Set<BlockerReason> parseReasons(String text) {
    if (text == null || text.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(text.split(",")).map(BlockerReason::valueOf).collect(Collectors.toUnmodifiableSet());
  }

  private static String describe(UploadError error) {
    String kind = error.getClass().getSimpleName();
    return kind + ": " + error.message();
  }

  /** Which asset a {@code FileUpload|library:asset} persistence id belongs to. */
  record AssetKey(String libraryId, String assetId) {
    static AssetKey of(String persistenceId) {
      String entityId = persistenceId.substring(persistenceId.indexOf('|') + 1);
      int colon = entityId.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("not an upload's persistence id: " + persistenceId);
      }
      return new AssetKey(entityId.substring(0, colon), entityId.substring(colon + 1));
    }
  }

  /** Where a page ended, opaque to clients: the order it belongs to and the last row's sort key. */
  record Cursor(ActivityOrder order, Instant at, String libraryId, String assetId) {

    String encode() {
      String raw = order.name() + "\n" + at + "\n" + libraryId + "\n" + assetId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String text, ActivityOrder order) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\n", -1);
        if (parts.length != 4 || !parts[0].equals(order.name())) {
          throw new IllegalArgumentException("invalid cursor");
        }
        return new Cursor(order, Instant.parse(parts[1]), parts[2], parts[3]);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("invalid cursor for order " + order.name().toLowerCase(java.util.Locale.ROOT), e);
      }
    }
  }
}
