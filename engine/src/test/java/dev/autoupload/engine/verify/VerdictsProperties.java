package dev.autoupload.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.Verdicts.Judgement;
import dev.autoupload.engine.verify.Verdicts.Local;
import dev.autoupload.engine.verify.Verdicts.Place;
import dev.autoupload.engine.verify.Verdicts.Remote;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The verdict over its whole input space: every combination of sizes and hashes a file here and a
 * stored file there can have (generated exhaustively), and any list of places.
 */
class VerdictsProperties {

  private static final String SHA = "a".repeat(64);
  private static final String OTHER_SHA = "b".repeat(64);
  private static final String MD5 = "c".repeat(32);
  private static final String OTHER_MD5 = "d".repeat(32);

  @Provide
  Arbitrary<Local.Read> locals() {
    return Combinators.combine(Arbitraries.of(0L, 5L), Arbitraries.of(Optional.<String>empty(), Optional.of(MD5)))
        .as((size, md5) -> new Local.Read(size, SHA, md5));
  }

  @Provide
  Arbitrary<Remote.Stored> stored() {
    Arbitrary<Optional<String>> sha256 = Arbitraries.of(Optional.empty(), Optional.of(SHA), Optional.of(OTHER_SHA));
    Arbitrary<Optional<String>> md5 = Arbitraries.of(Optional.empty(), Optional.of(MD5), Optional.of(OTHER_MD5));
    return Combinators.combine(Arbitraries.of(0L, 5L, 6L), sha256, md5, sha256).as(Remote.Stored::new);
  }

  @Provide
  Arbitrary<Remote> remotes() {
    return Arbitraries.oneOf(
        stored().map(Remote.class::cast),
        Arbitraries.of(
            new Remote.Absent(),
            new Remote.Unfinished(3),
            new Remote.Failed("connection refused"),
            new Remote.Unknowable("cannot look files up by name")));
  }

  @Provide
  Arbitrary<List<Place>> places() {
    return Combinators.combine(Arbitraries.of("a.jpg", "b.jpg", "c~aaaaaaaa.jpg"), remotes())
        .as(Place::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  /** The hashes both sides know, as pairs of (there, here). */
  private static List<String[]> comparable(Local.Read local, Remote.Stored stored) {
    return Stream.of(
            stored.readBack().map(h -> new String[] {h, local.sha256()}),
            stored.sha256().map(h -> new String[] {h, local.sha256()}),
            stored.md5().flatMap(h -> local.md5().map(mine -> new String[] {h, mine})))
        .flatMap(Optional::stream)
        .toList();
  }

  @Property(generation = GenerationMode.EXHAUSTIVE)
  void aStoredFileIsTheSameOnlyWhenItsSizeAndEveryHashBothKnowAgreeAndOneDoes(
      @ForAll("locals") Local.Read local, @ForAll("stored") Remote.Stored stored) {
    List<String[]> hashes = comparable(local, stored);
    boolean sizeDiffers = stored.size() != local.size();
    boolean hashDiffers = hashes.stream().anyMatch(pair -> !pair[0].equals(pair[1]));

    Judgement judged = Verdicts.judge(local, new Place("x.jpg", stored));

    Mark expected =
        sizeDiffers || hashDiffers ? Mark.DIFFERS : hashes.isEmpty() ? Mark.UNCHECKED : Mark.SAME;
    assertThat(judged.mark()).isEqualTo(expected);
    assertThat(judged.reason()).startsWith("x.jpg ");
    if (expected == Mark.SAME) {
      // The strongest evidence names the proof: bytes read back, else a reported sha256, else an MD5.
      Proof.Evidence strongest =
          stored.readBack().isPresent()
              ? Proof.Evidence.SHA256_READ_BACK
              : stored.sha256().isPresent() ? Proof.Evidence.SHA256_REPORTED : Proof.Evidence.MD5_REPORTED;
      assertThat(judged.evidence()).hasValue(strongest);
    } else {
      assertThat(judged.evidence()).isEmpty();
    }
    if (sizeDiffers) {
      assertThat(judged.reason()).contains(stored.size() + " bytes there, " + local.size() + " here");
    } else if (hashDiffers) {
      assertThat(judged.reason()).contains("same size (" + local.size() + " bytes)").contains(" there, ").contains(" here");
    }
  }

  @Property(generation = GenerationMode.EXHAUSTIVE)
  void nothingThereIsMissingAndAnAnswerlessTargetLeavesItUnchecked(@ForAll("remotes") Remote remote) {
    Judgement judged = Verdicts.judge(new Local.Read(5, SHA, Optional.empty()), new Place("x.jpg", remote));

    if (remote instanceof Remote.Absent || remote instanceof Remote.Unfinished) {
      assertThat(judged.mark()).isEqualTo(Mark.MISSING);
    } else if (remote instanceof Remote.Failed failed) {
      assertThat(judged.mark()).isEqualTo(Mark.UNCHECKED);
      assertThat(judged.reason()).contains(failed.reason());
    } else if (remote instanceof Remote.Unknowable unknowable) {
      assertThat(judged).isEqualTo(new Judgement(Mark.UNCHECKED, unknowable.reason()));
    }
    assertThat(judged.reason()).isNotBlank();
  }

  @Property
  void aFileIsTheSameWhereverItsContentIsElseUncheckedWhereverItCouldBeElseAsItsFirstPlaceSays(
      @ForAll("locals") Local.Read local, @ForAll("places") List<Place> places) {
    List<Judgement> judged = places.stream().map(place -> Verdicts.judge(local, place)).toList();

    FileVerdict verdict = Verdicts.verdict("photo.jpg", local, places);

    Mark expected =
        judged.stream().anyMatch(j -> j.mark() == Mark.SAME)
            ? Mark.SAME
            : judged.stream().anyMatch(j -> j.mark() == Mark.UNCHECKED) ? Mark.UNCHECKED : judged.get(0).mark();
    assertThat(verdict.mark()).isEqualTo(expected);
    assertThat(verdict.path()).isEqualTo("photo.jpg");
    int chosen = judged.indexOf(judged.stream().filter(j -> j.mark() == expected).findFirst().orElseThrow());
    assertThat(verdict.remotePath()).hasValue(places.get(chosen).remotePath());
    assertThat(verdict.reason()).isEqualTo(judged.get(chosen).reason());
    assertThat(verdict.proof())
        .isEqualTo(judged.get(chosen).evidence().map(evidence -> new Proof(evidence, local.sha256())));
  }

  @Property
  void aFileThatCannotBeReadHereIsUncheckedWhateverTheTargetHolds(@ForAll("places") List<Place> places) {
    FileVerdict verdict = Verdicts.verdict("photo.jpg", new Local.Unreadable("gone"), places);

    assertThat(verdict).isEqualTo(new FileVerdict("photo.jpg", Mark.UNCHECKED, Optional.empty(), "cannot read it here: gone"));
  }
}
