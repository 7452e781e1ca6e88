package dev.autoupload.engine.internal.library;

import dev.autoupload.engine.library.Asset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ledgers of the libraries as rows of a table beside the journal, so a library's snapshot holds
 * only what the table may not hold yet instead of its whole ledger. Insert-only: a row is never
 * changed, and a later row of an asset's version replaces an earlier one when read. The table is
 * written after the events it reflects have committed and may lag them: the events stay the truth.
 * For the engine's own use; called from blocking-I/O threads.
 */
public interface LedgerTable {

  /** The version of an asset that was backed up. */
  record AssetVersion(String assetId, long version) {}

  /**
   * One row, keyed by {@code (seqNr, index)}. The row of an {@code AssetBackedUp} event has index 0
   * and all of its facts; a whole ledger written at {@code seqNr} (an old snapshot's, or one the
   * table fell too far behind for) has rows of index 1 on, each holding the next of every kind of
   * fact the ledger has left, so some are absent.
   *
   * @param seqNr the event's sequence number, or the last event the whole ledger reflects
   * @param index 0 for an event; the row's place in a whole ledger
   * @param asset an asset's version, backed up
   * @param sha256 a content backed up, lowercase hex
   * @param size a size of a content backed up
   * @param pathFingerprint the fingerprint of a remote path a backup took
   */
  record Row(
      long seqNr,
      int index,
      Optional<AssetVersion> asset,
      Optional<String> sha256,
      OptionalLong size,
      Optional<String> pathFingerprint) {}

  /** Receives a library's rows in the order of their keys, so the last version of an asset wins. */
  interface Reader {
    /**
     * Before any fact, when the table knows it: about how many rows follow (at least those of the
     * latest whole ledger), so the reader can size its tables once instead of growing them.
     *
     * @param rows the rows expected
     */
    default void expect(int rows) {}

    /**
     * An asset's version was backed up; a later call for the same asset replaces it.
     *
     * @param assetId the asset
     * @param version the 64 bits of its {@link Asset#version()}
     */
    void version(String assetId, long version);

    /**
     * A content was backed up.
     *
     * @param sha256 its sha256, lowercase hex
     */
    void content(String sha256);

    /**
     * A content of this many bytes was backed up.
     *
     * @param size its length in bytes
     */
    void size(long size);

    /**
     * A backup took a remote path.
     *
     * @param fingerprint the path's fingerprint
     */
    void path(String fingerprint);
  }

  /**
   * Reads every row of a library, in the order of their keys.
   *
   * @param persistenceId the library's supervisor
   * @param reader receives each row's facts
   */
  void load(String persistenceId, Reader reader);

  /**
   * Adds rows of a library, in the order of their keys, committed in bounded batches. A row that is
   * already there is left as it is, so a write cut short may be written again.
   *
   * @param persistenceId the library's supervisor
   * @param rows rows in ascending order of their keys
   * @throws IllegalStateException when the table cannot be written
   */
  void write(String persistenceId, Iterable<Row> rows);

  /**
   * How many rows of the whole ledger written at {@code seqNr} are there already: a write of a
   * whole ledger that was cut short goes on from there instead of starting over.
   *
   * @param persistenceId the library's supervisor
   * @param seqNr where the whole ledger was written
   * @return the count of its rows (index 1 on) committed so far
   */
  int rowsAt(String persistenceId, long seqNr);

  /**
   * Deletes the rows a whole ledger written completely at {@code seqNr} makes redundant: every row
   * of an earlier sequence number, and the event's row at {@code seqNr}; in bounded batches, so a
   * delete cut short leaves rows that are redundant still, never a fact the table lacks.
   *
   * @param persistenceId the library's supervisor
   * @param seqNr where a whole ledger was written, all of its rows committed
   * @return how many rows were deleted
   * @throws IllegalStateException when the table cannot be written
   */
  long dropSupersededBy(String persistenceId, long seqNr);

  /**
   * The last event whose row (index 0) the table holds, 0 if none: the table holds every fact of
   * the events up to it. So a restart need not write again what a write finished after the latest
   * snapshot, or one whose end a stop cut off. True because event rows are only ever written in
   * the order of their keys, a batch committed at a time, from just after an event up to which
   * the table held everything; and only rows a complete whole ledger supersedes are deleted.
   *
   * @param persistenceId the library's supervisor
   * @return the sequence number of the last event's row
   */
  long eventsThrough(String persistenceId);

  /**
   * A table that lives as long as the process, for tests and embedders without a store; as the
   * journal in memory does.
   *
   * @return a new, empty table
   */
  static LedgerTable inMemory() {
    record Key(long seqNr, int index) {}
    Map<String, Map<Key, Row>> libraries = new ConcurrentHashMap<>();
    return new LedgerTable() {
      @Override
      public void load(String persistenceId, Reader reader) {
        List<Row> rows;
        Map<Key, Row> stored = libraries.getOrDefault(persistenceId, Map.of());
        synchronized (stored) {
          rows = new ArrayList<>(stored.values());
        }
        rows.sort(Comparator.comparingLong(Row::seqNr).thenComparingInt(Row::index));
        reader.expect(rows.size());
        for (Row row : rows) {
          row.asset().ifPresent(asset -> reader.version(asset.assetId(), asset.version()));
          row.sha256().ifPresent(reader::content);
          row.size().ifPresent(reader::size);
          row.pathFingerprint().ifPresent(reader::path);
        }
      }

      @Override
      public void write(String persistenceId, Iterable<Row> rows) {
        List<Row> all = new ArrayList<>();
        rows.forEach(all::add);
        Map<Key, Row> stored = libraries.computeIfAbsent(persistenceId, id -> new HashMap<>());
        synchronized (stored) {
          for (Row row : all) {
            stored.putIfAbsent(new Key(row.seqNr(), row.index()), row);
          }
        }
      }

      @Override
      public long dropSupersededBy(String persistenceId, long seqNr) {
        Map<Key, Row> stored = libraries.getOrDefault(persistenceId, Map.of());
        synchronized (stored) {
          int before = stored.size();
          stored.keySet().removeIf(key -> key.seqNr() < seqNr || (key.seqNr() == seqNr && key.index() == 0));
          return before - stored.size();
        }
      }

      @Override
      public long eventsThrough(String persistenceId) {
        Map<Key, Row> stored = libraries.getOrDefault(persistenceId, Map.of());
        synchronized (stored) {
          return stored.keySet().stream().filter(key -> key.index() == 0).mapToLong(Key::seqNr).max().orElse(0);
        }
      }

      @Override
      public int rowsAt(String persistenceId, long seqNr) {
        Map<Key, Row> stored = libraries.getOrDefault(persistenceId, Map.of());
        synchronized (stored) {
          return (int) stored.keySet().stream().filter(key -> key.seqNr() == seqNr && key.index() > 0).count();
        }
      }
    };
  }
}
