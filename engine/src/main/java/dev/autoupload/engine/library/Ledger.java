package dev.autoupload.engine.library;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.autoupload.engine.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import scala.collection.immutable.HashSet;
import scala.collection.immutable.HashSet$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The ids of a library's assets that are safely on the target: the persisted state of a {@link
 * BackupSupervisor}, so a restart queues only what still needs uploading.
 *
 * <p>Immutable, yet adding an id costs O(log n) rather than a copy: it is backed by a persistent
 * hash set (structural sharing), because a library may hold a million assets and snapshots are
 * serialized on another thread while new ids keep arriving.
 */
public final class Ledger implements CborSerializable {

  private static final Ledger EMPTY = new Ledger(HashSet$.MODULE$.empty());

  private final HashSet<String> ids;

  private Ledger(HashSet<String> ids) {
    this.ids = ids;
  }

  public static Ledger empty() {
    return EMPTY;
  }

  @JsonCreator
  static Ledger of(@JsonProperty("backedUp") List<String> backedUp) {
    HashSet<String> ids = HashSet$.MODULE$.empty();
    for (String id : backedUp) {
      ids = ids.incl(id);
    }
    return new Ledger(ids);
  }

  /** The serialized form: a plain list of ids. */
  @JsonProperty("backedUp")
  List<String> backedUp() {
    return new ArrayList<>(CollectionConverters.asJava(ids));
  }

  public boolean contains(String assetId) {
    return ids.contains(assetId);
  }

  public Ledger with(String assetId) {
    return new Ledger(ids.incl(assetId));
  }

  public int size() {
    return ids.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Ledger ledger && ledger.ids.equals(ids);
  }

  @Override
  public int hashCode() {
    return ids.hashCode();
  }

  @Override
  public String toString() {
    return "Ledger(" + ids.size() + " assets)";
  }
}
