package dev.autoupload.engine.internal.library;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Sets of a ledger's base that hold a million entries in a few flat arrays instead of a million
 * objects: a {@link java.util.HashSet} of sha256 texts costs about 136 bytes an entry (node,
 * string, its bytes), of 16-digit fingerprints about 88, of boxed sizes about 48; these cost 32, 8
 * and 8 bytes an entry plus free slots. Loading a ledger of a million assets built three million
 * such objects, and the garbage collector copied each of them while the rest were built: most of
 * a restart's load. Insert-only, as the base is: built once, then only read, from any thread.
 */
final class CompactSets {

  private CompactSets() {}

  /**
   * Texts of {@code width} lowercase hex digits (a multiple of 16), packed into longs; any other
   * text goes to a plain set beside them, so the set holds exactly what was added.
   */
  static Set<String> hex(int width, int expected) {
    return new HexSet(width, expected);
  }

  /** A set of longs. */
  static Set<Long> longs(int expected) {
    return new LongSet(expected);
  }

  /**
   * Open addressing over keys of {@code k} longs, in one array; a slot of zeros is free, and the key
   * of all zeros is kept apart, so a probe touches one array only (a cache miss an insert into a
   * table of a million, not two).
   */
  private static final class Table {
    private final int k;
    private long[] keys;
    private int mask;
    private int size;
    private boolean zero;

    Table(int k, int expected) {
      this.k = k;
      int slots = 16;
      while (slots < (1 << 30) && slots * 2L < expected * 3L) {
        slots *= 2;
      }
      keys = new long[slots * k];
      mask = slots - 1;
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

    private boolean isFree(int slot) {
      int at = slot * k;
      for (int i = 0; i < k; i++) {
        if (keys[at + i] != 0) {
          return false;
        }
      }
      return true;
    }

    private boolean equalsAt(int slot, long[] key) {
      int at = slot * k;
      for (int i = 0; i < k; i++) {
        if (keys[at + i] != key[i]) {
          return false;
        }
      }
      return true;
    }

    boolean contains(long[] key) {
      if (isZero(key)) {
        return zero;
      }
      for (int slot = hash(key) & mask; !isFree(slot); slot = (slot + 1) & mask) {
        if (equalsAt(slot, key)) {
          return true;
        }
      }
      return false;
    }

    boolean add(long[] key) {
      if (isZero(key)) {
        boolean added = !zero;
        zero = true;
        return added;
      }
      int slot = hash(key) & mask;
      for (; !isFree(slot); slot = (slot + 1) & mask) {
        if (equalsAt(slot, key)) {
          return false;
        }
      }
      System.arraycopy(key, 0, keys, slot * k, k);
      // At most two thirds full, so a probe stays short.
      if (++size * 3L > (mask + 1) * 2L) {
        grow();
      }
      return true;
    }

    private void grow() {
      long[] old = keys;
      int oldSlots = mask + 1;
      keys = new long[oldSlots * 2 * k];
      mask = oldSlots * 2 - 1;
      size = 0;
      long[] key = new long[k];
      for (int slot = 0; slot < oldSlots; slot++) {
        System.arraycopy(old, slot * k, key, 0, k);
        if (!isZero(key)) {
          add(key);
        }
      }
    }

    /** Every key, the one of zeros first when it is held; each a new array. */
    Iterator<long[]> iterator() {
      return new Iterator<>() {
        private boolean zeroLeft = zero;
        private int slot = usedFrom(0);

        @Override
        public boolean hasNext() {
          return zeroLeft || slot >= 0;
        }

        @Override
        public long[] next() {
          if (zeroLeft) {
            zeroLeft = false;
            return new long[k];
          }
          if (slot < 0) {
            throw new NoSuchElementException();
          }
          long[] key = Arrays.copyOfRange(keys, slot * k, slot * k + k);
          slot = usedFrom(slot + 1);
          return key;
        }
      };
    }

    /** The first used slot from {@code slot} on, or -1. */
    private int usedFrom(int slot) {
      for (; slot <= mask; slot++) {
        if (!isFree(slot)) {
          return slot;
        }
      }
      return -1;
    }
  }

  private static final class HexSet extends AbstractSet<String> {
    private final int width;
    private final Table table;
    private final Set<String> others = new HashSet<>();

    HexSet(int width, int expected) {
      if (width <= 0 || width % 16 != 0) {
        throw new IllegalArgumentException("width " + width);
      }
      this.width = width;
      this.table = new Table(width / 16, expected);
    }

    /** The text's longs, or null when it is not {@code width} lowercase hex digits. */
    private long[] parse(Object text) {
      if (!(text instanceof String string) || string.length() != width) {
        return null;
      }
      long[] key = new long[width / 16];
      for (int i = 0; i < width; i++) {
        char c = string.charAt(i);
        int digit;
        if (c >= '0' && c <= '9') {
          digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
          digit = c - 'a' + 10;
        } else {
          return null;
        }
        key[i >>> 4] = key[i >>> 4] << 4 | digit;
      }
      return key;
    }

    @Override
    public boolean add(String text) {
      long[] key = parse(text);
      return key != null ? table.add(key) : others.add(text);
    }

    @Override
    public boolean contains(Object text) {
      long[] key = parse(text);
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
          if (!packed.hasNext()) {
            return rest.next();
          }
          StringBuilder text = new StringBuilder(width);
          for (long part : packed.next()) {
            text.append(HexFormat.of().toHexDigits(part));
          }
          return text.toString();
        }
      };
    }
  }

  private static final class LongSet extends AbstractSet<Long> {
    private final Table table;

    LongSet(int expected) {
      this.table = new Table(1, expected);
    }

    @Override
    public boolean add(Long value) {
      return table.add(new long[] {value});
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
