package dev.autoupload.engine.internal.library;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import dev.autoupload.engine.internal.upload.KnownBackups;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import scala.collection.immutable.HashSet$;
import scala.collection.immutable.HashSet;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What a library has safely on the target: the version of each asset that was backed up, the
 * sha256 and sizes of the contents backed up and the remote paths of their backups. The persisted
 * state of a {@link BackupSupervisor}, so a restart queues only what still needs uploading.
 *
 * <p>A path seen before counts as backed up only in the version that was: a file edited in place,
 * or a new photo under a reused name, is another version and is identified by content again (see
 * {@link #check}). A renamed or moved file, or a second copy, is known by its content; a file of a
 * size no backed-up content has is known to be new without reading it; and {@code on-conflict =
 * overwrite} never replaces a backup.
 *
 * <p>Immutable, yet recording an asset costs O(log n) rather than a copy: it is backed by persistent
 * maps and sets (structural sharing), because a library may hold a million assets and snapshots are
 * serialized on another thread while new records keep arriving.
 */
final class Ledger implements CborSerializable {

  private static final Ledger EMPTY =
      new Ledger(PersistentMap.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty());

  /** What the ledger knows of an asset a scan found. */
  public enum Known {
    /** No version of this asset was backed up. */
    NEW,
    /** Another version of it was backed up: it was edited, or its name was reused. */
    CHANGED,
    /** This very version was backed up. */
    UNCHANGED
  }

  /** Asset id to the version backed up, as the 64 bits of {@link Asset#version()}. */
  private final PersistentMap<String, Long> versions;
  private final HashSet<String> contents;
  /**
   * Fingerprints of remote paths, not the paths: 16 characters each however long the path, for a
   * million assets. A collision only makes a path look taken, which keeps both files rather than
   * replacing one.
   */
  private final HashSet<String> paths;
  private final HashSet<Long> sizes;

  private Ledger(
      PersistentMap<String, Long> versions, HashSet<String> contents, HashSet<String> paths, HashSet<Long> sizes) {
    this.versions = versions;
    this.contents = contents;
    this.paths = paths;
    this.sizes = sizes;
  }

  public static Ledger empty() {
    return EMPTY;
  }

  /** From the serialized form, each collection built in place: a snapshot may hold a million assets. */
  @JsonCreator
  static Ledger of(
      @JsonProperty("versions") Map<String, String> versions,
      @JsonProperty("contents") List<String> contents,
      @JsonProperty("paths") List<String> paths,
      @JsonProperty("sizes") List<Long> sizes) {
    List<Map.Entry<String, Long>> versionEntries = new ArrayList<>(versions.size());
    for (Map.Entry<String, String> version : versions.entrySet()) {
      versionEntries.add(Map.entry(version.getKey(), Long.parseUnsignedLong(version.getValue(), 16)));
    }
    return new Ledger(PersistentMap.of(versionEntries), set(contents), set(paths), set(sizes));
  }

  /**
   * The ledger the rows of a {@link LedgerTable} hold, read in the order of their keys so that the
   * last version of an asset wins; each collection built in place: a library may hold a million
   * assets.
   */
  static Ledger fromTable(Consumer<LedgerTable.Reader> load) {
    List<Map.Entry<String, Long>> versionEntries = new ArrayList<>();
    List<String> contents = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    load.accept(
        new LedgerTable.Reader() {
          @Override
          public void version(String assetId, long version) {
            versionEntries.add(Map.entry(assetId, version));
          }

          @Override
          public void content(String sha256) {
            contents.add(sha256);
          }

          @Override
          public void size(long size) {
            sizes.add(size);
          }

          @Override
          public void path(String fingerprint) {
            paths.add(fingerprint);
          }
        });
    return new Ledger(PersistentMap.of(versionEntries), set(contents), set(paths), set(sizes));
  }

  /** The row of the table that records {@code backedUp}, the event of sequence number {@code seqNr}. */
  static LedgerTable.Row row(long seqNr, BackupSupervisor.AssetBackedUp backedUp) {
    return new LedgerTable.Row(
        seqNr,
        0,
        Optional.of(new LedgerTable.AssetVersion(backedUp.assetId(), parse(backedUp.version()))),
        Optional.of(backedUp.sha256()),
        OptionalLong.of(backedUp.size()),
        backedUp.remotePath().map(Ledger::fingerprint));
  }

  /**
   * This whole ledger as rows of the table at {@code seqNr}, indexed from 1 (0 is the event's own
   * row), leaving out the first {@code written}. Every kind of fact sorted, so the rows come out
   * the same each time and a write cut short can go on where it stopped.
   */
  Iterable<LedgerTable.Row> rows(long seqNr, int written) {
    if (written >= Math.max(Math.max(versions.size(), contents.size()), Math.max(paths.size(), sizes.size()))) {
      // All there, as at a restart after the write ended: no sort of a million entries for nothing.
      return List.of();
    }
    List<Map.Entry<String, Long>> versionList = new ArrayList<>(versions.size());
    versions.forEach((id, version) -> versionList.add(Map.entry(id, version)));
    versionList.sort(Map.Entry.comparingByKey());
    List<String> contentList = contents();
    contentList.sort(null);
    List<String> pathList = paths();
    pathList.sort(null);
    List<Long> sizeList = sizes();
    sizeList.sort(null);
    int count = Math.max(Math.max(versionList.size(), contentList.size()), Math.max(pathList.size(), sizeList.size()));
    return () ->
        new Iterator<>() {
          private int index = written;

          @Override
          public boolean hasNext() {
            return index < count;
          }

          @Override
          public LedgerTable.Row next() {
            int i = index++;
            return new LedgerTable.Row(
                seqNr,
                i + 1,
                i < versionList.size()
                    ? Optional.of(new LedgerTable.AssetVersion(versionList.get(i).getKey(), versionList.get(i).getValue()))
                    : Optional.empty(),
                i < contentList.size() ? Optional.of(contentList.get(i)) : Optional.empty(),
                i < sizeList.size() ? OptionalLong.of(sizeList.get(i)) : OptionalLong.empty(),
                i < pathList.size() ? Optional.of(pathList.get(i)) : Optional.empty());
          }
        };
  }

  private static <T> HashSet<T> set(List<T> values) {
    return HashSet$.MODULE$.from(CollectionConverters.asScala(values));
  }

  /**
   * The serialized form: plain maps and lists, the versions sorted by asset id (as they always
   * were), so equal ledgers store equal bytes. Sorted as a list, not inserted into a tree: a
   * snapshot may hold a million assets.
   */
  @JsonProperty("versions")
  Map<String, String> versions() {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(versions.size());
    versions.forEach((id, version) -> entries.add(Map.entry(id, version)));
    entries.sort(Map.Entry.comparingByKey());
    Map<String, String> out = new LinkedHashMap<>(entries.size() * 4 / 3 + 1);
    for (Map.Entry<String, Long> entry : entries) {
      out.put(entry.getKey(), hex(entry.getValue()));
    }
    return out;
  }

  @JsonProperty("contents")
  List<String> contents() {
    return new ArrayList<>(CollectionConverters.asJava(contents));
  }

  @JsonProperty("paths")
  List<String> paths() {
    return new ArrayList<>(CollectionConverters.asJava(paths));
  }

  @JsonProperty("sizes")
  List<Long> sizes() {
    return new ArrayList<>(CollectionConverters.asJava(sizes));
  }

  /** Whether {@code asset}, as found now, is new, another version of a backed-up one, or backed up. */
  public Known check(Asset asset) {
    Optional<Long> backedUp = versions.get(asset.id());
    if (backedUp.isEmpty()) {
      return Known.NEW;
    }
    return backedUp.get() == parse(asset.version()) ? Known.UNCHANGED : Known.CHANGED;
  }

  /** The version of the asset that was backed up last, as {@link Asset#version()} gives it. */
  public Optional<String> versionOf(String assetId) {
    return versions.get(assetId).map(Ledger::hex);
  }

  /** Whether an asset with this content (lowercase hex sha256) is backed up. */
  public boolean containsContent(String sha256) {
    return contents.contains(sha256);
  }

  /**
   * Whether a backed-up content may have {@code size} bytes: false when none has, so a file of that
   * size cannot be a copy of one.
   */
  public boolean mayHoldContentOfSize(long size) {
    return sizes.contains(size);
  }

  /**
   * Whether the backup of an asset of this library may sit under {@code remotePath}; names that
   * differ only in case count as one, for the targets that do not tell them apart.
   */
  public boolean holdsPath(String remotePath) {
    return paths.contains(fingerprint(remotePath));
  }

  /** What an upload is told of the library's backups, as this ledger records them. */
  KnownBackups knownBackups() {
    return new KnownBackups() {
      @Override
      public boolean mayHoldBackup(String remotePath, RemoteState.Complete found) {
        return holdsPath(remotePath) || found.sha256().map(Ledger.this::containsContent).orElse(false);
      }

      @Override
      public boolean holdsContent(String sha256) {
        return containsContent(sha256);
      }
    };
  }

  /** With the version, content and remote path {@code backedUp} records. */
  public Ledger with(BackupSupervisor.AssetBackedUp backedUp) {
    return new Ledger(
        versions.with(backedUp.assetId(), parse(backedUp.version())),
        contents.incl(backedUp.sha256()),
        backedUp.remotePath().map(path -> paths.incl(fingerprint(path))).orElse(paths),
        sizes.incl(backedUp.size()));
  }

  private static long parse(String version) {
    return Long.parseUnsignedLong(version, 16);
  }

  private static String hex(long version) {
    return HexFormat.of().toHexDigits(version);
  }

  private static String fingerprint(String remotePath) {
    String key = Normalizer.normalize(remotePath, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    return HexFormat.of().formatHex(Sha256.newDigest().digest(key.getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  /** How many assets have a version backed up. */
  public int size() {
    return versions.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ledger ledger
        && ledger.versions.equals(versions)
        && ledger.contents.equals(contents)
        && ledger.paths.equals(paths)
        && ledger.sizes.equals(sizes);
  }

  @Override
  public int hashCode() {
    return ((versions.hashCode() * 31 + contents.hashCode()) * 31 + paths.hashCode()) * 31 + sizes.hashCode();
  }

  @Override
  public String toString() {
    return "Ledger(" + versions.size() + " assets)";
  }
}
