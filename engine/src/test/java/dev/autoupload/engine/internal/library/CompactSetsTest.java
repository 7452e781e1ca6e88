package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The compact sets and map against {@link HashSet} and {@link HashMap} as the references, on
 * seeded random histories of adds and lookups: a ledger that said "backed up" of a content it never
 * held, or of a version it never recorded, would skip a photo.
 */
class CompactSetsTest {

  @Test
  void aHexSetHoldsExactlyWhatWasAddedAsAHashSetWould() {
    for (int width : new int[] {16, 64}) {
      for (long seed = 1; seed <= 60; seed++) {
        Random random = new Random(seed * 31 + width);
        Set<String> compact = CompactSets.hex(width, random.nextInt(100));
        Set<String> reference = new HashSet<>();
        Set<String> copied = Set.of();
        Set<String> referenceWhenCopied = Set.of();
        List<String> seen = new java.util.ArrayList<>();
        for (int step = 0; step < 3000; step++) {
          if (random.nextInt(700) == 0) {
            // A ledger's new base: a copy with room for more, which goes on alone from here.
            copied = compact;
            referenceWhenCopied = new HashSet<>(reference);
            compact = CompactSets.copyOfHex(compact, width, compact.size() + random.nextInt(3000));
          }
          String text = random.nextInt(3) == 0 && !seen.isEmpty() ? seen.get(random.nextInt(seen.size())) : text(random, width);
          seen.add(text);
          if (random.nextInt(10) == 0) {
            List<String> texts = new ArrayList<>(List.of(text));
            for (int more = random.nextInt(40); more > 0; more--) {
              texts.add(random.nextInt(4) == 0 ? seen.get(random.nextInt(seen.size())) : text(random, width));
            }
            seen.addAll(texts);
            assertThat(compact.addAll(texts)).as("seed %d, addAll %s", seed, texts).isEqualTo(reference.addAll(texts));
          } else if (random.nextBoolean()) {
            assertThat(compact.add(text)).as("seed %d, add %s", seed, text).isEqualTo(reference.add(text));
          } else {
            assertThat(compact.contains(text)).as("seed %d, contains %s", seed, text).isEqualTo(reference.contains(text));
          }
          String other = text(random, width);
          assertThat(compact.contains(other)).as("seed %d, contains %s", seed, other).isEqualTo(reference.contains(other));
        }
        assertThat(compact).as("seed %d", seed).hasSameSizeAs(reference);
        assertThat(new HashSet<>(compact)).as("seed %d, iterated", seed).isEqualTo(reference);
        assertThat(new HashSet<>(copied)).as("seed %d, what was copied", seed).isEqualTo(referenceWhenCopied);
        assertThat(new HashSet<>(CompactSets.copyOfHex(reference, width, 0))).as("seed %d, a plain set copied", seed).isEqualTo(reference);
        assertThat(compact.contains(42L)).isFalse();
      }
    }
  }

  @Test
  void aLongSetHoldsExactlyWhatWasAddedAsAHashSetWould() {
    for (long seed = 1; seed <= 60; seed++) {
      Random random = new Random(seed);
      Set<Long> compact = CompactSets.longs(random.nextInt(100));
      Set<Long> reference = new HashSet<>();
      Set<Long> copied = Set.of();
      Set<Long> referenceWhenCopied = Set.of();
      for (int step = 0; step < 3000; step++) {
        if (random.nextInt(700) == 0) {
          copied = compact;
          referenceWhenCopied = new HashSet<>(reference);
          compact = CompactSets.copyOfLongs(compact, compact.size() + random.nextInt(3000));
        }
        long value =
            switch (random.nextInt(5)) {
              case 0 -> random.nextInt(50);
              case 1 -> random.nextLong();
              case 2 -> Long.MIN_VALUE + random.nextInt(3);
              case 3 -> -random.nextInt(50);
              default -> 64 + random.nextInt(4033) * 4096L;
            };
        if (random.nextBoolean()) {
          assertThat(compact.add(value)).as("seed %d, add %d", seed, value).isEqualTo(reference.add(value));
        } else {
          assertThat(compact.contains(value)).as("seed %d, contains %d", seed, value).isEqualTo(reference.contains(value));
        }
      }
      assertThat(compact).hasSameSizeAs(reference);
      assertThat(new HashSet<>(compact)).isEqualTo(reference);
      assertThat(new HashSet<>(copied)).as("seed %d, what was copied", seed).isEqualTo(referenceWhenCopied);
      assertThat(new HashSet<>(CompactSets.copyOfLongs(reference, 0))).as("seed %d, a plain set copied", seed).isEqualTo(reference);
      assertThat(compact.contains("0")).isFalse();
    }
  }

