package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.LibraryRules;
import dev.autoupload.engine.library.LibraryStatus;
import dev.autoupload.engine.library.MediaKind;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The planner carrying out a library's rules: what it holds back, why, and when it lets it go. */
class LibraryPlanRulesTest {

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final UploadSettings SETTINGS =
      new UploadSettings(1, 1024, 8192, 3, Duration.ofSeconds(2), Duration.ofMinutes(5), 0);
  private static final LibraryRules RULES =
      LibraryRules.NONE
          .withMobileData(MediaKind.VIDEO, false)
          .withMaxSizeOnMetered(1000)
          .withMinAge(Duration.ofMinutes(10))
          .withOnlySince(Instant.parse("2024-01-01T00:00:00Z"));

  private LibraryPlan plan =
      LibraryPlan.start(new LibraryPlan.Settings("lib", SETTINGS, RemoteLayout.MIRROR, NameRules.POSIX, RULES));
  private Ledger ledger = Ledger.empty();
  private Instant now = NOW;
  private boolean metered;

  /** Each of a size of its own, so none is read first: its upload is decided at once. */
  private static Asset asset(String path, long size, Instant taken) {
    return new Asset("id-" + path, "lib", path, size, taken, CreationDateSource.EXIF, taken, Optional.empty());
  }

  private LibraryPlan.Context context() {
    return new LibraryPlan.Context(ledger, 1, now, 0.5, metered);
  }

  private List<LibraryPlan.Decision> take(LibraryPlan.Step step) {
    plan = step.plan();
    step.decisions().stream()
        .filter(LibraryPlan.Record.class::isInstance)
        .forEach(record -> ledger = ledger.with(((LibraryPlan.Record) record).backedUp()));
    return step.decisions();
  }

  private static List<Asset> started(List<LibraryPlan.Decision> decisions) {
    return decisions.stream()
        .filter(LibraryPlan.Upload.class::isInstance)
        .map(upload -> ((LibraryPlan.Upload) upload).asset())
        .toList();
  }

  private List<LibraryPlan.Decision> uploaded(Asset asset) {
    return take(plan.finished(context(), asset.id(), new FileUpload.Uploaded(new RemoteFile(asset.relativePath(), asset.size(), "a".repeat(64)), now, false)));
  }

  @Test
  void anAssetTakenBeforeOnlySinceIsNotOfferedButCountedOnce() {
    Asset old = asset("2023/IMG_0001.jpg", 100, Instant.parse("2023-12-31T23:59:59Z"));

    assertThat(take(plan.found(context(), List.of(old)))).isEmpty();
    take(plan.found(context(), List.of(old)));
    take(plan.scanEnded(context()));

    assertThat(plan.hasWork()).isFalse();
    assertThat(plan.counts().leftOutByOnlySince()).isEqualTo(1);
    assertThat(plan.counts().discovered()).isZero();
  }

  @Test
  void aFreshPhotoWaitsForMinAgeAsksToBeWokenThenAndGoesByItself() {
    Asset fresh = asset("IMG_0002.jpg", 100, NOW.minus(Duration.ofMinutes(3)));

    List<LibraryPlan.Decision> decisions = take(plan.found(context(), List.of(fresh)));

    assertThat(started(decisions)).isEmpty();
    assertThat(decisions).containsExactly(new LibraryPlan.WakeAt(NOW.plus(Duration.ofMinutes(7))));
    assertThat(plan.counts().queued()).isEqualTo(1);
    assertThat(plan.heldReasons(metered, now)).containsExactly(BlockerReason.TOO_RECENT);
    assertThat(plan.held(metered, now, 10))
        .containsExactly(
            new LibraryStatus.Held(
                fresh.id(), fresh.relativePath(), java.util.Set.of(BlockerReason.TOO_RECENT),
                Optional.of(NOW.plus(Duration.ofMinutes(7)))));

    // Anything else that happens meanwhile asks for no second wake for the same moment.
    assertThat(take(plan.fill(context()))).isEmpty();

    now = NOW.plus(Duration.ofMinutes(7));
    assertThat(started(take(plan.wake(context())))).containsExactly(fresh);
    assertThat(plan.heldReasons(metered, now)).isEmpty();
  }

