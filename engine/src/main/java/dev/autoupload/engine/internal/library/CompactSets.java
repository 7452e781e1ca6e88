package dev.autoupload.engine.internal.library;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * Sets and a map of a ledger's base that hold a million entries in a few flat arrays instead of a
 * million objects: a {@link java.util.HashSet} of sha256 texts costs about 136 bytes an entry
 * (node, string, its bytes), of 16-digit fingerprints about 88, of boxed sizes about 48; these cost
 * 32, 8 and 8 bytes an entry plus free slots. Loading a ledger of a million assets built four
 * million such objects, and the garbage collector copied each of them while the rest were built:
 * most of a restart's load. Nothing is ever removed, as from the base, which is built once, then
 * only read, from any thread.
 */
final class CompactSets {

  private CompactSets() {}

  /**
   * Texts of {@code width} lowercase hex digits (a multiple of 16), packed into longs; any other
   * text goes to a plain set beside them, so the set holds exactly what was added.
   */
  static Set<String> hex(int width, int expected) {
    HexKeys hex = new HexKeys(width);
    return new HexSet(hex, new Table(hex.longs(), 0, expected), new HashSet<>());
  }

  /** A set of longs. */
  static Set<Long> longs(int expected) {
    return new LongSet(new Table(1, 0, expected));
  }

  /**
   * A map from texts to longs, those of {@code width} lowercase hex digits (a multiple of 16) packed
   * with their values; any other text in a plain map beside them. Null values are refused.
   */
  static Map<String, Long> hexKeyed(int width, int expected) {
    HexKeys hex = new HexKeys(width);
    return new HexKeyedLongs(hex, new Table(hex.longs(), 1, expected), new HashMap<>());
  }

  /**
   * A copy of {@code set} as {@link #hex} makes it, with room for {@code expected} entries: one that
   * {@link #hex} made with this width is copied slot by slot, no text parsed; any other is added.
   */
  static Set<String> copyOfHex(Set<String> set, int width, int expected) {
    if (set instanceof HexSet hexSet && hexSet.hex.width() == width) {
      return new HexSet(hexSet.hex, hexSet.table.copy(expected), new HashSet<>(hexSet.others));
    }
    Set<String> copy = hex(width, expected);
    copy.addAll(set);
    return copy;
  }

  /** A copy of {@code set} as {@link #longs} makes it, with room for {@code expected} entries. */
  static Set<Long> copyOfLongs(Set<Long> set, int expected) {
    if (set instanceof LongSet longSet) {
      return new LongSet(longSet.table.copy(expected));
    }
    Set<Long> copy = longs(expected);
    copy.addAll(set);
    return copy;
  }

  /** A copy of {@code map} as {@link #hexKeyed} makes it, with room for {@code expected} entries. */
  static Map<String, Long> copyOfHexKeyed(Map<String, Long> map, int width, int expected) {
    if (map instanceof HexKeyedLongs hexKeyed && hexKeyed.hex.width() == width) {
      return new HexKeyedLongs(hexKeyed.hex, hexKeyed.table.copy(expected), new HashMap<>(hexKeyed.others));
    }
    Map<String, Long> copy = hexKeyed(width, expected);
    copy.putAll(map);
    return copy;
  }

  /**
   * Open addressing over keys of {@code k} longs, each followed by its {@code v} longs of value (none
   * in a set), in one array; a slot whose key is zeros is free, and the key of all zeros is kept
   * apart, so a probe touches one array only (a cache miss an insert into a table of a million, not
   * two), and a map's value sits right after its key.
   */
  private static final class Table {
    private final int k;
    private final int stride;
    private long[] slots;
    private int mask;
    private int size;
    private boolean zero;
    private final long[] zeroValue;
    /** What {@link #prefetch} read, kept, or the compiler would drop the reads. */
    private long prefetched;

    Table(int k, int v, int expected) {
      this.k = k;
      this.stride = k + v;
      this.zeroValue = new long[v];
      int count = 16;
      while (count < (1 << 30) && count * 2L < expected * 3L) {
        count *= 2;
      }
      slots = new long[count * stride];
      mask = count - 1;
    }