  @Test
  void aHexKeyedMapHoldsExactlyWhatWasPutAsAHashMapWould() {
    for (int width : new int[] {16, 32}) {
      for (long seed = 1; seed <= 60; seed++) {
        Random random = new Random(seed * 17 + width);
        Map<String, Long> compact = CompactSets.hexKeyed(width, random.nextInt(100));
        Map<String, Long> reference = new HashMap<>();
        Map<String, Long> copied = Map.of();
        Map<String, Long> referenceWhenCopied = Map.of();
        List<String> seen = new ArrayList<>();
        for (int step = 0; step < 3000; step++) {
          if (random.nextInt(700) == 0) {
            copied = compact;
            referenceWhenCopied = new HashMap<>(reference);
            compact = CompactSets.copyOfHexKeyed(compact, width, compact.size() + random.nextInt(3000));
          }
          String text = random.nextInt(3) == 0 && !seen.isEmpty() ? seen.get(random.nextInt(seen.size())) : text(random, width);
          seen.add(text);
          switch (random.nextInt(4)) {
            case 3 -> {
              // In order: a key given twice keeps its last value, as the ledger's last version wins.
              Map<String, Long> entries = new LinkedHashMap<>();
              for (int more = random.nextInt(40); more >= 0; more--) {
                String key = random.nextInt(4) == 0 ? seen.get(random.nextInt(seen.size())) : text(random, width);
                seen.add(key);
                entries.put(key, random.nextLong());
              }
              compact.putAll(entries);
              reference.putAll(entries);
            }
            case 0 -> {
              long value = random.nextInt(4) == 0 ? 0 : random.nextLong();
              assertThat(compact.put(text, value)).as("seed %d, put %s", seed, text).isEqualTo(reference.put(text, value));
            }
            case 1 -> assertThat(compact.get(text)).as("seed %d, get %s", seed, text).isEqualTo(reference.get(text));
            default ->
                assertThat(compact.containsKey(text)).as("seed %d, containsKey %s", seed, text).isEqualTo(reference.containsKey(text));
          }
          String other = text(random, width);
          assertThat(compact.get(other)).as("seed %d, get %s", seed, other).isEqualTo(reference.get(other));
        }
        assertThat(compact).as("seed %d", seed).hasSameSizeAs(reference);
        assertThat(new HashMap<>(compact)).as("seed %d, iterated", seed).isEqualTo(reference);
        assertThat(new HashMap<>(copied)).as("seed %d, what was copied", seed).isEqualTo(referenceWhenCopied);
        assertThat(new HashMap<>(CompactSets.copyOfHexKeyed(reference, width, 0)))
            .as("seed %d, a plain map copied", seed)
            .isEqualTo(reference);
        assertThat(compact.get(42L)).isNull();
        Map<String, Long> last = compact;
        assertThatThrownBy(() -> last.put(text(random, width), null)).isInstanceOf(NullPointerException.class);
      }
    }
  }

  /** Mostly canonical (lowercase hex of the width, all zeros now and then), sometimes not. */
  private static String text(Random random, int width) {
    StringBuilder hex = new StringBuilder();
    boolean zeros = random.nextInt(50) == 0;
    for (int i = 0; i < width; i++) {
      hex.append(zeros ? '0' : Character.forDigit(random.nextInt(16), 16));
    }
    return switch (random.nextInt(8)) {
      case 0 -> hex.toString().toUpperCase();
      case 1 -> hex.substring(1);
      case 2 -> hex + "0";
      case 3 -> hex.substring(0, width - 1) + "g";
      case 4 -> "";
      default -> hex.toString();
    };
  }
}
