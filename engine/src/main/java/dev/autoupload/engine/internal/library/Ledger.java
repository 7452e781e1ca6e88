package dev.autoupload.engine.internal.library;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import dev.autoupload.engine.internal.upload.KnownBackups;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import scala.collection.immutable.HashSet$;
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
 * <p>Immutable, yet recording an asset costs O(log n) rather than a copy. What it was loaded with
 * (a snapshot, the table's rows) is a base of hash tables built once, in place, and never changed
 * again (flat arrays, {@link CompactSets}): a library may hold a million assets, and building
 * persistent maps of them cost seconds at each start. What is recorded after that goes into
 * persistent maps and sets beside the base (structural sharing), disjoint from it but for
 * versions, where they win, until they are many enough to go into a copy of the base, a new one
 * ({@link #settled}); snapshots are serialized on another thread while new records keep
 * arriving.
 */
final class Ledger implements CborSerializable {

  private static final Ledger EMPTY =
      new Ledger(Base.EMPTY, PersistentMap.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty(), 0);

  /** What the ledger knows of an asset a scan found. */
  public enum Known {
    /** No version of this asset was backed up. */
    NEW,
    /** Another version of it was backed up: it was edited, or its name was reused. */
    CHANGED,
    /** This very version was backed up. */
    UNCHANGED
  }

  /**
   * What the ledger was loaded with, built once and only read after: asset id to the version backed
   * up (the 64 bits of {@link Asset#version()}), the sha256 and sizes of the contents backed up and
   * the fingerprints of the remote paths of their backups.
   */
  private record Base(Map<String, Long> versions, Set<String> contents, Set<String> paths, Set<Long> sizes) {
    static final Base EMPTY = new Base(Map.of(), Set.of(), Set.of(), Set.of());
    /** A folder's asset ids are 32 hex digits; a host app's, whatever it uses. */
    private static final int ID_DIGITS = 32;

    private static final int SHA256_DIGITS = 64;
    private static final int FINGERPRINT_DIGITS = 16;

    static Base of(int expected) {
      return new Base(
          CompactSets.hexKeyed(ID_DIGITS, expected),
          CompactSets.hex(SHA256_DIGITS, expected),
          CompactSets.hex(FINGERPRINT_DIGITS, expected),
          CompactSets.longs(1024));
    }

    /** A copy with room for as many more entries of each kind as {@code since} holds. */
    Base withRoomFor(Ledger since) {
      return new Base(
          CompactSets.copyOfHexKeyed(versions, ID_DIGITS, versions.size() + since.versions.size()),
          CompactSets.copyOfHex(contents, SHA256_DIGITS, contents.size() + since.contents.size()),
          CompactSets.copyOfHex(paths, FINGERPRINT_DIGITS, paths.size() + since.paths.size()),
          CompactSets.copyOfLongs(sizes, sizes.size() + since.sizes.size()));
    }
  }

  /**
   * How many facts of a kind recorded since the base go into a new base ({@link #settled}) in the
   * engine: 4,096 at least, else an eighth of the base. Facts recorded since sit in persistent maps and sets,
   * about 400 bytes an asset (id, sha256 and path fingerprint as texts, in tree nodes) against at
   * most 130 in the base: a million assets recorded in one run (a first backup, a replay without a
   * snapshot) held 396 MiB of heap, now 152. Copying the base each time it grows by an eighth
   * copies about eight times the ledger over all its growth; most copies are of whole arrays, as
   * the tables' sizes are powers of two.
   */
  static final int FOLD_AT_LEAST = 4096;

  // Pekko's object mapper sees fields too: the serialized form is the four lists below, no more.
  @JsonIgnore private final Base base;
  /** Versions recorded since the base; they win over its. */
  private final PersistentMap<String, Long> versions;
  /** Contents, paths and sizes recorded since the base, none of them in it. */
  private final scala.collection.immutable.HashSet<String> contents;
  /**
   * Fingerprints of remote paths, not the paths: 16 characters each however long the path, for a
   * million assets. A collision only makes a path look taken, which keeps both files rather than
   * replacing one.
   */
  private final scala.collection.immutable.HashSet<String> paths;
  private final scala.collection.immutable.HashSet<Long> sizes;
  /** How many assets have a version backed up, in the base and since. */
  @JsonIgnore private final int size;

  private Ledger(
      Base base,
      PersistentMap<String, Long> versions,
      scala.collection.immutable.HashSet<String> contents,
      scala.collection.immutable.HashSet<String> paths,
      scala.collection.immutable.HashSet<Long> sizes,
      int size) {
    this.base = base;
    this.versions = versions;
    this.contents = contents;
    this.paths = paths;
    this.sizes = sizes;
    this.size = size;
  }

  private static Ledger of(Base base) {
    return new Ledger(
        base,
        PersistentMap.empty(),
        HashSet$.MODULE$.empty(),
        HashSet$.MODULE$.empty(),
        HashSet$.MODULE$.empty(),
        base.versions().size());
  }

  public static Ledger empty() {
    return EMPTY;
  }

  /** From the serialized form, built in place: a snapshot may hold a million assets. */
  @JsonCreator
  static Ledger of(
      @JsonProperty("versions") Map<String, String> versions,
      @JsonProperty("contents") List<String> contents,
      @JsonProperty("paths") List<String> paths,
      @JsonProperty("sizes") List<Long> sizes) {
    Base base = Base.of(versions.size());
    for (Map.Entry<String, String> version : versions.entrySet()) {
      base.versions().put(version.getKey(), Long.parseUnsignedLong(version.getValue(), 16));
    }
    base.contents().addAll(contents);
    base.paths().addAll(paths);
    base.sizes().addAll(sizes);
    return of(base);
  }

  /**
   * The ledger the rows of a {@link LedgerTable} hold, read in the order of their keys so that the
   * last version of an asset wins; built in place: a library may hold a million assets.
   */
  static Ledger fromTable(Consumer<LedgerTable.Reader> load) {
    TableLoad rows = new TableLoad();
    load.accept(rows);
    return of(rows.finish());
  }

  /**
   * Puts the rows read into the base some hundreds at a time, for the compact tables to {@linkplain
   * CompactSets read the slots} of many keys at once.
   */
  private static final class TableLoad implements LedgerTable.Reader {
    private static final int AT_ONCE = 512;
    /**
     * The most rows a table's hint may size the tables for at once (16 million): a hint out of
     * reason must not take the heap before a row was read; beyond it the tables grow as read.
     */
    private static final int MOST_EXPECTED = 1 << 24;

    private int expected = 1024;
    /** Made at the first fact, sized by the table's hint: growing a table of a million rehashes it ten times. */
    private Base base;
    /** An asset read twice in a batch has its later version here; batches go in the order read. */
    private final Map<String, Long> versions = new HashMap<>();
    private final List<String> contents = new ArrayList<>(AT_ONCE);
    private final List<String> paths = new ArrayList<>(AT_ONCE);

    @Override
    public void expect(int rows) {
      if (base == null) {
        expected = Math.max(expected, Math.min(rows, MOST_EXPECTED));
      }
    }

    private Base base() {
      if (base == null) {
        base = Base.of(expected);
      }
      return base;
    }

    @Override
    public void version(String assetId, long version) {
      versions.put(assetId, version);
      if (versions.size() == AT_ONCE) {
        base().versions().putAll(versions);
        versions.clear();
      }
    }

    @Override
    public void content(String sha256) {
      add(contents, sha256, base().contents());
    }

    @Override
    public void size(long size) {
      base().sizes().add(size);
    }

    @Override
    public void path(String fingerprint) {
      add(paths, fingerprint, base().paths());
    }

    private static void add(List<String> pending, String text, Set<String> into) {
      pending.add(text);
      if (pending.size() == AT_ONCE) {
        into.addAll(pending);
        pending.clear();
      }
    }

    /** The base of every row read. */
    Base finish() {
      Base all = base();
      all.versions().putAll(versions);
      all.contents().addAll(contents);
      all.paths().addAll(paths);
      return all;
    }
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
    // Base and what was recorded since are disjoint but for versions, so these are the lists' sizes.
    int count =
        Math.max(
            Math.max(size, base.contents().size() + contents.size()),
            Math.max(base.paths().size() + paths.size(), base.sizes().size() + sizes.size()));
    if (written >= count) {
      // All there, as at a restart after the write ended: no sort of a million entries for nothing.
      return List.of();
    }
    List<Map.Entry<String, Long>> versionList = versionEntries();
    versionList.sort(Map.Entry.comparingByKey());
    List<String> contentList = contents();
    contentList.sort(null);
    List<String> pathList = paths();
    pathList.sort(null);
    List<Long> sizeList = sizes();
    sizeList.sort(null);
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

  /** Every asset's version, the base's but where one was recorded since; in no order. */
  private List<Map.Entry<String, Long>> versionEntries() {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(size);
    for (Map.Entry<String, Long> entry : base.versions().entrySet()) {
      if (!versions.containsKey(entry.getKey())) {
        entries.add(entry);
      }
    }
    versions.forEach((id, version) -> entries.add(Map.entry(id, version)));
    return entries;
  }

  private static <T> List<T> union(Set<T> base, scala.collection.immutable.HashSet<T> since) {
    List<T> all = new ArrayList<>(base.size() + since.size());
    all.addAll(base);
    all.addAll(CollectionConverters.asJava(since));
    return all;
  }

  /**
   * The serialized form: plain maps and lists, the versions sorted by asset id (as they always
   * were), so equal ledgers store equal bytes. Sorted as a list, not inserted into a tree: a
   * snapshot may hold a million assets.
   */
  @JsonProperty("versions")
  Map<String, String> versions() {
    List<Map.Entry<String, Long>> entries = versionEntries();
    entries.sort(Map.Entry.comparingByKey());
    Map<String, String> out = new LinkedHashMap<>(entries.size() * 4 / 3 + 1);
    for (Map.Entry<String, Long> entry : entries) {
      out.put(entry.getKey(), hex(entry.getValue()));
    }
    return out;
  }

  @JsonProperty("contents")
  List<String> contents() {
    return union(base.contents(), contents);
  }

  @JsonProperty("paths")
  List<String> paths() {
    return union(base.paths(), paths);
  }

  @JsonProperty("sizes")
  List<Long> sizes() {
    return union(base.sizes(), sizes);
  }

  /** Whether {@code asset}, as found now, is new, another version of a backed-up one, or backed up. */
  public Known check(Asset asset) {
    Optional<Long> backedUp = version(asset.id());
    if (backedUp.isEmpty()) {
      return Known.NEW;
    }
    return backedUp.get() == asset.versionNumber() ? Known.UNCHANGED : Known.CHANGED;
  }

  private Optional<Long> version(String assetId) {
    Optional<Long> since = versions.get(assetId);
    return since.isPresent() ? since : Optional.ofNullable(base.versions().get(assetId));
  }

  /** The version of the asset that was backed up last, as {@link Asset#version()} gives it. */
  public Optional<String> versionOf(String assetId) {
    return version(assetId).map(Ledger::hex);
  }

  /** Whether an asset with this content (lowercase hex sha256) is backed up. */
  public boolean containsContent(String sha256) {
    return base.contents().contains(sha256) || contents.contains(sha256);
  }

  /**
   * Whether a backed-up content may have {@code size} bytes: false when none has, so a file of that
   * size cannot be a copy of one.
   */
  public boolean mayHoldContentOfSize(long size) {
    return base.sizes().contains(size) || sizes.contains(size);
  }

  /**
   * Whether the backup of an asset of this library may sit under {@code remotePath}; names that
   * differ only in case count as one, for the targets that do not tell them apart.
   */
  public boolean holdsPath(String remotePath) {
    String fingerprint = fingerprint(remotePath);
    return base.paths().contains(fingerprint) || paths.contains(fingerprint);
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
    boolean known = versions.containsKey(backedUp.assetId()) || base.versions().containsKey(backedUp.assetId());
    return new Ledger(
        base,
        versions.with(backedUp.assetId(), parse(backedUp.version())),
        base.contents().contains(backedUp.sha256()) ? contents : contents.incl(backedUp.sha256()),
        backedUp
            .remotePath()
            .map(Ledger::fingerprint)
            .filter(fingerprint -> !base.paths().contains(fingerprint))
            .map(paths::incl)
            .orElse(paths),
        base.sizes().contains(backedUp.size()) ? sizes : sizes.incl(backedUp.size()),
        known ? size : size + 1);
  }

  /**
   * The same facts, those recorded since the base in a new base once {@code foldAtLeast} of a kind
   * are, and an eighth of the base ({@link #FOLD_AT_LEAST} in the engine; less in simulations, to
   * fold small libraries too). For the supervisor's state alone: a copy that a plan's step makes
   * and drops, or one beside another ledger that shares this one's base, would hold the base twice.
   */
  Ledger settled(int foldAtLeast) {
    return recordedSinceBase() >= Math.max(foldAtLeast, base.versions().size() / 8) ? folded() : this;
  }

  /** The most facts of one kind recorded since the base. */
  int recordedSinceBase() {
    return Math.max(Math.max(versions.size(), contents.size()), Math.max(paths.size(), sizes.size()));
  }

  /** The same facts, all in a new base. */
  private Ledger folded() {
    Base all = base.withRoomFor(this);
    versions.forEach(all.versions()::put);
    all.contents().addAll(CollectionConverters.asJava(contents));
    all.paths().addAll(CollectionConverters.asJava(paths));
    all.sizes().addAll(CollectionConverters.asJava(sizes));
    return of(all);
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
    return size;
  }

  /** Equal when they hold the same facts, however they came to: loaded or recorded since. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Ledger ledger
        && ledger.size == size
        && ledger.versions().equals(versions())
        && new HashSet<>(ledger.contents()).equals(new HashSet<>(contents()))
        && new HashSet<>(ledger.paths()).equals(new HashSet<>(paths()))
        && new HashSet<>(ledger.sizes()).equals(new HashSet<>(sizes()));
  }

  @Override
  public int hashCode() {
    return ((versions().hashCode() * 31 + new HashSet<>(contents()).hashCode()) * 31 + new HashSet<>(paths()).hashCode()) * 31
        + new HashSet<>(sizes()).hashCode();
  }

  @Override
  public String toString() {
    return "Ledger(" + size + " assets)";
  }
}