    int size() {
      return size + (zero ? 1 : 0);
    }

    /** Of every long of the key: keys that share their first long (small numbers) spread too. */
    private static int hash(long[] key) {
      long mixed = 0;
      for (long part : key) {
        mixed = (mixed + part) * 0x9E3779B97F4A7C15L;
      }
      return (int) (mixed ^ (mixed >>> 32));
    }

    private static boolean isZero(long[] key) {
      for (long part : key) {
        if (part != 0) {
          return false;
        }
      }
      return true;
    }

    private boolean isFree(int at) {
      for (int i = 0; i < k; i++) {
        if (slots[at + i] != 0) {
          return false;
        }
      }
      return true;
    }

    private boolean equalsAt(int at, long[] key) {
      for (int i = 0; i < k; i++) {
        if (slots[at + i] != key[i]) {
          return false;
        }
      }
      return true;
    }

    /** Where {@code key}'s slot starts in {@link #slots}, or where it would go: a free slot. */
    private int probe(long[] key) {
      int at = (hash(key) & mask) * stride;
      while (!isFree(at) && !equalsAt(at, key)) {
        at = at + stride > mask * stride ? 0 : at + stride;
      }
      return at;
    }

    boolean contains(long[] key) {
      return isZero(key) ? zero : !isFree(probe(key));
    }

    /**
     * Reads the slot where each key's probe starts, all of them before any is looked up or added:
     * these reads do not wait for each other, so the processor overlaps their cache misses, where
     * one probe after another waits out each miss in turn (in a table of a million, most of the
     * time an insert takes).
     */
    private void prefetch(List<long[]> keys) {
      long read = 0;
      for (long[] key : keys) {
        read += slots[(hash(key) & mask) * stride];
      }
      prefetched = read;
    }

    /** The first long of {@code key}'s value, or null when the key is not held: one probe. */
    Long value(long[] key) {
      if (isZero(key)) {
        return zero ? zeroValue[0] : null;
      }
      int at = probe(key);
      return isFree(at) ? null : slots[at + k];
    }

    /**
     * As one {@link #put} after another, in their order, the {@code i}th key with the {@code i}th
     * of {@code values} (null in a set), with the slots {@linkplain #prefetch read first}; true when
     * a key was added.
     */
    boolean putAll(List<long[]> keys, long[] values) {
      prefetch(keys);
      boolean added = false;
      for (int i = 0; i < keys.size(); i++) {
        added |= values == null ? put(keys.get(i)) : put(keys.get(i), values[i]);
      }
      return added;
    }

    /** Adds {@code key}, or sets its value when held; true when it was not held. */
    boolean put(long[] key, long... value) {
      if (isZero(key)) {
        boolean added = !zero;
        zero = true;
        System.arraycopy(value, 0, zeroValue, 0, value.length);
        return added;
      }
      int at = probe(key);
      boolean added = isFree(at);
      System.arraycopy(key, 0, slots, at, k);
      System.arraycopy(value, 0, slots, at + k, value.length);
      // At most two thirds full, so a probe stays short.
      if (added && ++size * 3L > (mask + 1) * 2L) {
        grow();
      }
      return added;
    }

    private void grow() {
      long[] old = slots;
      slots = new long[old.length * 2];
      mask = mask * 2 + 1;
      putSlots(old);
    }

    /**
     * A copy with room for {@code expected} keys at least: its slots as they are when that many fit
     * in as many slots (a plain copy of the array), else each put where it probes to in more.
     */
    Table copy(int expected) {
      Table copy = new Table(k, stride - k, Math.max(expected, size()));
      if (copy.slots.length == slots.length) {
        System.arraycopy(slots, 0, copy.slots, 0, slots.length);
      } else {
        copy.putSlots(slots);
      }
      copy.size = size;
      copy.zero = zero;
      System.arraycopy(zeroValue, 0, copy.zeroValue, 0, zeroValue.length);
      return copy;
    }

