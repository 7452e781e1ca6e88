package dev.autoupload.engine.library;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.autoupload.engine.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import scala.collection.immutable.HashSet$;
import scala.collection.immutable.HashSet;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The ids of a library's assets that are safely on the target, and the sha256 of their contents:
 * the persisted state of a {@link BackupSupervisor}, so a restart queues only what still needs
 * uploading, and a renamed or moved file, or a second copy of one, is known by its content.
 *
 * <p>Immutable, yet adding an id costs O(log n) rather than a copy: it is backed by a persistent
 * hash set (structural sharing), because a library may hold a million assets and snapshots are
 * serialized on another thread while new ids keep arriving.
 */
public final class Ledger implements CborSerializable {

  private static final Ledger EMPTY = new Ledger(HashSet$.MODULE$.empty(), HashSet$.MODULE$.empty());

  private final HashSet<String> ids;
  private final HashSet<String> contents;

  private Ledger(HashSet<String> ids, HashSet<String> contents) {
    this.ids = ids;
    this.contents = contents;
  }

  public static Ledger empty() {
    return EMPTY;
  }

  /** From the serialized form; snapshots taken before contents were kept have none. */
  @JsonCreator
  static Ledger of(
      @JsonProperty("backedUp") List<String> backedUp, @JsonProperty("contents") List<String> contents) {
    return new Ledger(set(backedUp), set(contents == null ? List.of() : contents));
  }

  private static HashSet<String> set(List<String> values) {
    HashSet<String> set = HashSet$.MODULE$.empty();
    for (String value : values) {
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

  public boolean contains(String assetId) {
    return ids.contains(assetId);
  }

  /** Whether an asset with this content (lowercase hex sha256) is backed up. */
  public boolean containsContent(String sha256) {
    return contents.contains(sha256);
  }

  public Ledger with(String assetId) {
    return new Ledger(ids.incl(assetId), contents);
  }

  /** With {@code assetId} backed up as content {@code sha256}; null when the content is unknown. */
  public Ledger with(String assetId, String sha256) {
    return new Ledger(ids.incl(assetId), sha256 == null ? contents : contents.incl(sha256));
  }

  public int size() {
    return ids.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ledger ledger && ledger.ids.equals(ids) && ledger.contents.equals(contents);
  }

  @Override
  public int hashCode() {
    return ids.hashCode() * 31 + contents.hashCode();
  }

  @Override
  public String toString() {
    return "Ledger(" + ids.size() + " assets)";
  }
}
