package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.LibraryRules;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The planner and a library's rules over random libraries, rules and histories of the network and
 * the clock: it never starts what the rules forbid at that moment, never lets more than the
 * allowed uploads send, asks to be woken so nothing min-age holds waits for ever, and in the end
 * uploads exactly once every asset only-since does not leave out.
 */
class LibraryPlanRulesProperties {

  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
  private static final int SLOTS = 2;
  private static final UploadSettings SETTINGS =
      new UploadSettings(SLOTS, 1024, 8192, 3, Duration.ofSeconds(2), Duration.ofMinutes(5), 0);

  enum Kind {
    METERED,
    UNMETERED,
    TIME_PASSES,
    ONE_FINISHES
  }

  record Step(Kind kind, int seconds) {}

  @Provide
  Arbitrary<List<Asset>> libraries() {
    Arbitrary<Boolean> video = Arbitraries.of(true, false);
    Arbitrary<Long> ago = Arbitraries.longs().between(0, 7_200);
    Arbitrary<Boolean> ancient = Arbitraries.of(false, false, false, true);
    return Combinators.combine(video, ago, ancient).as(Spec::new).list().ofMinSize(1).ofMaxSize(12)
        .map(
            specs -> {
              List<Asset> assets = new ArrayList<>();
              for (int i = 0; i < specs.size(); i++) {
                Spec spec = specs.get(i);
                Instant taken = spec.ancient() ? Instant.parse("2020-01-01T00:00:00Z") : NOW.minusSeconds(spec.ago());
                // A size of its own each, so none can be a copy of another: uploads go unread.
                assets.add(
                    new Asset(
                        "id-" + i, "lib", "f" + i + (spec.video() ? ".mov" : ".jpg"), 1_000 + 500L * i, taken,
                        CreationDateSource.EXIF, taken, Optional.empty()));
              }
              return assets;
            });
  }

  record Spec(boolean video, long ago, boolean ancient) {}

  @Provide
  Arbitrary<LibraryRules> rules() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.of(true, false),
            Arbitraries.of(0L, 3_000L, 6_000L),
            Arbitraries.of(Duration.ZERO, Duration.ofMinutes(10), Duration.ofHours(1)),
            Arbitraries.of(Optional.<Instant>empty(), Optional.of(NOW.minus(Duration.ofDays(365)))))
        .as(LibraryRules::new);
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(1, 1_800))
        .as(Step::new)
        .list()
        .ofMaxSize(40);
  }

  /** The plan as the supervisor drives it, with the network, the clock and the uploads simulated. */
  private static final class Sim {
    final LibraryRules rules;
    LibraryPlan plan;
    Ledger ledger = Ledger.empty();
    Instant now = NOW;
    boolean metered;
    Optional<Instant> wake = Optional.empty();
    final Set<Asset> running = new LinkedHashSet<>();
    final Map<String, Integer> started = new HashMap<>();

    Sim(LibraryRules rules) {
      this.rules = rules;
      this.plan = LibraryPlan.start(new LibraryPlan.Settings("lib", SETTINGS, RemoteLayout.MIRROR, NameRules.POSIX, rules));
    }

    LibraryPlan.Context context() {
      return new LibraryPlan.Context(ledger, SLOTS, now, 0.5, metered);
    }

    void take(LibraryPlan.Step step) {
      plan = step.plan();
      for (LibraryPlan.Decision decision : step.decisions()) {
        if (decision instanceof LibraryPlan.Upload upload) {
          assertThat(rules.check(upload.asset(), metered, now).reasons())
              .as("started %s at %s, metered %s", upload.asset().relativePath(), now, metered)
              .isEmpty();
          assertThat(allowed().size()).as("uploads the rules let send, before one more starts").isLessThan(SLOTS);
          running.add(upload.asset());
          started.merge(upload.asset().id(), 1, Integer::sum);
        } else if (decision instanceof LibraryPlan.WakeAt at) {
          wake = Optional.of(at.at());
        } else if (decision instanceof LibraryPlan.Record record) {
          ledger = ledger.with(record.backedUp());
        }
      }
    }

    /**
     * The running uploads the rules do not pause now. More than the slots when a rule let paused
     * ones go again: the supervisor then lets only as many send ({@code RunningUploads#limit}), and
     * the plan starts none until they are fewer.
     */
    List<Asset> allowed() {
      return running.stream().filter(asset -> rules.check(asset, metered, now).allowed()).toList();
    }

    void network(boolean metered) {
      this.metered = metered;
      take(plan.fill(context()));
    }

    /** Time passes; the supervisor's timer fires if it was due. */
    void passes(Duration duration) {
      now = now.plus(duration);
      if (wake.isPresent() && !now.isBefore(wake.get())) {
        wake = Optional.empty();
        take(plan.wake(context()));
      }
    }

    boolean finishOne() {
      List<Asset> sending = allowed();
      if (sending.isEmpty()) {
        return false;
      }
      Asset asset = sending.get(0);
      running.remove(asset);
      RemoteFile file = new RemoteFile(asset.relativePath(), asset.size(), String.format("%064x", asset.size()));
      take(plan.finished(context(), asset.id(), new FileUpload.Uploaded(file, now, false)));
      return true;
    }
  }

  @Property(tries = 300, seed = "20261203")
  void theRulesHoldAtEveryStartAndEverythingNotLeftOutGoesOnceInTheEnd(
      @ForAll("libraries") List<Asset> assets, @ForAll("rules") LibraryRules rules, @ForAll("histories") List<Step> history) {
    Sim sim = new Sim(rules);
    sim.take(sim.plan.found(sim.context(), assets));
    sim.take(sim.plan.scanEnded(sim.context()));
    for (Step step : history) {
      switch (step.kind()) {
        case METERED -> sim.network(true);
        case UNMETERED -> sim.network(false);
        case TIME_PASSES -> sim.passes(Duration.ofSeconds(step.seconds()));
        case ONE_FINISHES -> sim.finishOne();
      }
    }

    // Then Wi-Fi, and time enough for every min-age: everything left goes, woken by the plan alone.
    sim.network(false);
    for (int round = 0; round < 10 * assets.size() + 10 && sim.plan.hasWork(); round++) {
      if (!sim.finishOne()) {
        sim.passes(Duration.ofMinutes(10));
      }
    }

    Set<String> expected =
        assets.stream().filter(asset -> !rules.leavesOut(asset)).map(Asset::id).collect(Collectors.toSet());
    assertThat(sim.plan.hasWork()).as("work left: %s", sim.plan.counts()).isFalse();
    assertThat(sim.started.keySet()).isEqualTo(expected);
    assertThat(sim.started.values()).allMatch(times -> times == 1);
    assertThat(sim.plan.counts().leftOutByOnlySince()).isEqualTo(assets.size() - expected.size());
    assertThat(sim.plan.counts().completed()).isEqualTo(expected.size());
  }
}
