package dev.autoupload.engine.library;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.autoupload.engine.serialization.CborSerializable;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import scala.collection.immutable.HashSet$;
import scala.collection.immutable.HashSet;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The ids of a library's assets that are safely on the target, the sha256 and sizes of their
 * contents and the remote paths of their backups: the persisted state of a {@link
 * BackupSupervisor}, so a restart queues only what still needs uploading, a renamed or moved file,
 * or a second copy of one, is known by its content, a file of a size no backed-up content has is
 * known to be new without reading it, and {@code on-conflict = overwrite} never replaces a backup.
 *
 * <p>Immutable, yet adding an id costs O(log n) rather than a copy: it is backed by a persistent
 * hash set (structural sharing), because a library may hold a million assets and snapshots are
 * serialized on another thread while new ids keep arriving.
 */
public final class Ledger implements CborSerializable {

  private static final Ledger EMPTY =
      new Ledger(HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty());

  private final HashSet<String> ids;
  private final HashSet<String> contents;
  /**
   * Fingerprints of remote paths, not the paths: 16 characters each however long the path, for a
   * million assets. A collision only makes a path look taken, which keeps both files rather than
   * replacing one.
   */
  private final HashSet<String> paths;
  /**
   * The sizes of the backed-up contents; null when some content was recorded without its size
   * (before sizes were kept): then no size can be ruled out, for good.
   */
  private final HashSet<Long> sizes;

  private Ledger(HashSet<String> ids, HashSet<String> contents, HashSet<String> paths, HashSet<Long> sizes) {
    this.ids = ids;
    this.contents = contents;
    this.paths = paths;
    this.sizes = sizes;
  }

  public static Ledger empty() {
    return EMPTY;
  }

  /** From the serialized form; snapshots taken before contents, paths or sizes were kept have none. */
  @JsonCreator
  static Ledger of(
      @JsonProperty("backedUp") List<String> backedUp,
      @JsonProperty("contents") List<String> contents,
      @JsonProperty("paths") List<String> paths,
      @JsonProperty("sizes") List<Long> sizes) {
    HashSet<String> contentSet = set(contents == null ? List.of() : contents);
    HashSet<Long> sizeSet = null;
    if (sizes != null) {
      sizeSet = set(sizes);
    } else if (contentSet.isEmpty()) {
      // No content, so no size to miss.
      sizeSet = set(List.of());
    }
    return new Ledger(set(backedUp), contentSet, set(paths == null ? List.of() : paths), sizeSet);
  }

  private static <T> HashSet<T> set(List<T> values) {
    HashSet<T> set = HashSet$.MODULE$.empty();
    for (T value : values) {
      set = set.incl(value);
    }
    return set;
  }

  /** The serialized form: plain lists. */
  @JsonProperty("backedUp")
  List<String> backedUp() {
    return new ArrayList<>(CollectionConverters.asJava(ids));
  }

  @JsonProperty("contents")
  List<String> contents() {
    return new ArrayList<>(CollectionConverters.asJava(contents));
  }

  @JsonProperty("paths")
  List<String> paths() {
    return new ArrayList<>(CollectionConverters.asJava(paths));
  }

  /** Null while sizes are unknown, as in snapshots taken before they were kept. */
  @JsonProperty("sizes")
  List<Long> sizes() {
    return sizes == null ? null : new ArrayList<>(CollectionConverters.asJava(sizes));
  }

  public boolean contains(String assetId) {
    return ids.contains(assetId);
  }

  /** Whether an asset with this content (lowercase hex sha256) is backed up. */
  public boolean containsContent(String sha256) {
    return contents.contains(sha256);
  }

  /**
   * Whether a backed-up content may have {@code size} bytes: false only when the size of every
   * backed-up content is known and none has this one, so a file of that size cannot be a copy.
   */
  public boolean mayHoldContentOfSize(long size) {
    return sizes == null || sizes.contains(size);
  }

  /**
   * Whether the backup of an asset of this library may sit under {@code remotePath}; names that
   * differ only in case count as one, for the targets that do not tell them apart.
   */
  public boolean holdsPath(String remotePath) {
    return paths.contains(fingerprint(remotePath));
  }

  public Ledger with(String assetId) {
    return new Ledger(ids.incl(assetId), contents, paths, sizes);
  }

  /**
   * With {@code assetId} backed up as content {@code sha256} of {@code size} bytes under {@code
   * remotePath}; any of them is null when unknown (an alias has no path of its own, events written
   * before contents or sizes were recorded have none).
   */
  public Ledger with(String assetId, String sha256, String remotePath, Long size) {
    return new Ledger(
        ids.incl(assetId),
        sha256 == null ? contents : contents.incl(sha256),
        remotePath == null ? paths : paths.incl(fingerprint(remotePath)),
        sha256 == null ? sizes : sizesWith(size));
  }

  /** The sizes with one more content's; unknown for good once a content comes without its size. */
  private HashSet<Long> sizesWith(Long size) {
    return size == null || sizes == null ? null : sizes.incl(size);
  }

  private static String fingerprint(String remotePath) {
    String key = Normalizer.normalize(remotePath, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    return HexFormat.of().formatHex(Sha256.newDigest().digest(key.getBytes(StandardCharsets.UTF_8)), 0, 8);
  }

  public int size() {
    return ids.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ledger ledger
        && ledger.ids.equals(ids)
        && ledger.contents.equals(contents)
        && ledger.paths.equals(paths)
        && Objects.equals(ledger.sizes, sizes);
  }

  @Override
  public int hashCode() {
    return ((ids.hashCode() * 31 + contents.hashCode()) * 31 + paths.hashCode()) * 31 + Objects.hashCode(sizes);
  }

  @Override
  public String toString() {
    return "Ledger(" + ids.size() + " assets)";
  }
}
