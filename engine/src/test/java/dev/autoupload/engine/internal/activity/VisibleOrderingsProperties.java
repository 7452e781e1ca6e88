package dev.autoupload.engine.internal.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The Activity reader against a model of the journal: writers take orderings as they insert and
 * commit or roll back in any order, each within {@link #LONGEST_TRANSACTION}; the reader queries
 * at random times, with a limit, and reads every committed ordering up to what {@link
 * VisibleOrderings} calls readable, as the projection does. Over random histories it must never
 * read past a transaction that may still commit (which would lose its event), read every committed
 * event exactly once and in order, and in the end catch up with the journal.
 */
class VisibleOrderingsProperties {

  private static final Duration GIVE_UP = Duration.ofSeconds(10);
  private static final Duration LONGEST_TRANSACTION = Duration.ofSeconds(8);
  private static final int QUERY_LIMIT = 7;

  @Property(tries = 2000, seed = "20261203")
  void neverSkipsAnEventAndCatchesUp(@ForAll long seed) {
    Random random = new Random(seed);
    Journal journal = new Journal();
    Instant now = Instant.parse("2026-12-03T10:00:00Z");
    VisibleOrderings visible = VisibleOrderings.from(0);
    List<Long> read = new ArrayList<>();
    int steps = 20 + random.nextInt(200);
    for (int step = 0; step < steps; step++) {
      now = now.plusMillis(random.nextInt(1500));
      journal.resolveOlderThan(now.minus(LONGEST_TRANSACTION), random);
      switch (random.nextInt(5)) {
        case 0, 1 -> journal.insert(now, 1 + random.nextInt(3));
        case 2 -> journal.resolveOne(random);
        default -> {
          visible = visible.next(journal.seenAbove(visible.readable(), QUERY_LIMIT), now, GIVE_UP);
          for (long open : journal.open.keySet()) {
            assertTrue(visible.readable() < open, "read past " + open + " while it may still commit: " + visible);
          }
          read.addAll(journal.committedBetween(read.isEmpty() ? 0 : read.get(read.size() - 1), visible.readable()));
        }
      }
    }
    journal.resolveOlderThan(Instant.MAX, random);
    for (int query = 0; query < 2 + journal.committed.size() / QUERY_LIMIT * 2; query++) {
      now = now.plus(GIVE_UP);
      visible = visible.next(journal.seenAbove(visible.readable(), QUERY_LIMIT), now, GIVE_UP);
      read.addAll(journal.committedBetween(read.isEmpty() ? 0 : read.get(read.size() - 1), visible.readable()));
    }
    assertEquals(new ArrayList<>(journal.committed), read, "every committed event once, in order");
    assertEquals(journal.committed.isEmpty() ? 0 : journal.committed.last(), visible.readable());
  }

  @Test
  void aGapHoldsTheReaderBackUntilItFillsOrHasBeenMissingLongEnough() {
    Instant start = Instant.parse("2026-12-03T10:00:00Z");
    VisibleOrderings visible = VisibleOrderings.from(0).next(List.of(1L, 2L, 4L, 5L), start, GIVE_UP);
    assertEquals(2, visible.readable());
    assertTrue(visible.waitingForGap());

    assertEquals(5, visible.next(List.of(3L, 4L, 5L), start.plusSeconds(1), GIVE_UP).readable(), "filled");
    VisibleOrderings stillMissing = visible.next(List.of(4L, 5L, 7L), start.plusSeconds(9), GIVE_UP);
    assertEquals(2, stillMissing.readable(), "3 may still commit");
    VisibleOrderings givenUp = stillMissing.next(List.of(4L, 5L, 7L), start.plusSeconds(10), GIVE_UP);
    assertEquals(5, givenUp.readable(), "3 missing for 10 s is skipped; 6, first missing at 9 s, is not");
    assertEquals(7, givenUp.next(List.of(7L), start.plusSeconds(19), GIVE_UP).readable());
  }

  /** The journal's orderings: taken by open transactions, then committed or gone. */
  private static final class Journal {
    private long nextOrdering = 1;
    /** Open transaction's ordering to when it was taken. */
    private final TreeMap<Long, Instant> open = new TreeMap<>();
    private final TreeSet<Long> committed = new TreeSet<>();

    void insert(Instant now, int rows) {
      for (int i = 0; i < rows; i++) {
        open.put(nextOrdering++, now);
      }
      if (nextOrdering % 17 == 0) {
        nextOrdering += 32; // a restart skips a block of identity values
      }
    }

    void resolveOne(Random random) {
      if (!open.isEmpty()) {
        List<Long> orderings = new ArrayList<>(open.keySet());
        resolve(orderings.get(random.nextInt(orderings.size())), random);
      }
    }

    void resolveOlderThan(Instant limit, Random random) {
      for (Long ordering : new ArrayList<>(open.keySet())) {
        if (open.get(ordering).isBefore(limit)) {
          resolve(ordering, random);
        }
      }
    }

    private void resolve(long ordering, Random random) {
      open.remove(ordering);
      if (random.nextInt(10) > 0) {
        committed.add(ordering); // else rolled back: the number never appears
      }
    }

    List<Long> seenAbove(long readable, int limit) {
      return committed.tailSet(readable, false).stream().limit(limit).toList();
    }

    List<Long> committedBetween(long after, long upTo) {
      return upTo <= after ? List.of() : new ArrayList<>(committed.subSet(after, false, upTo, true));
    }
  }
}
