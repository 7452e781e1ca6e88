package dev.autoupload.engine.library;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The ledgers of the libraries as rows of a table beside the journal, so a library's snapshot holds
 * only what the table may not hold yet instead of its whole ledger. The table is written after the
 * events it reflects have committed and may lag them: the events stay the truth. For the engine's
 * own use; called from blocking-I/O threads.
 */
public interface LedgerTable {

  /** What a row records. */
  enum Kind {
    /** The version of an asset that was backed up last: the entry is the asset's id. */
    VERSION,
    /** A content that was backed up: the entry is its sha256 in lowercase hex. */
    CONTENT,
    /** A remote path a backup took: the entry is the path's fingerprint. */
    PATH,
    /** The size of a content that was backed up: the entry is the size in decimal. */
    SIZE
  }

  /**
   * One fact of a ledger.
   *
   * @param kind what it records
   * @param entry the asset id, content, path fingerprint or size
   * @param version the 64 bits of the asset's version for {@link Kind#VERSION}; 0 otherwise
   */
  record Row(Kind kind, String entry, long version) {}

  /**
   * Reads every row of a library.
   *
   * @param libraryId the library
   * @param rows receives each row, in no particular order
   */
  void load(String libraryId, Consumer<Row> rows);

  /**
   * Adds the rows of the events up to {@code through} of a library: a version replaces the one
   * stored only when written through a later event, so a late write of an earlier batch cannot
   * undo a later one. Written whole or not at all, may be written again.
   *
   * @param libraryId the library
   * @param rows the facts of events up to {@code through}
   * @param through the sequence number of the last event they reflect
   * @throws IllegalStateException when the table cannot be written
   */
  void write(String libraryId, Iterable<Row> rows, long through);

  /**
   * A table that lives as long as the process, for tests and embedders without a store; as the
   * journal in memory does.
   *
   * @return a new, empty table
   */
  static LedgerTable inMemory() {
    record Version(long version, long through) {}
    record Stored(Map<String, Version> versions, Set<Row> facts) {}
    Map<String, Stored> libraries = new ConcurrentHashMap<>();
    return new LedgerTable() {
      @Override
      public void load(String libraryId, Consumer<Row> rows) {
        Stored stored = libraries.get(libraryId);
        if (stored == null) {
          return;
        }
        synchronized (stored) {
          stored.versions().forEach((id, version) -> rows.accept(new Row(Kind.VERSION, id, version.version())));
          stored.facts().forEach(rows);
        }
      }

      @Override
      public void write(String libraryId, Iterable<Row> rows, long through) {
        Stored stored =
            libraries.computeIfAbsent(libraryId, id -> new Stored(new HashMap<>(), ConcurrentHashMap.newKeySet()));
        synchronized (stored) {
          for (Row row : rows) {
            if (row.kind() == Kind.VERSION) {
              Version old = stored.versions().get(row.entry());
              if (old == null || old.through() < through) {
                stored.versions().put(row.entry(), new Version(row.version(), through));
              }
            } else {
              stored.facts().add(row);
            }
          }
        }
      }
    };
  }
}
