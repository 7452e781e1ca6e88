package dev.autoupload.engine.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.Verdicts.Local;
import dev.autoupload.engine.verify.Verdicts.Place;
import dev.autoupload.engine.verify.Verdicts.Remote;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each rule of the verdict, by example, with the reason the user reads. */
class VerdictsTest {

  private static final String SHA = "a".repeat(64);
  private static final String OTHER_SHA = "b".repeat(64);
  private static final String MD5 = "c".repeat(32);
  private static final String OTHER_MD5 = "d".repeat(32);
  private static final Local.Read HERE = new Local.Read(5, SHA, Optional.of(MD5));
  private static final String AT = "2024/05/IMG_0001.jpg";

  private static Remote stored(long size, Optional<String> sha256, Optional<String> md5, Optional<String> readBack) {
    return new Remote.Stored(size, sha256, md5, readBack);
  }

  private static Verdicts.Judgement judge(Local.Read local, Remote remote) {
    return Verdicts.judge(local, new Place(AT, remote));
  }

  @Test
  void theSameSizeAndSha256AreTheSameFile() {
    Verdicts.Judgement judged = judge(HERE, stored(5, Optional.of(SHA), Optional.empty(), Optional.empty()));

    assertThat(judged).isEqualTo(new Verdicts.Judgement(Mark.SAME, AT + " has the same size and sha256", Optional.of(Proof.Evidence.SHA256_REPORTED)));
  }

  @Test
  void anMd5IsEnoughWhereTheTargetTellsNothingElse() {
    assertThat(judge(HERE, stored(5, Optional.empty(), Optional.of(MD5.toUpperCase()), Optional.empty())))
        .isEqualTo(new Verdicts.Judgement(Mark.SAME, AT + " has the same size and MD5", Optional.of(Proof.Evidence.MD5_REPORTED)));
  }

  @Test
  void bytesReadBackWithTheSameSha256AreTheSameFile() {
    assertThat(judge(HERE, stored(5, Optional.empty(), Optional.empty(), Optional.of(SHA))))
        .isEqualTo(new Verdicts.Judgement(Mark.SAME, AT + " has the same size and sha256 (read back)", Optional.of(Proof.Evidence.SHA256_READ_BACK)));
  }

  @Test
  void anotherSizeIsOtherContentWhateverTheHashesSay() {
    assertThat(judge(HERE, stored(3, Optional.of(SHA), Optional.of(MD5), Optional.empty())))
        .isEqualTo(new Verdicts.Judgement(Mark.DIFFERS, AT + " holds other content: 3 bytes there, 5 here"));
  }

  @Test
  void anotherSha256OfTheSameSizeIsOtherContentNamingBothHashes() {
    Verdicts.Judgement judged = judge(HERE, stored(5, Optional.of(OTHER_SHA), Optional.empty(), Optional.empty()));

    assertThat(judged.mark()).isEqualTo(Mark.DIFFERS);
    assertThat(judged.reason())
        .isEqualTo(
            AT + " holds other content of the same size (5 bytes): sha256 bbbbbbbbbbbbbbbb… there, aaaaaaaaaaaaaaaa… here");
  }

  @Test
  void bytesReadBackOutweighAHashTheTargetKeptFromBefore() {
    Verdicts.Judgement judged = judge(HERE, stored(5, Optional.of(SHA), Optional.empty(), Optional.of(OTHER_SHA)));

    assertThat(judged.mark()).isEqualTo(Mark.DIFFERS);
    assertThat(judged.reason()).contains("sha256 (read back) bbbbbbbbbbbbbbbb… there");
  }

  @Test
  void anyHashThatDiffersMakesItOtherContent() {
    assertThat(judge(HERE, stored(5, Optional.of(SHA), Optional.of(OTHER_MD5), Optional.empty())).mark())
        .isEqualTo(Mark.DIFFERS);
  }

  @Test
  void aFileOfTheSameSizeWithoutAnyHashCannotBeTold() {
    assertThat(judge(HERE, stored(5, Optional.empty(), Optional.empty(), Optional.empty())))
        .isEqualTo(
            new Verdicts.Judgement(
                Mark.UNCHECKED, AT + " has the same size, but the target tells no hash of it and cannot read it back"));
  }

  @Test
  void anMd5NotComputedHereCannotBeCompared() {
    Local.Read withoutMd5 = new Local.Read(5, SHA, Optional.empty());

    assertThat(judge(withoutMd5, stored(5, Optional.empty(), Optional.of(MD5), Optional.empty())).mark())
        .isEqualTo(Mark.UNCHECKED);
  }

  @Test
  void nothingOrAnUnfinishedUploadIsMissing() {
    assertThat(judge(HERE, new Remote.Absent()))
        .isEqualTo(new Verdicts.Judgement(Mark.MISSING, "not on the target at " + AT));
    assertThat(judge(HERE, new Remote.Unfinished(2)))
        .isEqualTo(new Verdicts.Judgement(Mark.MISSING, "only an unfinished upload at " + AT + " (2 bytes)"));
  }