    /** Puts each used slot of {@code from}, slots of this layout, where its key probes to here. */
    private void putSlots(long[] from) {
      long[] key = new long[k];
      for (int at = 0; at < from.length; at += stride) {
        System.arraycopy(from, at, key, 0, k);
        if (!isZero(key)) {
          System.arraycopy(from, at, slots, probe(key), stride);
        }
      }
    }

    /**
     * Every key, the one of zeros first when it is held; each a new array of the key's longs, then
     * its value's.
     */
    Iterator<long[]> iterator() {
      return new Iterator<>() {
        private boolean zeroLeft = zero;
        private int at = usedFrom(0);

        @Override
        public boolean hasNext() {
          return zeroLeft || at >= 0;
        }

        @Override
        public long[] next() {
          if (zeroLeft) {
            zeroLeft = false;
            long[] entry = new long[stride];
            System.arraycopy(zeroValue, 0, entry, k, stride - k);
            return entry;
          }
          if (at < 0) {
            throw new NoSuchElementException();
          }
          long[] entry = Arrays.copyOfRange(slots, at, at + stride);
          at = usedFrom(at + stride);
          return entry;
        }
      };
    }

    /** Where the first used slot from {@code at} on starts, or -1. */
    private int usedFrom(int at) {
      for (; at < slots.length; at += stride) {
        if (!isFree(at)) {
          return at;
        }
      }
      return -1;
    }
  }

  /** Texts of {@code width} lowercase hex digits as longs, and back. */
  private record HexKeys(int width) {
    HexKeys {
      if (width <= 0 || width % 16 != 0) {
        throw new IllegalArgumentException("width " + width);
      }
    }

    int longs() {
      return width / 16;
    }

    /** The text's longs, or null when it is not {@code width} lowercase hex digits. */
    long[] parse(Object text) {
      if (!(text instanceof String string) || string.length() != width) {
        return null;
      }
      long[] key = new long[width / 16];
      for (int i = 0; i < width; i++) {
        char c = string.charAt(i);
        // A table, not a test for digits and one for letters: which of the two a random hex digit
        // is cannot be predicted, and the mispredicted branches cost more than the rest.
        int digit = c < DIGITS.length ? DIGITS[c] : -1;
        if (digit < 0) {
          return null;
        }
        key[i >>> 4] = key[i >>> 4] << 4 | digit;
      }
      return key;
    }

    /** Each lowercase hex digit's value, -1 for every other character below 128. */
    private static final byte[] DIGITS = new byte[128];

    static {
      Arrays.fill(DIGITS, (byte) -1);
      for (int c = '0'; c <= '9'; c++) {
        DIGITS[c] = (byte) (c - '0');
      }
      for (int c = 'a'; c <= 'f'; c++) {
        DIGITS[c] = (byte) (c - 'a' + 10);
      }
    }

    /** The text of the key in the first {@link #longs()} longs of {@code entry}. */
    String text(long[] entry) {
      StringBuilder text = new StringBuilder(width);
      for (int i = 0; i < longs(); i++) {
        text.append(HexFormat.of().toHexDigits(entry[i]));
      }
      return text.toString();
    }
  }

  private static final class HexSet extends AbstractSet<String> {
    private final HexKeys hex;
    private final Table table;
    private final Set<String> others;

    HexSet(HexKeys hex, Table table, Set<String> others) {
      this.hex = hex;
      this.table = table;
      this.others = others;
    }

    @Override
    public boolean add(String text) {
      long[] key = hex.parse(text);
      return key != null ? table.put(key) : others.add(text);
    }

    /** As one {@link #add} after another, with the table's slots {@linkplain Table#putAll read first}. */
    @Override
    public boolean addAll(Collection<? extends String> texts) {
      List<long[]> keys = new ArrayList<>(texts.size());
      boolean changed = false;
      for (String text : texts) {
        long[] key = hex.parse(text);
        if (key != null) {
          keys.add(key);
        } else {
          changed |= others.add(text);
        }
      }
      changed |= table.putAll(keys, null);
      return changed;
    }

