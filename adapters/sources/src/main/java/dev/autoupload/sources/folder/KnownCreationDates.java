package dev.autoupload.sources.folder;

import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.sources.media.CreationDates.CreationDate;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Kept in a file ({@link #in(Path)}), they also spare the first scan after a restart reading
 * every photo again: a {@code run --once} on a library already backed up did little else per file.
 * The file is a cache: written whole to a temporary file and moved over the old one after a scan
 * that read a date or forgot a path, read at start, and ignored (then rewritten) when it cannot be
 * read. Its entries are used only for the very version they were read from, as in memory.
 */
final class KnownCreationDates {

  private static final Logger log = LoggerFactory.getLogger(KnownCreationDates.class);
  private static final int FORMAT = 0x41554432; // "AUD2": versions as 128 bits of their sha256
  /** Read, and then written again in the format above. */
  private static final int FORMAT_WITH_VERSION_TEXTS = 0x41554431; // "AUD1"

  /**
   * A version by 128 bits of the sha256 of its text, and the date read from it, flat: with its path
   * and the map's entry, 157 bytes a file where the version's text, the date and its instant made
   * it 340 (200,000 dates; a library of a million files, 180 MB less). Two versions of a file that
   * share those bits would share a date: a chance of one in 2^128.
   */
  private record Known(long versionHigh, long versionLow, long epochSecond, int nano, CreationDateSource source) {
    Known(long[] version, CreationDate date) {
      this(version[0], version[1], date.instant().getEpochSecond(), date.instant().getNano(), date.source());
    }

    boolean isOf(long[] version) {
      return versionHigh == version[0] && versionLow == version[1];
    }

    CreationDate date() {
      return new CreationDate(Instant.ofEpochSecond(epochSecond, nano), source);
    }
  }

  private final Map<String, Known> byPath = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final Optional<Path> file;
  private final AtomicBoolean changed = new AtomicBoolean();

  /** Dates in memory only. */
  KnownCreationDates() {
    this.file = Optional.empty();
  }

  private KnownCreationDates(Path file) {
    this.file = Optional.of(file);
    load(file);
  }

  /**
   * Dates kept in {@code file} as well: read from it now, written by {@link #save()}.
   *
   * @param file where they are kept; its folder must exist
   * @return the dates the file holds (none when it is missing or unreadable)
   */
  static KnownCreationDates in(Path file) {
    return new KnownCreationDates(file);
  }

  private void load(Path from) {
    try (InputStream raw = Files.newInputStream(from);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
      int format = in.readInt();
      if (format != FORMAT && format != FORMAT_WITH_VERSION_TEXTS) {
        throw new IOException("not a file of known creation dates");
      }
      int count = in.readInt();
      Map<String, Known> loaded = new HashMap<>(Math.max(16, Math.min(count, 1 << 20) * 2));
      for (int i = 0; i < count; i++) {
        String path = readString(in);
        long[] version = format == FORMAT ? new long[] {in.readLong(), in.readLong()} : digest(readString(in));
        long epochSecond = in.readLong();
        int nano = in.readInt();
        CreationDateSource source = CreationDateSource.valueOf(readString(in));
        loaded.put(path, new Known(version[0], version[1], epochSecond, nano, source));
      }
      byPath.putAll(loaded);
      changed.set(format != FORMAT);
    } catch (NoSuchFileException e) {
      // The first scan of this library: nothing known yet.
    } catch (IOException | RuntimeException e) {
      log.debug("Cannot read the creation dates kept in {}, reading them again: {}", from, e.toString());
      changed.set(true);
    }
  }

  /**
   * Writes the dates to the file given to {@link #in(Path)}, when they changed since it was read
   * or last written; a no-op for dates in memory only. Never throws: a file that cannot be written
   * costs the next process its reads, nothing else.
   */
  void save() {
    if (file.isEmpty() || !changed.getAndSet(false)) {
      return;
    }
    Path target = file.get();
    Path temporary = null;
    try {
      temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
      Map<String, Known> snapshot = new HashMap<>(byPath);
      try (OutputStream raw = Files.newOutputStream(temporary);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
        out.writeInt(FORMAT);
        out.writeInt(snapshot.size());
        for (Map.Entry<String, Known> entry : snapshot.entrySet()) {
          Known known = entry.getValue();
          writeString(out, entry.getKey());
          out.writeLong(known.versionHigh());
          out.writeLong(known.versionLow());
          out.writeLong(known.epochSecond());
          out.writeInt(known.nano());
          writeString(out, known.source().name());
        }
      }
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      changed.set(true);
      log.debug("Cannot keep the creation dates in {}: {}", target, e.toString());
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
          // Left behind in the data dir; overwritten never, harmless.
        }
      }
    }
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 1 << 20) {
      throw new IOException("damaged: a string of " + length + " bytes");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** The date read before for this very version of the file at {@code path}, else {@code read}'s. */
  CreationDate of(String path, String version, Supplier<CreationDate> read) {
    long[] digest = digest(version);
    Known known = byPath.get(path);
    if (known != null && known.isOf(digest)) {
      return known.date();
    }
    reads.incrementAndGet();
    CreationDate date = read.get();
    byPath.put(path, new Known(digest, date));
    changed.set(true);
    return date;
  }

  /** The first 128 bits of the sha256 of {@code version}'s text. */
  private static long[] digest(String version) {
    ByteBuffer sha256 = ByteBuffer.wrap(Sha256.newDigest().digest(version.getBytes(StandardCharsets.UTF_8)));
    return new long[] {sha256.getLong(0), sha256.getLong(8)};
  }

  /** Forgets every path but those a full scan just found. */
  void retainOnly(Set<String> paths) {
    if (byPath.keySet().retainAll(paths)) {
      changed.set(true);
    }
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
