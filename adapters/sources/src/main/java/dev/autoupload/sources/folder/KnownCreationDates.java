package dev.autoupload.sources.folder;

import dev.autoupload.sources.media.CreationDates.CreationDate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The creation dates a scan read, by path and the version of the file they were read from: a
 * rescan of a watched folder (every {@code rescan-interval}, and after every burst of changes)
 * reads the metadata of new and changed files only. Reading it was most of an idle daemon's work:
 * every photo opened and parsed, every ten minutes, to learn a date that cannot have changed.
 *
 * <p>A version is what makes a file another file (size, modification time and change stamp, and
 * those of a live photo's still, which dates it): the same version is the same bytes, and the
 * same bytes have the same metadata. One entry a path, replaced when its file changes; a deleted
 * file's entry goes at the next full scan.
 */
final class KnownCreationDates {

  private record Known(String version, CreationDate date) {}

  private final Map<String, Known> byPath = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();

  /** The date read before for this very version of the file at {@code path}, else {@code read}'s. */
  CreationDate of(String path, String version, Supplier<CreationDate> read) {
    Known known = byPath.get(path);
    if (known != null && known.version().equals(version)) {
      return known.date();
    }
    reads.incrementAndGet();
    CreationDate date = read.get();
    byPath.put(path, new Known(version, date));
    return date;
  }

  /** Forgets every path but those a full scan just found. */
  void retainOnly(Set<String> paths) {
    byPath.keySet().retainAll(paths);
  }

  /** How many dates were read rather than known: for tests. */
  int reads() {
    return reads.get();
  }

  /** How many paths have a known date: for tests. */
  int size() {
    return byPath.size();
  }
}
