package dev.autoupload.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The backlog (files waiting or uploading) as last seen in each hour, for the page's chart of the
 * last hours. Kept in memory since the endpoint started, from every status it computes: the
 * journal records uploads, not how long the queue was.
 */
final class Backlog {

  private final int hours;
  private final TreeMap<Instant, Long> lastByHour = new TreeMap<>();

  Backlog(int hours) {
    this.hours = hours;
  }

  synchronized void record(Instant at, long files) {
    Instant hour = at.truncatedTo(ChronoUnit.HOURS);
    lastByHour.put(hour, files);
    lastByHour.headMap(hour.minus(hours - 1L, ChronoUnit.HOURS)).clear();
  }

  /** For each of the {@code hours} hours from {@code from}, the last backlog seen in it, if any. */
  synchronized List<Optional<Long>> from(Instant from) {
    List<Optional<Long>> values = new ArrayList<>(hours);
    for (int hour = 0; hour < hours; hour++) {
      values.add(Optional.ofNullable(lastByHour.get(from.plus(hour, ChronoUnit.HOURS))));
    }
    return values;
  }
}
