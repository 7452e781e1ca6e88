package dev.autoupload.engine.internal.library;

import java.util.Comparator;
import java.util.Iterator;
import java.util.Optional;
import scala.Tuple2;
import scala.collection.immutable.TreeMap$;
import scala.collection.immutable.TreeMap;
import scala.jdk.javaapi.CollectionConverters;
import scala.math.Ordering$;
import scala.math.Ordering;

/**
 * An immutable queue of values by their rank, lowest first, where adding and removing any entry
 * cost O(log n): a persistent sorted map underneath. The rank is the queue's order rule ({@link
 * QueueOrder}).
 */
final class OrderedQueue<V> {

  private static final Ordering<QueueOrder.Rank> BY_RANK =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<QueueOrder.Rank>naturalOrder());
  private static final OrderedQueue<?> EMPTY = new OrderedQueue<>(TreeMap$.MODULE$.empty(BY_RANK));

  private final TreeMap<QueueOrder.Rank, V> entries;

  private OrderedQueue(TreeMap<QueueOrder.Rank, V> entries) {
    this.entries = entries;
  }

  @SuppressWarnings("unchecked")
  static <V> OrderedQueue<V> empty() {
    return (OrderedQueue<V>) EMPTY;
  }

  OrderedQueue<V> with(QueueOrder.Rank key, V value) {
    return new OrderedQueue<>(entries.updated(key, value));
  }

  OrderedQueue<V> without(QueueOrder.Rank key) {
    TreeMap<QueueOrder.Rank, V> smaller = entries.removed(key);
    return smaller == entries ? this : new OrderedQueue<>(smaller);
  }

  /** The entry with the lowest key. */
  Optional<Entry<V>> first() {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    Tuple2<QueueOrder.Rank, V> head = entries.head();
    return Optional.of(new Entry<>(head._1(), head._2()));
  }

  int size() {
    return entries.size();
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The entries, lowest key first. */
  Iterator<Entry<V>> iterator() {
    Iterator<Tuple2<QueueOrder.Rank, V>> tuples = CollectionConverters.asJava(entries.iterator());
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return tuples.hasNext();
      }

      @Override
      public Entry<V> next() {
        Tuple2<QueueOrder.Rank, V> next = tuples.next();
        return new Entry<>(next._1(), next._2());
      }
    };
  }

  record Entry<V>(QueueOrder.Rank key, V value) {}
}
