package dev.autoupload.engine.freespace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.freespace.AfterBackup.Action;
import dev.autoupload.engine.freespace.Decision.Reason;
import dev.autoupload.engine.freespace.Originals.Facts;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.Proof;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link Originals#decide} against a tiny reference model, on seeded random verdicts, proofs, file
 * histories, backup ages and settings: an original is touched exactly when every guarantee holds.
 */
class OriginalsProperties {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final Path ARCHIVE = Path.of("/archive");
  private static final String SHA = "a".repeat(64);

  /** One case: the setting, this run's verdict, the file then and now, the backup's time. */
  record Case(AfterBackup setting, FileVerdict verdict, Facts verified, Optional<Facts> now, Optional<Instant> backedUpAt) {}

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Action> actions =
        Arbitraries.oneOf(
            Arbitraries.just(new Action.Keep()),
            Arbitraries.just(new Action.MoveTo(ARCHIVE)),
            Arbitraries.integers().between(0, 40).map(Action.DeleteAfter::new));
    Arbitrary<AfterBackup> settings =
        Combinators.combine(actions, Arbitraries.of(Proof.Evidence.SHA256_REPORTED, Proof.Evidence.MD5_REPORTED))
            .as(AfterBackup::new);
    Arbitrary<String> paths = Arbitraries.of("a.jpg", "2024/05/b.mov", "../up.jpg", "x/../../y.jpg", "/abs.jpg", "c/./d.jpg");
    Arbitrary<FileVerdict> verdicts =
        Combinators.combine(paths, Arbitraries.of(Mark.class), Arbitraries.of(Proof.Evidence.class))
            .as((path, mark, evidence) -> mark == Mark.SAME
                ? new FileVerdict(path, mark, Optional.of(path), "same", Optional.of(new Proof(evidence, SHA)))
                : new FileVerdict(path, mark, Optional.of(path), "not same"));
    Arbitrary<Facts> facts =
        Combinators.combine(
                Arbitraries.of(10L, 11L),
                Arbitraries.of(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-01T00:00:01Z")),
                Arbitraries.of(Optional.<String>empty(), Optional.of("1:2:t1"), Optional.of("1:3:t1"), Optional.of("1:2:t2")))
            .as(Facts::new);
    // Whole days hit the delete-after boundary exactly; odd hours fall either side of it.
    Arbitrary<Optional<Instant>> backedUpAt =
        Arbitraries.oneOf(
                Arbitraries.integers().between(0, 40).map(days -> Duration.ofDays(days)),
                Arbitraries.integers().between(0, 1000).map(hours -> Duration.ofHours(hours)))
            .map(age -> NOW.minus(age))
            .optional(0.9);
    return Combinators.combine(settings, verdicts, facts, facts.optional(0.8), backedUpAt)
        .as(Case::new)
        .flatMap(c -> Arbitraries.of(true, false)
            .map(unchanged -> unchanged && c.now().isPresent()
                ? new Case(c.setting(), c.verdict(), c.verified(), Optional.of(c.verified()), c.backedUpAt())
                : c));
  }

  /** The model: each rule written as plainly as the issue states it. */
  private static List<Reason> model(Case c) {
    List<Reason> reasons = new ArrayList<>();
    if (c.setting().action() instanceof Action.Keep) {
      return List.of(Reason.SETTING_IS_KEEP);
    }
    boolean same = c.verdict().mark() == Mark.SAME;
    if (!same) {
      reasons.add(Reason.NOT_PROVEN);
    } else {
      Proof.Evidence evidence = c.verdict().proof().orElseThrow().evidence();
      boolean strongEnough = c.setting().weakestProof() == Proof.Evidence.MD5_REPORTED || evidence != Proof.Evidence.MD5_REPORTED;
      if (!strongEnough) {
        reasons.add(Reason.PROOF_TOO_WEAK);
      }
    }
    if (c.now().isEmpty()) {
      reasons.add(Reason.GONE);
    } else if (c.now().get().size() != c.verified().size()
        || !c.now().get().modifiedAt().equals(c.verified().modifiedAt())
        || !c.now().get().changeStamp().equals(c.verified().changeStamp())) {
      reasons.add(Reason.CHANGED);
    } else if (c.verified().changeStamp().isEmpty()) {
      reasons.add(Reason.IDENTITY_UNKNOWN);
    }
    if (c.setting().action() instanceof Action.DeleteAfter delete) {
      if (c.backedUpAt().isEmpty()) {
        reasons.add(Reason.BACKUP_TIME_UNKNOWN);
      } else if (Duration.between(c.backedUpAt().get(), NOW).compareTo(Duration.ofDays(delete.days())) < 0) {
        reasons.add(Reason.BACKUP_TOO_RECENT);
      }
    }
    if (c.setting().action() instanceof Action.MoveTo) {
      List<String> segments = List.of(c.verdict().path().split("/", -1));
      if (c.verdict().path().startsWith("/") || segments.contains("..") || segments.contains(".")) {
        reasons.add(Reason.UNSAFE_PATH);
      }
    }
    return reasons;
  }

  @Property(tries = 3000)
  void anOriginalIsTouchedExactlyWhenEveryGuaranteeHoldsAndEveryReasonToKeepItIsNamed(@ForAll("cases") Case c) {
    Decision decision = Originals.decide(c.setting(), c.verdict(), c.verified(), c.now(), c.backedUpAt(), NOW);

    List<Reason> expected = model(c);
    if (!expected.isEmpty()) {
      assertThat(decision).isEqualTo(new Decision.Keep(java.util.Set.copyOf(expected)));
    } else if (c.setting().action() instanceof Action.MoveTo) {
      assertThat(decision).isEqualTo(new Decision.Move(ARCHIVE.resolve(c.verdict().path()), SHA));
    } else {
      assertThat(decision).isEqualTo(new Decision.Delete(SHA));
    }
  }

  @Property(tries = 3000)
  void nothingButAProvenUnchangedFileIsEverTouched(@ForAll("cases") Case c) {
    Decision decision = Originals.decide(c.setting(), c.verdict(), c.verified(), c.now(), c.backedUpAt(), NOW);

    if (!(decision instanceof Decision.Keep)) {
      assertThat(c.verdict().mark()).isEqualTo(Mark.SAME);
      assertThat(c.now()).hasValue(c.verified());
      assertThat(c.verified().changeStamp()).isPresent();
      assertThat(c.verdict().proof().orElseThrow().evidence().atLeast(c.setting().weakestProof())).isTrue();
    }
    if (decision instanceof Decision.Move move) {
      assertThat(move.to().startsWith(ARCHIVE) && !move.to().equals(ARCHIVE)).as("%s", move.to()).isTrue();
    }
  }
}
