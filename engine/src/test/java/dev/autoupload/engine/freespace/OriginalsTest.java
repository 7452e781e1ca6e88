package dev.autoupload.engine.freespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.freespace.AfterBackup.Action;
import dev.autoupload.engine.freespace.Decision.Reason;
import dev.autoupload.engine.freespace.Originals.Facts;
import dev.autoupload.engine.internal.ConfigSettings;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.Proof;
import dev.autoupload.engine.verify.Proof.Evidence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cases a careless change would most likely break, each named for what the user would lose. */
class OriginalsTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String SHA = "a".repeat(64);
  private static final Facts FILE = new Facts(10, Instant.parse("2024-01-01T00:00:00Z"), Optional.of("2049:77:t1"));
  private static final AfterBackup DELETE_AFTER_30 = new AfterBackup(new Action.DeleteAfter(30), Evidence.SHA256_REPORTED);
  private static final AfterBackup MOVE = new AfterBackup(new Action.MoveTo(Path.of("/archive")), Evidence.SHA256_REPORTED);
  private static final Optional<Instant> LONG_AGO = Optional.of(NOW.minus(Duration.ofDays(31)));

  private static FileVerdict same(Evidence evidence) {
    return new FileVerdict("2024/a.jpg", Mark.SAME, Optional.of("2024/a.jpg"), "same", Optional.of(new Proof(evidence, SHA)));
  }

  private static Decision decide(AfterBackup setting, FileVerdict verdict, Optional<Facts> now, Optional<Instant> backedUpAt) {
    return Originals.decide(setting, verdict, FILE, now, backedUpAt, NOW);
  }

  @Test
  void aProvenUnchangedOldEnoughOriginalIsDeletedAgainstItsProvenHash() {
    assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_REPORTED), Optional.of(FILE), LONG_AGO))
        .isEqualTo(new Decision.Delete(SHA));
    assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_READ_BACK), Optional.of(FILE), LONG_AGO))
        .isEqualTo(new Decision.Delete(SHA));
  }

  @Test
  void aProvenOriginalMovesUnderItsPathInTheLibrary() {
    assertThat(decide(MOVE, same(Evidence.SHA256_REPORTED), Optional.of(FILE), Optional.empty()))
        .isEqualTo(new Decision.Move(Path.of("/archive/2024/a.jpg"), SHA));
  }

  @Test
  void keepTouchesNothingWhateverWasProven() {
    assertThat(decide(AfterBackup.KEEP, same(Evidence.SHA256_READ_BACK), Optional.of(FILE), LONG_AGO))
        .isEqualTo(new Decision.Keep(Set.of(Reason.SETTING_IS_KEEP)));
  }

  @Test
  void aBackupThatALyingTargetMadeDifferOrThatIsMissingOrUncheckedKeepsTheOriginal() {
    for (Mark mark : new Mark[] {Mark.DIFFERS, Mark.MISSING, Mark.UNCHECKED}) {
      FileVerdict verdict = new FileVerdict("2024/a.jpg", mark, Optional.of("2024/a.jpg"), "sha256 bbbb there, aaaa here");
      assertThat(decide(DELETE_AFTER_30, verdict, Optional.of(FILE), LONG_AGO))
          .isEqualTo(new Decision.Keep(Set.of(Reason.NOT_PROVEN)));
    }
  }

  @Test
  void anMd5ProofKeepsTheOriginalUnlessTheSettingAcceptsMd5() {
    assertThat(decide(DELETE_AFTER_30, same(Evidence.MD5_REPORTED), Optional.of(FILE), LONG_AGO))
        .isEqualTo(new Decision.Keep(Set.of(Reason.PROOF_TOO_WEAK)));
    AfterBackup md5 = new AfterBackup(new Action.DeleteAfter(30), Evidence.MD5_REPORTED);
    assertThat(decide(md5, same(Evidence.MD5_REPORTED), Optional.of(FILE), LONG_AGO)).isEqualTo(new Decision.Delete(SHA));
  }

  @Test
  void aFileChangedSinceItWasVerifiedIsKeptEvenWhenOnlyItsInodeOrCtimeMoved() {
    for (Facts changed :
        new Facts[] {
          new Facts(11, FILE.modifiedAt(), FILE.changeStamp()),
          new Facts(10, FILE.modifiedAt().plusSeconds(1), FILE.changeStamp()),
          new Facts(10, FILE.modifiedAt(), Optional.of("2049:78:t1")),
          new Facts(10, FILE.modifiedAt(), Optional.of("2049:77:t2"))
        }) {
      assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_REPORTED), Optional.of(changed), LONG_AGO))
          .isEqualTo(new Decision.Keep(Set.of(Reason.CHANGED)));
    }
    assertThat(decide(MOVE, same(Evidence.SHA256_REPORTED), Optional.empty(), LONG_AGO))
        .isEqualTo(new Decision.Keep(Set.of(Reason.GONE)));
  }

  @Test
  void aFileWithoutAnIdentityIsKeptAsAChangeCouldGoUnseen() {
    Facts noStamp = new Facts(10, FILE.modifiedAt(), Optional.empty());
    assertThat(Originals.decide(MOVE, same(Evidence.SHA256_REPORTED), noStamp, Optional.of(noStamp), LONG_AGO, NOW))
        .isEqualTo(new Decision.Keep(Set.of(Reason.IDENTITY_UNKNOWN)));
  }

  @Test
  void anUnknownOrTooYoungBackupKeepsTheOriginalAndThirtyDaysToTheSecondIsOldEnough() {
    assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_REPORTED), Optional.of(FILE), Optional.empty()))
        .isEqualTo(new Decision.Keep(Set.of(Reason.BACKUP_TIME_UNKNOWN)));
    Instant exactly = NOW.minus(Duration.ofDays(30));
    assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_REPORTED), Optional.of(FILE), Optional.of(exactly.plusSeconds(1))))
        .isEqualTo(new Decision.Keep(Set.of(Reason.BACKUP_TOO_RECENT)));
    assertThat(decide(DELETE_AFTER_30, same(Evidence.SHA256_REPORTED), Optional.of(FILE), Optional.of(exactly)))
        .isEqualTo(new Decision.Delete(SHA));
  }

  @Test
  void everyReasonToKeepIsNamedNotJustTheFirst() {
    FileVerdict differs = new FileVerdict("a.jpg", Mark.DIFFERS, Optional.of("a.jpg"), "other content");
    assertThat(decide(DELETE_AFTER_30, differs, Optional.empty(), Optional.empty()))
        .isEqualTo(new Decision.Keep(Set.of(Reason.NOT_PROVEN, Reason.GONE, Reason.BACKUP_TIME_UNKNOWN)));
  }

  @Test
  void thePathCannotLeadOutOfTheMoveToFolder() {
    FileVerdict escaping =
        new FileVerdict("../../etc/a.jpg", Mark.SAME, Optional.of("a.jpg"), "same", Optional.of(new Proof(Evidence.SHA256_REPORTED, SHA)));
    assertThat(decide(MOVE, escaping, Optional.of(FILE), LONG_AGO)).isEqualTo(new Decision.Keep(Set.of(Reason.UNSAFE_PATH)));
  }

  @Test
  void theSettingsAreReadAndAMalformedOneIsRefusedNamingItsKey() {
    assertThat(settings("keep", "sha256")).isEqualTo(AfterBackup.KEEP);
    assertThat(settings("delete-after:30", "md5"))
        .isEqualTo(new AfterBackup(new Action.DeleteAfter(30), Evidence.MD5_REPORTED));
    assertThat(settings("move-to:/media/archive", "sha256").action()).isEqualTo(new Action.MoveTo(Path.of("/media/archive")));
    assertThat(ConfigSettings.afterBackup(ConfigFactory.load()).frees()).as("the default keeps everything").isFalse();
    for (String bad : new String[] {"delete", "delete-after:", "delete-after:-1", "delete-after:3d", "move-to:", "Keep", ""}) {
      assertThatThrownBy(() -> settings(bad, "sha256"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("autoupload.after-backup: \"" + bad + "\" is not valid");
    }
    assertThatThrownBy(() -> settings("keep", "crc32"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("autoupload.after-backup-proof: \"crc32\"");
  }

  private static AfterBackup settings(String action, String proof) {
    return ConfigSettings.afterBackup(ConfigFactory.parseMap(Map.of(AfterBackup.KEY, action, AfterBackup.PROOF_KEY, proof)));
  }
}