  @Test
  void aWakeThatComesEarlyAsksAgain() {
    Asset fresh = asset("IMG_0003.jpg", 100, NOW);
    take(plan.found(context(), List.of(fresh)));

    now = NOW.plus(Duration.ofMinutes(9));

    assertThat(take(plan.wake(context()))).containsExactly(new LibraryPlan.WakeAt(NOW.plus(Duration.ofMinutes(10))));
  }

  @Test
  void anAssetEditedWhileTooRecentIsReplacedByItsNewVersion() {
    Asset first = asset("IMG_0004.jpg", 100, NOW.minusSeconds(60));
    Asset edited =
        new Asset(first.id(), "lib", first.relativePath(), 120, first.createdAt(), CreationDateSource.EXIF,
            NOW.minusSeconds(10), Optional.empty());
    take(plan.found(context(), List.of(first)));
    take(plan.found(context(), List.of(edited)));

    now = NOW.plus(Duration.ofMinutes(10));
    List<Asset> started = started(take(plan.wake(context())));

    assertThat(started).containsExactly(edited);
    assertThat(plan.counts().queued()).isZero();
    assertThat(plan.counts().discovered()).isEqualTo(1);
  }

  @Test
  void anAssetEditedWhileTooRecentIntoAVersionOnlySinceLeavesOutIsNotCountedTwice() {
    Asset first = asset("IMG_0006.jpg", 100, NOW.minusSeconds(60));
    Asset redated =
        new Asset(first.id(), "lib", first.relativePath(), 120, Instant.parse("2020-01-01T00:00:00Z"),
            CreationDateSource.EXIF, NOW.minusSeconds(10), Optional.empty());
    take(plan.found(context(), List.of(first)));
    take(plan.found(context(), List.of(redated)));
    take(plan.scanEnded(context()));

    assertThat(plan.hasWork()).isFalse();
    assertThat(plan.counts().discovered()).isZero();
    assertThat(plan.counts().queued()).isZero();
    assertThat(plan.counts().leftOutByOnlySince()).isEqualTo(1);
  }

  @Test
  void onMobileDataAVideoAndALargePhotoWaitWhileASmallPhotoGoesThenAllGoOnWifi() {
    Instant old = NOW.minus(Duration.ofDays(1));
    Asset video = asset("clip.MOV", 500, old);
    Asset large = asset("big.jpg", 5000, old.minusSeconds(1));
    Asset small = asset("small.jpg", 100, old.minusSeconds(2));
    metered = true;

    // Newest first: the video's turn comes first, then the large photo's; both wait.
    List<Asset> started = started(take(plan.found(context(), List.of(video, large, small))));

    assertThat(started).containsExactly(small);
    assertThat(plan.heldReasons(metered, now))
        .containsExactlyInAnyOrder(BlockerReason.VIDEOS_WAIT_FOR_WIFI, BlockerReason.TOO_LARGE_FOR_MOBILE_DATA);
    assertThat(plan.held(metered, now, 10)).extracting(LibraryStatus.Held::path).containsExactly("clip.MOV", "big.jpg");
    uploaded(small);
    assertThat(plan.counts().queued()).isEqualTo(2);

    metered = false;
    assertThat(started(take(plan.fill(context())))).containsExactly(video);
    assertThat(plan.heldReasons(metered, now)).isEmpty();
    assertThat(started(uploaded(video))).containsExactly(large);
  }

  @Test
  void aVideoRunningWhenTheNetworkTurnsMeteredGivesUpItsSlotToAPhoto() {
    Instant old = NOW.minus(Duration.ofDays(1));
    Asset video = asset("clip.mp4", 500, old);
    Asset photo = asset("IMG_0005.jpg", 100, old.minusSeconds(1));
    assertThat(started(take(plan.found(context(), List.of(video, photo))))).containsExactly(video);

    metered = true;
    List<Asset> started = started(take(plan.fill(context())));

    assertThat(started).containsExactly(photo);
    assertThat(plan.counts().running()).isEqualTo(2);
    assertThat(plan.heldReasons(metered, now)).containsExactly(BlockerReason.VIDEOS_WAIT_FOR_WIFI);
  }
}
