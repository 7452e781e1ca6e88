package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The library planner's decisions, one rule at a time, without actors or I/O. */
class LibraryPlanTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final UploadSettings SETTINGS =
      new UploadSettings(4, 1024, 8192, 3, Duration.ofSeconds(2), Duration.ofMinutes(5), 0);

  private LibraryPlan plan = LibraryPlan.start(new LibraryPlan.Settings("lib", SETTINGS, RemoteLayout.MIRROR, NameRules.POSIX));
  private Ledger ledger = Ledger.empty();
  private int slots = 4;
  private final List<LibraryPlan.Decision> decided = new ArrayList<>();

  private static Asset asset(String path, long size, String stamp) {
    return new Asset(
        "id-" + path, "lib", path, size, NOW, CreationDateSource.FILE_TIME, NOW, Optional.of(stamp), Optional.empty());
  }

  private static String sha(char c) {
    return String.valueOf(c).repeat(64);
  }

  /** Takes a step: keeps its plan, applies its records to the ledger as the journal would, collects the rest. */
  private List<LibraryPlan.Decision> take(LibraryPlan.Step step) {
    plan = step.plan();
    for (LibraryPlan.Decision decision : step.decisions()) {
      if (decision instanceof LibraryPlan.Record record) {
        ledger = ledger.with(record.backedUp());
      }
    }
    decided.addAll(step.decisions());
    return step.decisions();
  }

  private LibraryPlan.Context context() {
    return new LibraryPlan.Context(ledger, slots, NOW, 0.5);
  }

  private List<LibraryPlan.Decision> found(Asset... assets) {
    return take(plan.found(context(), List.of(assets)));
  }

  private List<LibraryPlan.Decision> uploaded(Asset asset, String sha256) {
    RemoteFile file = new RemoteFile(asset.relativePath(), asset.size(), sha256);
    return take(plan.finished(context(), asset.id(), new FileUpload.Uploaded(file, NOW, false)));
  }

  private static <T extends LibraryPlan.Decision> List<T> only(List<LibraryPlan.Decision> decisions, Class<T> type) {
    return decisions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private void backedUpBefore(Asset asset, String sha256) {
    ledger = ledger.with(
        new BackupSupervisor.AssetBackedUp(
            asset.id(), asset.version(), sha256, asset.size(), Optional.of(asset.relativePath()), NOW));
  }

  @Test
  void anUnchangedVersionIsAlreadyBackedUpWithoutAReadOrAnUpload() {
    Asset photo = asset("a.jpg", 100, "s1");
    backedUpBefore(photo, sha('a'));

    assertThat(found(photo)).isEmpty();
    take(plan.scanEnded(context()));

    assertThat(plan.counts().discovered()).isEqualTo(1);
    assertThat(plan.counts().alreadyBackedUp()).isEqualTo(1);
    assertThat(plan.hasWork()).isFalse();
  }

  @Test
  void aNewFileOfASizeNothingElseHasGoesUnreadAndANewOneOfAKnownSizeIsReadFirst() {
    backedUpBefore(asset("old.jpg", 200, "s0"), sha('o'));
    Asset unique = asset("unique.jpg", 100, "s1");
    Asset sized = asset("sized.jpg", 200, "s2");

    List<LibraryPlan.Decision> decisions = found(unique, sized);

    assertThat(only(decisions, LibraryPlan.Upload.class))
        .containsExactly(new LibraryPlan.Upload(unique, "unique.jpg", UploadReason.NEW));
    assertThat(only(decisions, LibraryPlan.Identify.class)).containsExactly(new LibraryPlan.Identify(sized));
  }

  @Test
  void anotherVersionOfABackedUpPathIsUploadedAsChangedNeverCountedAlready() {
    Asset photo = asset("DSC_0001.JPG", 5000, "inode1:t1");
    backedUpBefore(photo, sha('a'));
    Asset reused = asset("DSC_0001.JPG", 6000, "inode2:t2");

    List<LibraryPlan.Decision> decisions = found(reused);
    uploaded(reused, sha('b'));

    assertThat(only(decisions, LibraryPlan.Upload.class))
        .containsExactly(new LibraryPlan.Upload(reused, "DSC_0001.JPG", UploadReason.CHANGED));
    assertThat(plan.counts().completed()).isEqualTo(1);
    assertThat(plan.counts().alreadyBackedUp()).isZero();
    assertThat(ledger.check(reused)).isEqualTo(Ledger.Known.UNCHANGED);
    assertThat(ledger.containsContent(sha('a'))).as("the earlier version stays recorded").isTrue();
  }

  @Test
  void anotherVersionWithTheSameContentIsAnAliasOfItself() {
    Asset photo = asset("a.jpg", 100, "inode1:t1");
    backedUpBefore(photo, sha('a'));
    Asset touched = asset("a.jpg", 100, "inode1:t2");

    List<LibraryPlan.Decision> read = found(touched);
    List<LibraryPlan.Decision> placed = take(plan.identified(context(), touched, LibraryPlan.Identity.of(sha('a'))));

    assertThat(only(read, LibraryPlan.Identify.class)).hasSize(1);
    assertThat(only(placed, LibraryPlan.Upload.class)).isEmpty();
    assertThat(only(placed, LibraryPlan.Record.class))
        .extracting(record -> record.backedUp().version(), record -> record.backedUp().remotePath())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(touched.version(), Optional.empty()));
    assertThat(plan.counts().alreadyBackedUp()).isEqualTo(1);
    assertThat(ledger.check(touched)).isEqualTo(Ledger.Known.UNCHANGED);
  }

  @Test
  void copiesFoundTogetherAreUploadedOnceAndTheOthersBecomeItsAliasesOnceItIsThere() {
    Asset first = asset("a.jpg", 100, "1");
    Asset copy = asset("b.jpg", 100, "2");
    found(first, copy);
    take(plan.identified(context(), first, LibraryPlan.Identity.of(sha('c'))));
    take(plan.identified(context(), copy, LibraryPlan.Identity.of(sha('c'))));

    assertThat(only(decided, LibraryPlan.Upload.class))
        .extracting(LibraryPlan.Upload::asset)
        .containsExactly(first.withContentHash(sha('c')));
    List<LibraryPlan.Decision> done = uploaded(first.withContentHash(sha('c')), sha('c'));

    assertThat(only(done, LibraryPlan.Record.class)).hasSize(2);
    assertThat(only(done, LibraryPlan.Record.class).get(1).backedUp().remotePath()).isEmpty();
    assertThat(plan.counts().completed()).isEqualTo(1);
    assertThat(plan.counts().alreadyBackedUp()).isEqualTo(1);
  }

  @Test
  void readsThatOvertakeEachOtherArePlacedInTheOrderFound() {
    Asset a = asset("a.jpg", 100, "1");
    Asset b = asset("b.jpg", 100, "2");
    found(a, b);

    List<LibraryPlan.Decision> early = take(plan.identified(context(), b, LibraryPlan.Identity.of(sha('b'))));
    List<LibraryPlan.Decision> inTurn = take(plan.identified(context(), a, LibraryPlan.Identity.of(sha('a'))));

    assertThat(only(early, LibraryPlan.Upload.class)).as("b waits for a, found before it").isEmpty();
    assertThat(only(inTurn, LibraryPlan.Upload.class))
        .extracting(upload -> upload.asset().relativePath())
        .containsExactly("a.jpg", "b.jpg");
  }

  @Test
  void twoUploadsToOneRemotePathNeverRunAtOnceWhateverTheCase() {
    Asset upper = asset("IMG.JPG", 100, "1");
    Asset lower = asset("img.jpg", 200, "2");

    List<LibraryPlan.Decision> decisions = found(upper, lower);
    List<LibraryPlan.Decision> afterFirst = uploaded(upper, sha('u'));

    assertThat(only(decisions, LibraryPlan.Upload.class)).extracting(LibraryPlan.Upload::asset).containsExactly(upper);
    assertThat(only(afterFirst, LibraryPlan.Upload.class)).extracting(LibraryPlan.Upload::asset).containsExactly(lower);
  }

  @Test
  void withoutUploadSlotsNothingIsReadOrStarted() {
    slots = 0;
    Asset a = asset("a.jpg", 100, "1");
    Asset b = asset("b.jpg", 100, "2");

    assertThat(found(a, b)).isEmpty();
    slots = 2;
    assertThat(only(take(plan.fill(context())), LibraryPlan.Identify.class)).hasSize(2);
  }

  @Test
  void aTransientFailureIsRetriedWithGrowingBackoffThenFailsForGoodWithTheLastError() {
    Asset a = asset("a.jpg", 100, "1");
    found(a);
    UploadError error = new UploadError.Transient("connection reset");
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= SETTINGS.maxAttempts(); attempt++) {
      List<LibraryPlan.Decision> decisions =
          take(plan.finished(context(), a.id(), new FileUpload.Failure(error, attempt)));
      only(decisions, LibraryPlan.RetryLater.class).forEach(retry -> delays.add(retry.delay()));
      if (attempt < SETTINGS.maxAttempts()) {
        assertThat(only(take(plan.retryDue(context(), a.id())), LibraryPlan.Upload.class)).hasSize(1);
      }
    }

    assertThat(delays).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
    assertThat(plan.counts().failed()).isEqualTo(1);
    assertThat(plan.counts().failures()).singleElement().satisfies(f -> assertThat(f.error()).isEqualTo(error));
    assertThat(plan.hasWork()).isFalse();
    assertThat(only(take(plan.retryFailed(context(), a.id())), LibraryPlan.Upload.class)).hasSize(1);
    assertThat(plan.counts().failed()).isZero();
  }

  @Test
  void aFullTargetStopsTheWholeLibraryUntilItsBlockersAreLifted() {
    Asset a = asset("a.jpg", 100, "1");
    Asset b = asset("b.jpg", 200, "2");
    slots = 1;
    found(a, b);

    List<LibraryPlan.Decision> decisions =
        take(plan.finished(context(), a.id(), new FileUpload.Failure(new UploadError.QuotaExceeded("507"), 1)));

    assertThat(only(decisions, LibraryPlan.StopLibrary.class))
        .singleElement()
        .satisfies(stop -> assertThat(stop.blocker()).isEqualTo(BlockerReason.TARGET_FULL));
    assertThat(only(decisions, LibraryPlan.Upload.class)).as("nothing starts while full").isEmpty();
    assertThat(plan.sendingLimit(4)).isZero();
    assertThat(only(take(plan.liftBlockers(context())), LibraryPlan.Upload.class))
        .extracting(upload -> upload.asset().relativePath())
        .containsExactly("a.jpg");
  }

  @Test
  void anUnreachableTargetStopsTheLibraryAndNoFileFailsHoweverLongItIsAway() {
    Asset a = asset("a.jpg", 100, "1");
    Asset b = asset("b.jpg", 200, "2");
    found(a, b);
    UploadError away = new UploadError.Unreachable("PUT /a.jpg failed: cannot connect: Connection refused");
    List<Duration> waits = new ArrayList<>();

    for (int outage = 1; outage <= 2 * SETTINGS.maxAttempts(); outage++) {
      List<LibraryPlan.Decision> first = take(plan.finished(context(), a.id(), new FileUpload.Failure(away, 1)));
      LibraryPlan.StopLibrary stop = only(first, LibraryPlan.StopLibrary.class).get(0);
      waits.add(stop.delay());
      assertThat(stop.blocker()).isEqualTo(BlockerReason.TARGET_UNREACHABLE);
      assertThat(only(first, LibraryPlan.Report.class))
          .extracting(LibraryPlan.Report::event)
          .containsExactly(
              new EngineEvent.AssetFailed("lib", a.id(), "a.jpg", away, 0, true, Optional.of(stop.delay())));
      List<LibraryPlan.Decision> second = take(plan.finished(context(), b.id(), new FileUpload.Failure(away, 1)));
      assertThat(only(second, LibraryPlan.StopLibrary.class)).as("the same outage, waited for once").isEmpty();
      assertThat(plan.blockers()).containsExactly(BlockerReason.TARGET_UNREACHABLE);
      assertThat(plan.targetError()).contains(away.message());
      assertThat(plan.targetRetryAt()).contains(NOW.plus(stop.delay()));
      assertThat(plan.sendingLimit(4)).isZero();
      assertThat(only(take(plan.liftBlockers(context())), LibraryPlan.Upload.class))
          .extracting(upload -> upload.asset().relativePath())
          .containsExactlyInAnyOrder("a.jpg", "b.jpg");
      assertThat(plan.targetRetryAt()).isEmpty();
    }

    assertThat(waits)
        .as("the backoff grows per outage, not per file")
        .containsExactly(
            Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16),
            Duration.ofSeconds(32), Duration.ofSeconds(64));
    assertThat(plan.counts().failed()).isZero();
    assertThat(plan.counts().retries()).isEmpty();
    assertThat(plan.unreachableTooLong()).isTrue();
    uploaded(a, sha('a'));
    assertThat(plan.unreachableTooLong()).as("the target answered again").isFalse();
  }

  @Test
  void anUnreachableTargetThatAsksForALongerWaitIsWaitedForThatLong() {
    Asset a = asset("a.jpg", 100, "1");
    found(a);
    UploadError busy = new UploadError.Unreachable("PUT /a.jpg failed: HTTP 503", Optional.of(Duration.ofSeconds(30)));

    List<LibraryPlan.Decision> decisions = take(plan.finished(context(), a.id(), new FileUpload.Failure(busy, 1)));

    assertThat(only(decisions, LibraryPlan.StopLibrary.class))
        .singleElement()
        .satisfies(stop -> assertThat(stop.delay()).isEqualTo(Duration.ofSeconds(30)));
    assertThat(plan.targetRetryAt()).contains(NOW.plusSeconds(30));
  }

  @Test
  void aFileWaitingToBeTriedAgainIsShownWithItsErrorAndWhenItGoes() {
    Asset a = asset("a.jpg", 100, "1");
    found(a);
    UploadError lie = new UploadError.Transient("verification failed: /a.jpg: the server stored 99 bytes, expected 100");

    List<LibraryPlan.Decision> decisions = take(plan.finished(context(), a.id(), new FileUpload.Failure(lie, 1)));

    assertThat(only(decisions, LibraryPlan.Report.class))
        .extracting(LibraryPlan.Report::event)
        .containsExactly(new EngineEvent.AssetFailed("lib", a.id(), "a.jpg", lie, 1, true, Optional.of(Duration.ofSeconds(2))));
    assertThat(plan.counts().retries()).containsExactly(new LibraryStatus.Retry(a.id(), "a.jpg", lie, 1, NOW.plusSeconds(2)));
    assertThat(plan.blockers()).as("one file's trouble does not stop the library").isEmpty();
    take(plan.retryDue(context(), a.id()));
    assertThat(plan.counts().retries()).isEmpty();
  }

  @Test
  void aFileLeftOutByTheConflictPolicyIsNamedAsNotBackedUp() {
    Asset a = asset("a.jpg", 100, "1");
    found(a);

    List<LibraryPlan.Decision> decisions =
        take(plan.finished(context(), a.id(), new FileUpload.Declined("a different file already exists at a.jpg")));

    assertThat(only(decisions, LibraryPlan.Report.class))
        .extracting(LibraryPlan.Report::event)
        .singleElement()
        .isInstanceOf(EngineEvent.AssetSkipped.class);
    assertThat(plan.counts().skipped()).isEqualTo(1);
    assertThat(plan.counts().notBackedUp())
        .containsExactly(new LibraryStatus.Skip(a.id(), "a.jpg", "a different file already exists at a.jpg"));
    assertThat(found(a)).as("the same version is not tried again in this run").isEmpty();
  }

  @Test
  void aFileThatChangedDuringItsUploadIsScannedAgainAndCountedOnceWhenItGoesUp() {
    Asset first = asset("a.jpg", 100, "1");
    found(first);
    List<LibraryPlan.Decision> decisions =
        take(plan.finished(context(), first.id(), new FileUpload.Changed("a.jpg changed while it was uploaded")));
    assertThat(only(decisions, LibraryPlan.Rescan.class)).hasSize(1);

    Asset settled = asset("a.jpg", 120, "2");
    found(settled);
    uploaded(settled, sha('s'));

    assertThat(plan.counts().discovered()).isEqualTo(1);
    assertThat(plan.counts().completed()).isEqualTo(1);
    assertThat(plan.counts().skipped()).isZero();
    assertThat(plan.counts().notBackedUp()).isEmpty();
  }

  @Test
  void aNewerVersionFoundDuringAnUploadIsScannedForOnceThatUploadEnds() {
    Asset first = asset("a.jpg", 100, "1");
    found(first);
    assertThat(found(asset("a.jpg", 100, "2"))).as("its turn comes after the running one").isEmpty();

    List<LibraryPlan.Decision> decisions = uploaded(first, sha('f'));

    assertThat(only(decisions, LibraryPlan.Rescan.class)).hasSize(1);
  }

  @Test
  void aFileThatVanishedIsSkippedButNotListedAsLeftOut() {
    Asset a = asset("a.jpg", 100, "1");
    found(a);

    take(plan.finished(context(), a.id(), new FileUpload.Gone("a.jpg no longer exists")));

    assertThat(plan.counts().skipped()).isEqualTo(1);
    assertThat(plan.counts().notBackedUp()).isEmpty();
  }

  @Test
  void aCopyOfAFileUploadingUnreadWaitsForItAndBecomesItsAlias() {
    Asset unread = asset("a.jpg", 100, "1");
    found(unread);
    Asset copy = asset("copy.jpg", 100, "2");

    List<LibraryPlan.Decision> read = found(copy);
    List<LibraryPlan.Decision> waiting = take(plan.identified(context(), copy, LibraryPlan.Identity.of(sha('a'))));
    List<LibraryPlan.Decision> done = uploaded(unread, sha('a'));

    assertThat(only(read, LibraryPlan.Identify.class)).hasSize(1);
    assertThat(only(waiting, LibraryPlan.Upload.class)).isEmpty();
    assertThat(only(done, LibraryPlan.Record.class)).hasSize(2);
    assertThat(plan.counts().alreadyBackedUp()).isEqualTo(1);
    assertThat(plan.hasWork()).isFalse();
  }
}
