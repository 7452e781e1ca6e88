package dev.autoupload.engine.internal.library;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.HashMap$;
import scala.collection.immutable.HashMap;
import scala.collection.mutable.ReusableBuilder;
import scala.jdk.javaapi.CollectionConverters;

/**
 * An immutable map whose {@code with} and {@code without} cost O(log n) instead of a copy, backed by
 * Scala's persistent hash map (structural sharing). The planner's state is a set of these, so each
 * transition returns a new state without copying a million entries.
 */
final class PersistentMap<K, V> {

  private static final PersistentMap<?, ?> EMPTY = new PersistentMap<>(HashMap$.MODULE$.empty());

  private final HashMap<K, V> map;

  private PersistentMap(HashMap<K, V> map) {
    this.map = map;
  }

  @SuppressWarnings("unchecked")
  static <K, V> PersistentMap<K, V> empty() {
    return (PersistentMap<K, V>) EMPTY;
  }

  Optional<V> get(K key) {
    Option<V> value = map.get(key);
    return value.isDefined() ? Optional.of(value.get()) : Optional.empty();
  }

  boolean containsKey(K key) {
    return map.contains(key);
  }

  /**
   * A map of {@code entries}, built in place in O(n) rather than by n copies of O(log n): for
   * loading a snapshot of a million entries.
   */
  static <K, V> PersistentMap<K, V> of(Iterable<Map.Entry<K, V>> entries) {
    ReusableBuilder<Tuple2<K, V>, HashMap<K, V>> builder = HashMap$.MODULE$.newBuilder();
    for (Map.Entry<K, V> entry : entries) {
      builder.addOne(new Tuple2<>(entry.getKey(), entry.getValue()));
    }
    return new PersistentMap<>(builder.result());
  }

  /** Visits every entry, in no particular order, without a lookup per key. */
  void forEach(BiConsumer<K, V> visitor) {
    map.foreachEntry((key, value) -> {
      visitor.accept(key, value);
      return null;
    });
  }

  PersistentMap<K, V> with(K key, V value) {
    return new PersistentMap<>(map.updated(key, value));
  }

  PersistentMap<K, V> without(K key) {
    HashMap<K, V> smaller = map.removed(key);
    return smaller == map ? this : new PersistentMap<>(smaller);
  }

  int size() {
    return map.size();
  }

  boolean isEmpty() {
    return map.isEmpty();
  }

  /** A read-only view, in no particular order. */
  Collection<V> values() {
    return CollectionConverters.asJava(map).values();
  }

  /** A read-only view of the keys, in no particular order. */
  java.util.Set<K> keys() {
    return CollectionConverters.asJava(map).keySet();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PersistentMap<?, ?> that && that.map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }
}
