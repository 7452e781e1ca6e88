package dev.autoupload.targets;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What the folders a target probes held when last listed, so that a probe for a file a fresh
 * listing does not name answers "absent" without a request of its own: one listing per folder
 * (WebDAV's Depth-1 PROPFIND, S3's ListObjectsV2) instead of one request per file (a date folder
 * of new photos is listed once, not asked about each photo).
 *
 * <p>Only "absent" is ever answered from a listing, and never for a name this target has written
 * since that listing was asked for: anything a listing names is asked about on its own, so a
 * deleted or replaced file is never taken for present from an old listing. A file another client
 * adds after the listing is caught where it matters, by the target's publishing: WebDAV's {@code
 * Overwrite: F}, which the server refuses (412) when a file is there; S3's look-up of the key
 * right before its PutObject or CompleteMultipartUpload.
 */
public final class FolderListings {

  /** How long a listing answers for its folder; files others add meanwhile show at publishing. */
  public static final long FRESH_FOR_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** Beyond this many folders, those listed longer ago than that and written to by none are dropped. */
  private static final int KEPT_FOLDERS = 256;

  /** Marks a name with an upload open: no listing is trusted for it. */
  private static final long WRITING = Long.MAX_VALUE;

  /**
   * Asks the server for a folder's names.
   *
   * @param <E> what asking may throw
   */
  public interface Lister<E extends Exception> {
    /**
     * The names in {@code folder} (NFC): an empty set when the folder does not exist, empty when
     * the answer cannot be trusted as a listing (the probe then asks per file).
     *
     * @param folder the folder, as the target names it
     * @return the names in it, or empty when the answer cannot be trusted
     * @throws E when the server cannot be asked
     */
    Optional<Set<String>> list(String folder) throws E;
  }

  private static final class Folder {
    /** Names as listed; null until listed, or when the server's answer was of no use. */
    Set<String> listed;

    /** Whether the server was asked for a listing, and when, by the clock. */
    boolean asked;

    long askedAt;

    /** Names this target wrote: {@link #WRITING}, or when the upload ended. */
    final Map<String, Long> written = new HashMap<>();

    /** Set once dropped from the map: a thread that still holds it looks it up again. */
    boolean dropped;
  }

  private final Map<String, Folder> folders = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  /** Listings on {@link System#nanoTime()}'s clock. */
  public FolderListings() {
    this(System::nanoTime);
  }

  /** With the clock {@code nanoTime} instead of {@link System#nanoTime()}, for tests. */
  FolderListings(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * Whether {@code name} in {@code folder} (as the target names folders: an encoded collection
   * path, a key prefix) is absent according to a listing asked for at most {@link
   * #FRESH_FOR_NANOS} ago, asking {@code lister} for one when there is none. One thread lists a
   * folder at a time; the others wait and use its answer.
   *
   * @param <E> what the lister may throw
   * @param folder the folder
   * @param name the file's name in it
   * @param lister asks the server, when the folder has no fresh listing
   * @return true only when a fresh listing does not name it and this target has not written it since
   * @throws E as the lister does
   */
  public <E extends Exception> boolean absent(String folder, String name, Lister<E> lister) throws E {
    dropStaleFolders();
    while (true) {
      Folder state = folders.computeIfAbsent(folder, f -> new Folder());
      synchronized (state) {
        if (state.dropped) {
          continue;
        }
        long now = nanoTime.getAsLong();
        if (!state.asked || now - state.askedAt > FRESH_FOR_NANOS) {
          state.listed = lister.list(folder).orElse(null);
          state.asked = true;
          state.askedAt = now;
          // Uploads that ended before this listing was asked for are in it.
          state.written.values().removeIf(endedAt -> endedAt < now);
        }
        if (state.listed == null) {
          return false;
        }
        Long writtenAt = state.written.get(name);
        return !state.listed.contains(name) && (writtenAt == null || writtenAt < state.askedAt);
      }
    }
  }

  /**
   * An upload to {@code name} in {@code folder} opens: from now on its probes ask the server.
   *
   * @param folder the folder
   * @param name the file's name in it
   */
  public void writing(String folder, String name) {
    mark(folder, name, WRITING);
  }

  /**
   * The upload to {@code name} ended, published or not: a listing asked for later tells.
   *
   * @param folder the folder
   * @param name the file's name in it
   */
  public void written(String folder, String name) {
    mark(folder, name, nanoTime.getAsLong());
  }

  private void mark(String folder, String name, long at) {
    while (true) {
      Folder state = folders.computeIfAbsent(folder, f -> new Folder());
      synchronized (state) {
        if (!state.dropped) {
          state.written.put(name, at);
          return;
        }
      }
    }
  }

  private void dropStaleFolders() {
    if (folders.size() <= KEPT_FOLDERS) {
      return;
    }
    long now = nanoTime.getAsLong();
    for (Map.Entry<String, Folder> entry : folders.entrySet()) {
      Folder state = entry.getValue();
      synchronized (state) {
        if (now - state.askedAt > FRESH_FOR_NANOS && state.written.isEmpty()) {
          state.dropped = true;
          folders.remove(entry.getKey(), state);
        }
      }
    }
  }
}
