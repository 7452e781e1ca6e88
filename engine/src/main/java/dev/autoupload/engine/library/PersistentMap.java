package dev.autoupload.engine.library;

import java.util.Collection;
import java.util.Optional;
import scala.Option;
import scala.collection.immutable.HashMap;
import scala.collection.immutable.HashMap$;
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