  @Test
  void aTargetThatFailsOrCannotLookUpNamesLeavesItUnchecked() {
    assertThat(judge(HERE, new Remote.Failed("HTTP 503")))
        .isEqualTo(new Verdicts.Judgement(Mark.UNCHECKED, "the target failed on " + AT + ": HTTP 503"));
    assertThat(judge(HERE, new Remote.Unknowable("tus cannot look files up by name")))
        .isEqualTo(new Verdicts.Judgement(Mark.UNCHECKED, "tus cannot look files up by name"));
  }

  @Test
  void aFileThatCannotBeReadHereIsUncheckedWithoutATargetPlace() {
    FileVerdict verdict =
        Verdicts.verdict(
            "a.jpg",
            new Local.Unreadable("permission denied"),
            List.of(new Place(AT, stored(5, Optional.of(SHA), Optional.empty(), Optional.empty()))));

    assertThat(verdict)
        .isEqualTo(new FileVerdict("a.jpg", Mark.UNCHECKED, Optional.empty(), "cannot read it here: permission denied"));
  }

  @Test
  void anyPlaceHoldingTheContentMakesItTheSame() {
    FileVerdict verdict =
        Verdicts.verdict(
            "a.jpg",
            HERE,
            List.of(
                new Place("recorded.jpg", new Remote.Absent()),
                new Place("layout.jpg", new Remote.Failed("timeout")),
                new Place("layout~aaaaaaaa.jpg", stored(5, Optional.of(SHA), Optional.empty(), Optional.empty()))));

    assertThat(verdict.mark()).isEqualTo(Mark.SAME);
    assertThat(verdict.remotePath()).hasValue("layout~aaaaaaaa.jpg");
    assertThat(verdict.proof()).hasValue(new Proof(Proof.Evidence.SHA256_REPORTED, SHA));
  }

  @Test
  void aPlaceThatCouldNotBeCheckedOutweighsMissingAndOtherContent() {
    FileVerdict verdict =
        Verdicts.verdict(
            "a.jpg",
            HERE,
            List.of(
                new Place("layout.jpg", stored(4, Optional.empty(), Optional.empty(), Optional.empty())),
                new Place("layout~aaaaaaaa.jpg", new Remote.Failed("timeout"))));

    assertThat(verdict)
        .isEqualTo(
            new FileVerdict(
                "a.jpg", Mark.UNCHECKED, Optional.of("layout~aaaaaaaa.jpg"), "the target failed on layout~aaaaaaaa.jpg: timeout"));
  }

  @Test
  void otherwiseTheFirstPlaceWhereTheBackupShouldBeSays() {
    Place otherContent = new Place("layout.jpg", stored(4, Optional.empty(), Optional.empty(), Optional.empty()));
    Place nothing = new Place("layout~aaaaaaaa.jpg", new Remote.Absent());

    assertThat(Verdicts.verdict("a.jpg", HERE, List.of(otherContent, nothing)))
        .isEqualTo(
            new FileVerdict(
                "a.jpg", Mark.DIFFERS, Optional.of("layout.jpg"), "layout.jpg holds other content: 4 bytes there, 5 here"));
    assertThat(Verdicts.verdict("a.jpg", HERE, List.of(nothing, otherContent)))
        .isEqualTo(
            new FileVerdict(
                "a.jpg", Mark.MISSING, Optional.of("layout~aaaaaaaa.jpg"), "not on the target at layout~aaaaaaaa.jpg"));
  }

  @Test
  void aReadFileNeedsAPlaceToBeJudged() {
    assertThatThrownBy(() -> Verdicts.verdict("a.jpg", HERE, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a.jpg");
  }

  @Test
  void theBackupIsLookedForWhereTheJournalSaysThenUnderTheLayoutThenBesideIt() {
    assertThat(Verdicts.places(Optional.of("2024/05/IMG~11111111.jpg"), "2024/05/IMG.jpg", SHA))
        .containsExactly(
            "2024/05/IMG~11111111.jpg", "2024/05/IMG.jpg", "2024/05/IMG~aaaaaaaa.jpg", "2024/05/IMG~aaaaaaaaaaaaaaaa.jpg");
    assertThat(Verdicts.places(Optional.empty(), "2024/05/IMG.jpg", SHA))
        .containsExactly(
            "2024/05/IMG.jpg",
            RemoteLayout.keepBothPath("2024/05/IMG.jpg", SHA),
            RemoteLayout.keepBothPathAgain("2024/05/IMG.jpg", SHA));
    assertThat(Verdicts.places(Optional.of("2024/05/IMG~aaaaaaaa.jpg"), "2024/05/IMG.jpg", SHA))
        .containsExactly("2024/05/IMG~aaaaaaaa.jpg", "2024/05/IMG.jpg", "2024/05/IMG~aaaaaaaaaaaaaaaa.jpg");
  }
}