    @Override
    public boolean contains(Object text) {
      long[] key = hex.parse(text);
      return key != null ? table.contains(key) : others.contains(text);
    }

    @Override
    public int size() {
      return table.size() + others.size();
    }

    @Override
    public Iterator<String> iterator() {
      return new Iterator<>() {
        private final Iterator<long[]> packed = table.iterator();
        private final Iterator<String> rest = others.iterator();

        @Override
        public boolean hasNext() {
          return packed.hasNext() || rest.hasNext();
        }

        @Override
        public String next() {
          return packed.hasNext() ? hex.text(packed.next()) : rest.next();
        }
      };
    }
  }

  /**
   * A map from texts to longs: the texts of {@code width} lowercase hex digits packed, each with its
   * value, into one table; any other text in a plain map beside it. A {@link java.util.HashMap}
   * from 32-digit ids to boxed longs costs about 140 bytes an entry (node, string, its bytes, the
   * box); this one 24 plus free slots.
   */
  private static final class HexKeyedLongs extends AbstractMap<String, Long> {
    private final HexKeys hex;
    private final Table table;
    private final Map<String, Long> others;

    HexKeyedLongs(HexKeys hex, Table table, Map<String, Long> others) {
      this.hex = hex;
      this.table = table;
      this.others = others;
    }

    @Override
    public Long put(String text, Long value) {
      Objects.requireNonNull(value, "value");
      long[] key = hex.parse(text);
      if (key == null) {
        return others.put(text, value);
      }
      Long before = table.value(key);
      table.put(key, value);
      return before;
    }

    /** As one {@link #put} after another, in its order, with the table's slots {@linkplain Table#putAll read first}. */
    @Override
    public void putAll(Map<? extends String, ? extends Long> entries) {
      List<long[]> keys = new ArrayList<>(entries.size());
      long[] values = new long[entries.size()];
      for (Map.Entry<? extends String, ? extends Long> entry : entries.entrySet()) {
        Long value = Objects.requireNonNull(entry.getValue(), "value");
        long[] key = hex.parse(entry.getKey());
        if (key != null) {
          values[keys.size()] = value;
          keys.add(key);
        } else {
          others.put(entry.getKey(), value);
        }
      }
      table.putAll(keys, values);
    }

    @Override
    public Long get(Object text) {
      long[] key = hex.parse(text);
      if (key == null) {
        return others.get(text);
      }
      return table.value(key);
    }

    @Override
    public boolean containsKey(Object text) {
      long[] key = hex.parse(text);
      return key != null ? table.contains(key) : others.containsKey(text);
    }

    @Override
    public int size() {
      return table.size() + others.size();
    }

    @Override
    public Set<Map.Entry<String, Long>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return HexKeyedLongs.this.size();
        }

        @Override
        public Iterator<Map.Entry<String, Long>> iterator() {
          Iterator<long[]> packed = table.iterator();
          Iterator<Map.Entry<String, Long>> rest = others.entrySet().iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return packed.hasNext() || rest.hasNext();
            }

            @Override
            public Map.Entry<String, Long> next() {
              if (!packed.hasNext()) {
                return rest.next();
              }
              long[] entry = packed.next();
              return Map.entry(hex.text(entry), entry[hex.longs()]);
            }
          };
        }
      };
    }
  }

  private static final class LongSet extends AbstractSet<Long> {
    private final Table table;

    LongSet(Table table) {
      this.table = table;
    }

    @Override
    public boolean add(Long value) {
      return table.put(new long[] {value});
    }

    @Override
    public boolean contains(Object value) {
      return value instanceof Long number && table.contains(new long[] {number});
    }

    @Override
    public int size() {
      return table.size();
    }

    @Override
    public Iterator<Long> iterator() {
      Iterator<long[]> packed = table.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return packed.hasNext();
        }

        @Override
        public Long next() {
          return packed.next()[0];
        }
      };
    }
  }
}
