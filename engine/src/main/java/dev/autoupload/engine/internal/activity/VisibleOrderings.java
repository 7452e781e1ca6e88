package dev.autoupload.engine.internal.activity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the journal can be read without skipping an event: the highest {@code ordering} below
 * which every number is either readable or given up for good.
 *
 * <p>The journal numbers its rows as they are inserted, but transactions commit in any order, so
 * a reader can see row 11 before row 10 exists for it. Reading past such a gap and remembering 11
 * as the offset would lose row 10 for ever. A number can also never appear: its insert was rolled
 * back, or a restart skipped a block of identity values. So a gap holds the reader back until it
 * fills, or until it has been seen for {@code giveUpAfter}, after which it is taken as skipped (the
 * journal plugin's own sequence reader decides alike, after {@code max-tries} × {@code query-delay}).
 *
 * <p>Immutable: {@link #next} is a pure function of what a query saw and the time, so it is proven
 * against a model of writers that commit out of order ({@code VisibleOrderingsProperties}).
 *
 * @param readable every ordering up to this one is readable or given up
 * @param gaps numbers above {@code readable} missing between orderings already seen, lowest
 *     first, each with when it was first seen missing
 */
record VisibleOrderings(long readable, List<Gap> gaps) {

  /** Orderings {@code from} to {@code to}, both included, missing since {@code since}. */
  record Gap(long from, long to, Instant since) {}

  VisibleOrderings {
    gaps = List.copyOf(gaps);
  }

  /** Nothing seen beyond {@code offset} yet. */
  static VisibleOrderings from(long offset) {
    return new VisibleOrderings(offset, List.of());
  }

  /**
   * What is readable after a query saw {@code seen}: orderings above {@link #readable()}, in
   * ascending order (a prefix of them: a query with a limit may see only the lowest).
   *
   * @param seen the orderings the query returned, ascending, each above {@code readable}
   * @param now when the query ran
   * @param giveUpAfter how long a number may stay missing before it counts as never coming
   */
  VisibleOrderings next(List<Long> seen, Instant now, Duration giveUpAfter) {
    long readableNow = readable;
    boolean heldBack = false;
    long previous = readable;
    List<Gap> missing = new ArrayList<>();
    for (long ordering : seen) {
      if (ordering <= previous) {
        throw new IllegalArgumentException("orderings must ascend above " + previous + ", got " + ordering);
      }
      for (Gap gap : missingBetween(previous + 1, ordering - 1, now)) {
        if (!heldBack && !gap.since().plus(giveUpAfter).isAfter(now)) {
          continue; // long enough: this number never comes
        }
        heldBack = true;
        missing.add(gap);
      }
      if (!heldBack) {
        readableNow = ordering;
      }
      previous = ordering;
    }
    // Gaps above the last number this query saw are not known to be gaps: a later query tells.
    return new VisibleOrderings(readableNow, missing);
  }

  /**
   * The numbers {@code from}..{@code to} as gaps, each part keeping the time an earlier query first
   * saw it missing, the rest missing since {@code now}.
   */
  private List<Gap> missingBetween(long from, long to, Instant now) {
    List<Gap> parts = new ArrayList<>();
    long cursor = from;
    for (Gap known : gaps) {
      if (cursor > to) {
        break;
      }
      if (known.to() < cursor || known.from() > to) {
        continue;
      }
      if (known.from() > cursor) {
        parts.add(new Gap(cursor, known.from() - 1, now));
        cursor = known.from();
      }
      long end = Math.min(known.to(), to);
      parts.add(new Gap(cursor, end, known.since()));
      cursor = end + 1;
    }
    if (cursor <= to) {
      parts.add(new Gap(cursor, to, now));
    }
    return parts;
  }

  /** True while a gap holds the reader back: the next query should come soon, to see it fill. */
  boolean waitingForGap() {
    return !gaps.isEmpty();
  }
}
