package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.RemoteDecision;
import dev.autoupload.engine.upload.RemoteState;
import java.time.Instant;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The pure decisions that say "backed up", "already there" or "skip", over every combination of
 * their inputs: each must hold to the rules that make "backed up" true.
 */
class DecisionProperties {

  private static final String A = "a".repeat(64);
  private static final String B = "b".repeat(64);

  @Property
  void onlyTheSameContentIsEverAlreadyThereAndABackupIsNeverReplaced(
      @ForAll boolean sameSize,
      @ForAll boolean sameContent,
      @ForAll boolean sha256Known,
      @ForAll boolean md5Known,
      @ForAll ConflictPolicy policy,
      @ForAll boolean mayHoldBackup,
      @ForAll boolean atKeepBothPath,
      @ForAll boolean atTheLongerKeepBothPath) {
    String planned = "2023/05/IMG_0001.JPG";
    String path =
        !atKeepBothPath ? planned
            : atTheLongerKeepBothPath ? RemoteLayout.keepBothPathAgain(planned, A) : RemoteLayout.keepBothPath(planned, A);
    String remoteSha = sameContent ? A : B;
    String remoteMd5 = sameContent ? "m".repeat(32) : "n".repeat(32);
    RemoteState.Complete remote =
        new RemoteState.Complete(
            sameSize ? 100 : 99,
            sha256Known ? Optional.of(remoteSha) : Optional.empty(),
            md5Known ? Optional.of(remoteMd5) : Optional.empty());
    RemoteDecision.Found found =
        new RemoteDecision.Found(path, planned, atKeepBothPath, 100, A, "m".repeat(32), remote, policy, mayHoldBackup);

    RemoteDecision decision = RemoteDecision.decide(found);

    boolean knownSame = sameSize && sameContent && (sha256Known || md5Known);
    assertThat(decision instanceof RemoteDecision.AlreadyThere).as("already there exactly when known the same").isEqualTo(knownSame);
    assertThat(decision.reason()).isNotBlank();
    if (decision instanceof RemoteDecision.Replace) {
      assertThat(policy).isEqualTo(ConflictPolicy.OVERWRITE);
      assertThat(mayHoldBackup).as("a backup is never replaced").isFalse();
    }
    boolean knownDifferent = !sameSize || ((sha256Known || md5Known) && !sameContent);
    if (decision instanceof RemoteDecision.Decline) {
      assertThat(policy).isEqualTo(ConflictPolicy.SKIP);
      assertThat(knownDifferent).as("declined only when known to differ").isTrue();
    }
    if (decision instanceof RemoteDecision.KeepBoth keepBoth) {
      assertThat(atKeepBothPath && atTheLongerKeepBothPath).as("no third name after the longer one").isFalse();
      assertThat(keepBoth.remotePath())
          .isEqualTo(atKeepBothPath ? RemoteLayout.keepBothPathAgain(planned, A) : RemoteLayout.keepBothPath(planned, A))
          .isNotEqualTo(planned)
          .isNotEqualTo(path);
      assertThat(knownDifferent).as("both kept only when known to differ").isTrue();
    }
    if (!knownSame && !knownDifferent) {
      assertThat(decision).as("a file that may be the same is never kept twice or skipped")
          .isInstanceOfAny(RemoteDecision.Conflict.class, RemoteDecision.Replace.class);
    }
  }

  @Property
  void anAssetIsAnAliasExactlyWhenItsContentIsBackedUpAndFilesOfItsSizeWaitForItWhenItGoesUnread(
      @ForAll boolean contentKnown,
      @ForAll boolean contentBackedUp,
      @ForAll boolean sizeBackedUp,
      @ForAll @IntRange(min = 1, max = 3) int pendingOfSize,
      @ForAll boolean anotherUnreadOfSize,
      @ForAll boolean contentUploadingElsewhere,
      @ForAll boolean sizeUploadingElsewhere,
      @ForAll boolean uploadEachCopy) {
    Asset found =
        new Asset(
            "id-1", "lib", "a.jpg", 100, Instant.EPOCH, CreationDateSource.FILE_TIME, Instant.EPOCH, Optional.empty(),
            contentKnown ? Optional.of(A) : Optional.empty());
    Ledger ledger = Ledger.empty();
    if (contentBackedUp || sizeBackedUp) {
      Asset other =
          new Asset("id-2", "lib", "b.jpg", 100, Instant.EPOCH, CreationDateSource.FILE_TIME, Instant.EPOCH, Optional.empty());
      ledger =
          ledger.with(
              new BackupSupervisor.AssetBackedUp(
                  other.id(), other.version(), contentBackedUp ? A : B, sizeBackedUp || contentBackedUp ? 100 : 7,
                  Optional.of("b.jpg"), Instant.EPOCH));
    }
    Placement.Run run =
        new Placement.Run() {
          @Override
          public Optional<String> unreadOfSize(long size) {
            return anotherUnreadOfSize ? Optional.of("id-3") : Optional.empty();
          }

          @Override
          public Optional<String> uploaderOf(String content) {
            return contentUploadingElsewhere ? Optional.of("id-4") : Optional.empty();
          }

          @Override
          public int pendingOfSize(long size) {
            return pendingOfSize;
          }

          @Override
          public Optional<String> uploadingOfSize(long size) {
            return sizeUploadingElsewhere && pendingOfSize > 1 ? Optional.of("id-5") : Optional.empty();
          }
        };

    Placement placement = Placement.of(found, ledger, run, uploadEachCopy);

    assertThat(placement.reason()).isNotBlank();
    if (uploadEachCopy) {
      assertThat(placement).isInstanceOf(Placement.Upload.class);
      return;
    }
    assertThat(placement instanceof Placement.Alias).isEqualTo(contentKnown && contentBackedUp);
    if (placement instanceof Placement.Upload upload) {
      assertThat(upload.unread()).as("files of its size wait for an upload of unknown content").isEqualTo(!contentKnown);
      assertThat(anotherUnreadOfSize).as("never beside an unread file it may copy").isFalse();
      if (!contentKnown) {
        assertThat(sizeUploadingElsewhere && pendingOfSize > 1).as("never unread beside an upload it may copy").isFalse();
      }
      if (contentKnown) {
        assertThat(contentUploadingElsewhere).as("never the same content twice at once").isFalse();
        assertThat(upload.content()).hasValue(A);
      }
    }
  }

  @Property
  void anUploadOfUnknownContentNeverPublishesAContentAlreadyBackedUp(
      @ForAll boolean contentKnown, @ForAll boolean streamedBackedUp, @ForAll boolean streamedAsIdentified) {
    String streamed = streamedAsIdentified ? A : B;
    Asset asset =
        new Asset(
            "id-1", "lib", "a.jpg", 100, Instant.EPOCH, CreationDateSource.FILE_TIME, Instant.EPOCH, Optional.empty(),
            contentKnown ? Optional.of(A) : Optional.empty());
    Ledger ledger = Ledger.empty();
    if (streamedBackedUp) {
      ledger = ledger.with(new BackupSupervisor.AssetBackedUp("id-2", asset.version(), streamed, 100, Optional.of("b.jpg"), Instant.EPOCH));
    }

    Optional<String> refusal = FileUpload.copyLearntLate(asset, streamed, ledger.knownBackups());

    assertThat(refusal.isPresent()).as("refused exactly when learnt late and backed up").isEqualTo(!contentKnown && streamedBackedUp);
    refusal.ifPresent(reason -> assertThat(reason).contains("a.jpg"));
  }
}
