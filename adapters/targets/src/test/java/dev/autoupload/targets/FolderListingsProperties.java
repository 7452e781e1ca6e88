package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The "absent" a folder listing answers, against a reference model of the server on random
 * histories: files this target uploads (opened, published or not, ended), files another client
 * adds and deletes, probes, and time passing. Whenever a probe is answered "absent" without asking
 * the server, the file is not there, or another client put it there after the listing in force was
 * asked for, at most 30 s ago; a file this target wrote is never answered "absent" from a listing
 * older than the write.
 */
class FolderListingsProperties {

  private static final String FOLDER = "/au/2026/12/";
  private static final List<String> NAMES = List.of("a.jpg", "b.jpg", "c.jpg");

  enum Kind { PROBE, OPEN, PUBLISH_AND_END, FAIL_AND_END, OTHER_ADDS, OTHER_DELETES, WAIT }

  record Step(Kind kind, String name, long waitSeconds) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.of(Kind.class),
                Arbitraries.of(NAMES),
                Arbitraries.of(0L, 1L, 10L, 29L, 30L, 31L, 60L))
            .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(tries = 2000)
  void absentIsNeverWrongButForWhatOthersAddedSinceAFreshListing(@ForAll("histories") List<Step> history) {
    long[] now = {1_000_000_000L};
    FolderListings listings = new FolderListings(() -> now[0]);
    Set<String> onServer = new HashSet<>();
    Map<String, Long> addedByOtherAt = new HashMap<>();
    Set<String> open = new HashSet<>();
    long[] listedAt = {Long.MIN_VALUE};
    List<String> trace = new ArrayList<>();
    FolderListings.Lister<RuntimeException> server =
        folder -> {
          listedAt[0] = now[0];
          trace.add("  listed " + onServer);
          return Optional.of(Set.copyOf(onServer));
        };

    for (Step step : history) {
      trace.add(step.toString());
      String name = step.name();
      switch (step.kind()) {
        case PROBE -> {
          boolean absent = listings.absent(FOLDER, name, server);
          if (absent) {
            assertThat(now[0] - listedAt[0]).as("age of the listing, %s", trace).isLessThanOrEqualTo(FolderListings.FRESH_FOR_NANOS);
            boolean addedSince = addedByOtherAt.containsKey(name) && addedByOtherAt.get(name) >= listedAt[0];
            assertThat(!onServer.contains(name) || addedSince)
                .as("%s answered absent, %s", name, trace)
                .isTrue();
          }
        }
        case OPEN -> {
          if (open.add(name)) {
            listings.writing(FOLDER, name);
          }
        }
        case PUBLISH_AND_END -> {
          if (open.remove(name)) {
            if (onServer.add(name)) { // Overwrite: F leaves a file that is there as it is
              addedByOtherAt.remove(name);
            }
            listings.written(FOLDER, name);
          }
        }
        case FAIL_AND_END -> {
          if (open.remove(name)) {
            listings.written(FOLDER, name);
          }
        }
        case OTHER_ADDS -> {
          if (onServer.add(name)) {
            addedByOtherAt.put(name, now[0]);
          }
        }
        case OTHER_DELETES -> {
          onServer.remove(name);
          addedByOtherAt.remove(name);
        }
        case WAIT -> now[0] += TimeUnit.SECONDS.toNanos(step.waitSeconds());
      }
    }
  }
}
