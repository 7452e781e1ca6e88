package dev.autoupload.engine.internal.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadReason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FileUploadTest {

  private static final int CHUNK = 64 * 1024;
  private static final int CHECKPOINT = 256 * 1024;
  private static final ActorTestKit testKit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger libraries = new AtomicInteger();

  private final UploadSettings settings =
      new UploadSettings(4, CHUNK, CHECKPOINT, 3, Duration.ofMillis(10), Duration.ofSeconds(1), 0.2);
  private InMemorySource source;
  private InMemoryTarget target;
  private TestProbe<FileUpload.Report> reports;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    source = new InMemorySource("lib" + libraries.incrementAndGet());
    target = new InMemoryTarget();
    reports = testKit.createTestProbe(FileUpload.Report.class);
  }

  private EventSourcedBehaviorTestKit<FileUpload.Command, FileUpload.Event, FileUpload.State> uploadOf(Asset asset) {
    return uploadOf(asset, settings);
  }

  private EventSourcedBehaviorTestKit<FileUpload.Command, FileUpload.Event, FileUpload.State> uploadOf(
      Asset asset, UploadSettings settings) {
    return uploadOf(asset, settings, KnownBackups.NONE);
  }

  private EventSourcedBehaviorTestKit<FileUpload.Command, FileUpload.Event, FileUpload.State> uploadOf(
      Asset asset, UploadSettings settings, KnownBackups backups) {
    FileUpload.Job job =
        new FileUpload.Job(
            asset,
            UploadReason.NEW,
            asset.relativePath(),
            source,
            target,
            settings,
            backups,
            BandwidthLimiter.unlimited(),
            new StepTracker(),
            reports.getRef(),
            Clock.systemUTC());
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        FileUpload.create(job),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
  }

  /** Every report up to and including the upload's Finished one. */
  private List<FileUpload.Report> awaitReports() {
    return reports.fishForMessage(
        Duration.ofSeconds(10),
        report -> report instanceof FileUpload.Finished ? FishingOutcomes.complete() : FishingOutcomes.continueAndCollect());
  }

  private FileUpload.Outcome awaitOutcome() {
    List<FileUpload.Report> seen = awaitReports();
    return ((FileUpload.Finished) seen.get(seen.size() - 1)).outcome();
  }

  /**
   * The upload of {@code asset} in a new process whose journal holds {@code events}: what an
   * earlier process, perhaps for another version of the asset, left.
   */
  private EventSourcedBehaviorTestKit<FileUpload.Command, FileUpload.Event, FileUpload.State> afterRestart(
      Asset asset, List<Object> events) {
    var upload = uploadOf(asset);
    upload.initialize(events.toArray());
    return upload;
  }

  private void awaitCheckpoint(Asset asset) {
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> assertThat(journal(asset)).anySatisfy(event -> assertThat(event).isInstanceOf(FileUpload.ProgressCheckpointed.class)));
  }

  private List<Object> journal(Asset asset) {
    return PersistenceTestKit.create(testKit.system())
        .persistedInStorage(FileUpload.persistenceId(asset.libraryId(), asset.id()).id());
  }

  @Test
  void uploadsInChunksCheckpointsSparinglyAndCompletesOnlyAfterVerification() {
    byte[] content = source.add("2023/IMG_0001.JPG", 1024 * 1024 + 3);
    Asset asset = source.asset("2023/IMG_0001.JPG");
    var upload = uploadOf(asset);

    var begun = upload.<Done>runCommand(FileUpload.Begin::new);

    assertThat(begun.reply()).isEqualTo(Done.getInstance());
    assertThat(begun.eventOfType(FileUpload.UploadStarted.class).attempt()).isEqualTo(1);
    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(outcome).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(((FileUpload.Uploaded) outcome).alreadyOnTarget()).isFalse();
    assertThat(target.file(asset.relativePath())).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(target.bytesReceived()).isEqualTo(content.length);

    List<Object> events = journal(asset);
    assertThat(events.get(0)).isInstanceOf(FileUpload.UploadStarted.class);
    assertThat(events.get(events.size() - 1)).isInstanceOf(FileUpload.UploadCompleted.class);
    List<Long> checkpoints =
        events.stream()
            .filter(FileUpload.ProgressCheckpointed.class::isInstance)
            .map(e -> ((FileUpload.ProgressCheckpointed) e).offset())
            .toList();
    // 17 chunks of 64 KiB, but a checkpoint only once 256 KiB more went out (more may have gone
    // out while one was written, so where each falls depends on timing).
    assertThat(checkpoints).isNotEmpty().hasSizeLessThanOrEqualTo(4).isSorted();
    assertThat(checkpoints.get(0)).isGreaterThanOrEqualTo(CHECKPOINT);
    for (int i = 1; i < checkpoints.size(); i++) {
      assertThat(checkpoints.get(i) - checkpoints.get(i - 1)).isGreaterThanOrEqualTo(CHECKPOINT);
    }
    assertThat(checkpoints.get(checkpoints.size() - 1)).isLessThanOrEqualTo(content.length);
    FileUpload.UploadCompleted completed = (FileUpload.UploadCompleted) events.get(events.size() - 1);
    assertThat(completed.sha256()).isEqualTo(sha256(content));
    assertThat(completed.bytes()).isEqualTo(content.length);
  }

  /**
   * A target that asks for the sha256 before the first byte (S3, for a multipart upload) is given
   * the file's: read once to hash it, then once to send it, and only the same content published.
   */
  @Test
  void aTargetThatAsksForTheSha256FirstIsGivenTheFilesBeforeTheFirstByte() {
    byte[] content = source.add("2023/VID_0001.MOV", 700 * 1024 + 5);
    Asset asset = source.asset("2023/VID_0001.MOV");
    target.wantSha256First();

    uploadOf(asset).runCommand(FileUpload.Begin::new);

    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.sha256sOpenedWith()).containsExactly(sha256(content));
    assertThat(target.file(asset.relativePath())).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(source.opens()).as("hashed, then sent").isEqualTo(2);
  }

  /** The content hash learnt when the asset was identified spares that read, while the file is as scanned. */
  @Test
  void aTargetThatAsksForTheSha256FirstIsGivenTheIdentifiedHashWithoutAnotherRead() {
    byte[] content = source.add("2023/VID_0002.MOV", 300 * 1024);
    Asset identified = source.asset("2023/VID_0002.MOV").withContentHash(sha256(content));
    target.wantSha256First();

    uploadOf(identified).runCommand(FileUpload.Begin::new);

    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.sha256sOpenedWith()).containsExactly(sha256(content));
    assertThat(source.opens()).as("sent only").isEqualTo(1);
  }

  /** A later attempt of a single-request upload starts from zero: no checkpoint would help it. */
  @Test
  void writesNoCheckpointsForASessionThatCannotBeResumed() {
    byte[] content = source.add("2023/IMG_0002.JPG", 1024 * 1024 + 3);
    Asset asset = source.asset("2023/IMG_0002.JPG");
    target.sessionsNotResumable();
    var upload = uploadOf(asset);

    upload.<Done>runCommand(FileUpload.Begin::new);

    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file(asset.relativePath())).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(journal(asset)).noneMatch(FileUpload.ProgressCheckpointed.class::isInstance);
  }

  @Test
  void resumesFromTheTargetsOffsetAfterARestartMidUpload() throws Exception {
    byte[] content = source.add("big.mov", 1024 * 1024);
    Asset asset = source.asset("big.mov");
    var upload = uploadOf(asset);
    target.holdAppendsAfter(600 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    // Chunks go on out while a checkpoint is written, so which checkpoints there are depends on
    // timing; at least the first is, once written.
    awaitCheckpoint(asset);
    long onTargetBeforeCrash = target.partialLength("big.mov");

    var restarted = upload.restart();
    // The crash cut the connection of the append that was in flight.
    target.releaseHeld(true);
    target.awaitReleased();

    FileUpload.Uploading recovered = (FileUpload.Uploading) restarted.state();
    assertThat(onTargetBeforeCrash).isEqualTo(576 * 1024);
    assertThat(recovered.offset()).isBetween((long) CHECKPOINT, onTargetBeforeCrash);

    upload.<Done>runCommand(FileUpload.Begin::new);
    List<FileUpload.Report> seen = awaitReports();
    assertThat(seen).contains(new FileUpload.Resumed(asset.id(), onTargetBeforeCrash));
    assertThat(((FileUpload.Finished) seen.get(seen.size() - 1)).outcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("big.mov")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(target.bytesReceived()).as("nothing the target had was sent again").isEqualTo(content.length);
    assertThat(target.bytesGivenAgain()).as("what it had, given to the session to check").isEqualTo(onTargetBeforeCrash);
    assertThat(journal(asset))
        .as("a restart continues the same attempt")
        .filteredOn(FileUpload.UploadStarted.class::isInstance)
        .hasSize(1);
  }

  @Test
  void pauseStopsSendingAndResumeContinuesFromTheOffset() throws Exception {
    byte[] content = source.add("clip.mp4", 1024 * 1024);
    Asset asset = source.asset("clip.mp4");
    var upload = uploadOf(asset);
    target.holdAppendsAfter(300 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    var paused = upload.<Done>runCommand(replyTo -> new FileUpload.Pause(Set.of(BlockerReason.USER_PAUSED), replyTo));
    // A checkpoint written while the chunk went out may come first.
    assertThat(paused.events())
        .filteredOn(FileUpload.UploadPaused.class::isInstance)
        .singleElement()
        .satisfies(event -> assertThat(((FileUpload.UploadPaused) event).reasons()).containsExactly(BlockerReason.USER_PAUSED));

    target.releaseHeld(false);
    target.awaitReleased();
    FileUpload.Progressed last =
        (FileUpload.Progressed)
            reports.fishForMessage(
                    Duration.ofSeconds(5),
                    report ->
                        report instanceof FileUpload.Progressed p && p.offset() == 320 * 1024
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0);
    FileUpload.State state = upload.getState();
    assertThat(state).isInstanceOf(FileUpload.Paused.class);
    assertThat(target.bytesReceived()).as("no bytes after the chunk in flight").isEqualTo(last.offset());
    reports.expectMessage(new FileUpload.Halted(asset.id()));
    reports.expectNoMessage(Duration.ofMillis(200));

    upload.<Done>runCommand(FileUpload.Resume::new);
    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("clip.mp4")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(target.bytesReceived()).isEqualTo(content.length);
  }

  @Test
  void recordsTheTargetsResumeTokenAndContinuesWithItAfterARestart() throws Exception {
    byte[] content = source.add("clip.mov", 1024 * 1024);
    Asset asset = source.asset("clip.mov");
    target.keyPartialsByResumeToken();
    var upload = uploadOf(asset);
    target.holdAppendsAfter(600 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    var restarted = upload.restart();
    target.releaseHeld(true);
    target.awaitReleased();
    target.awaitClosed("clip.mov");

    List<Object> beforeRestart = journal(asset);
    assertThat(beforeRestart.get(1))
        .as("the token is recorded before the first byte is sent")
        .isInstanceOf(FileUpload.ResumeTokenRecorded.class);
    String token = ((FileUpload.ResumeTokenRecorded) beforeRestart.get(1)).resumeToken();
    assertThat(((FileUpload.Uploading) restarted.state()).resumeToken()).isEqualTo(token);

    upload.<Done>runCommand(FileUpload.Begin::new);
    List<FileUpload.Report> seen = awaitReports();
    assertThat(((FileUpload.Finished) seen.get(seen.size() - 1)).outcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.tokensOpenedWith()).containsExactly(Optional.empty(), Optional.of(token));
    assertThat(target.file("clip.mov")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(target.bytesReceived()).as("the upload continued, nothing was sent twice").isEqualTo(content.length);
    assertThat(journal(asset)).filteredOn(FileUpload.ResumeTokenRecorded.class::isInstance).hasSize(1);
  }

  @Test
  void tellsTheSameFileFromAnotherByMd5WhenTheTargetKnowsOnlyThat() {
    byte[] content = source.add("same.jpg", 5000);
    source.add("other.jpg", 5000);
    target.reportOnlyMd5();
    target.putFile("same.jpg", content);
    target.putFile("other.jpg", new byte[5000]);

    uploadOf(source.asset("same.jpg")).runCommand(FileUpload.Begin::new);
    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).isTrue();
    assertThat(target.bytesReceived()).isZero();
    uploadOf(source.asset("other.jpg"), settings.withOnConflict(ConflictPolicy.SKIP)).runCommand(FileUpload.Begin::new);
    assertThat(((FileUpload.Declined) awaitOutcome()).reason()).contains("a different file already exists at other.jpg");

    assertThat(target.bytesReceived()).isZero();
    assertThat(target.file("other.jpg")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(new byte[5000]));
  }

  @Test
  void aFileRewrittenDuringItsUploadIsNeverPublishedAndSaysWhy() throws Exception {
    source.add("edited.jpg", 300 * 1024);
    Asset asset = source.asset("edited.jpg");
    var upload = uploadOf(asset);
    target.holdAppendsAfter(100 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    source.rewrite("edited.jpg", new byte[310 * 1024]);
    target.releaseHeld(false);

    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(outcome).isInstanceOf(FileUpload.Changed.class);
    assertThat(((FileUpload.Changed) outcome).reason()).contains("edited.jpg changed while it was uploaded");
    assertThat(target.file("edited.jpg")).as("nothing torn under the final name").isEmpty();
    assertThat(journal(asset)).last().isInstanceOfSatisfying(
        FileUpload.UploadSkipped.class, skipped -> assertThat(skipped.reason()).contains("changed while it was uploaded"));
  }

  /**
   * Replaced before its upload by other content of the same size (a copy of another photo, say):
   * what the plan decided for the identified content does not hold for this one, so it goes
   * through the plan again instead of being published as if it were new.
   */
  @Test
  void aFileReplacedAfterItWasIdentifiedIsNotPublishedUnderItsOldIdentity() throws Exception {
    byte[] identifiedContent = source.add("copy.jpg", 5000);
    Asset identified = source.asset("copy.jpg").withContentHash(sha256(identifiedContent));
    byte[] other = new byte[5000];
    java.util.Arrays.fill(other, (byte) 7);
    source.rewrite("copy.jpg", other);

    uploadOf(identified).runCommand(FileUpload.Begin::new);

    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(outcome).isInstanceOf(FileUpload.Changed.class);
    assertThat(((FileUpload.Changed) outcome).reason()).contains("copy.jpg changed while it was uploaded");
    assertThat(target.file("copy.jpg")).as("nothing published").isEmpty();
  }

  @Test
  void aFileThatEndsBeforeItsScannedSizeIsSkippedAsChangedNotRetriedAgainstTheOldSize() throws Exception {
    source.add("truncated.jpg", 300 * 1024);
    Asset scanned = source.asset("truncated.jpg");
    source.rewrite("truncated.jpg", new byte[100 * 1024]);

    uploadOf(scanned).runCommand(FileUpload.Begin::new);

    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(outcome).isInstanceOf(FileUpload.Changed.class);
    assertThat(((FileUpload.Changed) outcome).reason()).isEqualTo(
        "truncated.jpg became shorter while it was uploaded; it is uploaded again once it settles");
    assertThat(target.file("truncated.jpg")).as("nothing torn under the final name").isEmpty();
  }

  @Test
  void aFileOnlyTouchedDuringItsUploadIsReadAgainAndPublished() throws Exception {
    byte[] content = source.add("touched.jpg", 300 * 1024);
    var upload = uploadOf(source.asset("touched.jpg"));
    target.holdAppendsAfter(100 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    source.touch("touched.jpg");
    target.releaseHeld(false);

    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("touched.jpg")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
  }

  @Test
  void aFileDeletedDuringItsUploadIsSkippedWithTheReason() throws Exception {
    source.add("deleted.jpg", 300 * 1024);
    var upload = uploadOf(source.asset("deleted.jpg"));
    target.holdAppendsAfter(100 * 1024);

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    source.makeVanish("deleted.jpg");
    target.releaseHeld(false);

    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(outcome).isEqualTo(new FileUpload.Gone("deleted.jpg was deleted while it was uploaded"));
    assertThat(target.file("deleted.jpg")).isEmpty();
    assertThat(target.discards()).as("what it sent is removed from the target").containsExactly("deleted.jpg");
    assertThat(target.partialLength("deleted.jpg")).isZero();
  }

  @Test
  void aFileChangedDuringItsUploadLeavesNothingBehindAndItsNextVersionGoesUpWithoutAFailedCheck() throws Exception {
    source.add("edited.jpg", 300 * 1024);
    var upload = uploadOf(source.asset("edited.jpg"));
    target.holdAppendsAfter(100 * 1024);
    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    byte[] edited = new byte[300 * 1024];
    source.rewrite("edited.jpg", edited);
    target.releaseHeld(false);
    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Changed.class);
    assertThat(target.partialLength("edited.jpg")).as("the old version's bytes on the target").isZero();
    assertThat(target.discards()).containsExactly("edited.jpg");

    Asset next = source.asset("edited.jpg");
    uploadOf(next).runCommand(FileUpload.Begin::new);

    List<FileUpload.Report> seen = awaitReports();
    assertThat(seen).as("nothing of the old version is continued").noneMatch(FileUpload.Resumed.class::isInstance);
    assertThat(((FileUpload.Finished) seen.get(seen.size() - 1)).outcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("edited.jpg")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(edited));
    assertThat(journal(next)).noneMatch(FileUpload.UploadFailed.class::isInstance);
  }

  @Test
  void aNewVersionDiscardsWhatAnInterruptedUploadOfTheOldOneLeftBeforeItOpens() throws Exception {
    source.add("clip.mov", 1024 * 1024);
    var upload = uploadOf(source.asset("clip.mov"));
    target.holdAppendsAfter(600 * 1024);
    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    upload.restart();
    target.releaseHeld(true);
    target.awaitReleased();
    long leftBehind = target.partialLength("clip.mov");
    assertThat(leftBehind).as("what the killed upload left on the target").isPositive();
    byte[] edited = new byte[1024 * 1024];
    edited[0] = 1;
    source.rewrite("clip.mov", edited);
    Asset next = source.asset("clip.mov");

    afterRestart(next, journal(next)).runCommand(FileUpload.Begin::new);

    List<FileUpload.Report> seen = awaitReports();
    assertThat(seen).noneMatch(FileUpload.Resumed.class::isInstance);
    assertThat(((FileUpload.Finished) seen.get(seen.size() - 1)).outcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("clip.mov")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(edited));
    assertThat(target.discards()).containsExactly("clip.mov");
    assertThat(target.bytesReceived()).as("the new version in full, after the old one's bytes").isEqualTo(leftBehind + edited.length);
    assertThat(journal(next)).noneMatch(FileUpload.UploadFailed.class::isInstance);
  }

  @Test
  void aNewVersionWhoseOldBytesCannotBeDiscardedDoesNotBeginAndTheNextTryDiscardsAgain() throws Exception {
    source.add("clip.mov", 1024 * 1024);
    var upload = uploadOf(source.asset("clip.mov"));
    target.holdAppendsAfter(600 * 1024);
    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    upload.restart();
    target.releaseHeld(true);
    target.awaitReleased();
    byte[] edited = new byte[1024 * 1024];
    source.rewrite("clip.mov", edited);
    Asset next = source.asset("clip.mov");
    UploadError refused = new UploadError.Transient("DELETE clip.mov failed: cannot connect");
    target.failDiscards(Optional.of(refused));
    var second = afterRestart(next, journal(next));

    second.runCommand(FileUpload.Begin::new);

    assertThat(awaitOutcome()).isEqualTo(new FileUpload.Failure(refused, 1));
    assertThat(journal(next)).as("the old version's attempt stays in the journal")
        .filteredOn(FileUpload.UploadStarted.class::isInstance).hasSize(1);
    target.failDiscards(Optional.empty());
    second.runCommand(FileUpload.Begin::new);
    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.discards()).containsExactly("clip.mov");
    assertThat(target.file("clip.mov")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(edited));
  }

  @Test
  void aFileTheTargetHoldsIsNotReadAgainWhenItsContentHashIsKnownAndItIsUnchanged() {
    byte[] content = source.add("known.jpg", 5000);
    target.putFile("known.jpg", content);
    Asset identified = source.asset("known.jpg").withContentHash(sha256(content));

    uploadOf(identified).runCommand(FileUpload.Begin::new);

    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).isTrue();
    assertThat(source.opens()).as("the source was not read").isZero();
  }

  @Test
  void aFileTouchedSinceItWasIdentifiedIsReadAgainBeforeItCountsAsBackedUp() {
    byte[] content = source.add("touched.jpg", 5000);
    target.putFile("touched.jpg", content);
    Asset identified = source.asset("touched.jpg").withContentHash(sha256(content));
    source.touch("touched.jpg");

    uploadOf(identified).runCommand(FileUpload.Begin::new);

    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).isTrue();
    assertThat(source.opens()).isEqualTo(1);
  }

  @Test
  void completesWithoutSendingWhenTheTargetAlreadyHoldsTheSameFile() {
    byte[] content = source.add("same.jpg", 5000);
    target.putFile("same.jpg", content);
    var upload = uploadOf(source.asset("same.jpg"));

    upload.runCommand(FileUpload.Begin::new);

    FileUpload.Outcome outcome = awaitOutcome();
    assertThat(((FileUpload.Uploaded) outcome).alreadyOnTarget()).isTrue();
    assertThat(target.bytesReceived()).isZero();
    assertThat(journal(source.asset("same.jpg")))
        .last()
        .isEqualTo(
            new FileUpload.UploadCompleted(
                "same.jpg",
                sha256(content),
                5000,
                ((FileUpload.UploadCompleted) journal(source.asset("same.jpg")).get(1)).uploadedAt(),
                true));
  }

  @Test
  void keepsBothWhenADifferentFileHoldsTheNameUnderANameFromItsOwnHash() {
    byte[] content = source.add("IMG_0001.JPG", 4000);
    byte[] older = "an older photo that reused the camera's name".getBytes();
    target.putFile("IMG_0001.JPG", older);
    Asset asset = source.asset("IMG_0001.JPG");
    String kept = "IMG_0001~" + sha256(content).substring(0, 8) + ".JPG";

    uploadOf(asset).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded uploaded = (FileUpload.Uploaded) awaitOutcome();
    assertThat(uploaded.file().remotePath()).isEqualTo(kept);
    assertThat(target.file("IMG_0001.JPG")).as("never overwritten").hasValue(older);
    assertThat(target.file(kept)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(journal(asset))
        .filteredOn(FileUpload.RemotePathChanged.class::isInstance)
        .singleElement()
        .satisfies(e -> assertThat(((FileUpload.RemotePathChanged) e).reason()).contains("a different file already exists at IMG_0001.JPG"));
  }

  @Test
  void aKeptBothFileFoundAgainCountsAsAlreadyBackedUp() {
    byte[] content = source.add("IMG_0002.JPG", 4000);
    target.putFile("IMG_0002.JPG", "someone else's".getBytes());
    target.putFile("IMG_0002~" + sha256(content).substring(0, 8) + ".JPG", content);

    uploadOf(source.asset("IMG_0002.JPG")).runCommand(FileUpload.Begin::new);

    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).isTrue();
    assertThat(target.bytesReceived()).isZero();
  }

  @Test
  void skipsInsteadWhenTheSettingSaysSo() {
    source.add("IMG_0003.JPG", 4000);
    byte[] older = "older".getBytes();
    target.putFile("IMG_0003.JPG", older);
    var upload = uploadOf(source.asset("IMG_0003.JPG"), settings.withOnConflict(ConflictPolicy.SKIP));

    upload.runCommand(FileUpload.Begin::new);

    FileUpload.Declined declined = (FileUpload.Declined) awaitOutcome();
    assertThat(declined.reason()).contains("a different file already exists at IMG_0003.JPG").contains("on-conflict = skip");
    assertThat(target.files()).containsOnlyKeys("IMG_0003.JPG");
    assertThat(target.file("IMG_0003.JPG")).as("the file there is never discarded").hasValue(older);
    assertThat(target.discards()).as("anything an earlier attempt left goes").containsExactly("IMG_0003.JPG");
    assertThat(upload.restart().state()).isInstanceOf(FileUpload.Skipped.class);
  }

  @Test
  void overwritesAFileFromElsewhereWhenTheSettingSaysSoAndRecordsWhatWasReplaced() {
    byte[] content = source.add("IMG_0004.JPG", 200_000);
    byte[] fromElsewhere = "a file another app put there".getBytes();
    target.putFile("IMG_0004.JPG", fromElsewhere);
    Asset asset = source.asset("IMG_0004.JPG");

    uploadOf(asset, settings.withOnConflict(ConflictPolicy.OVERWRITE)).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded uploaded = (FileUpload.Uploaded) awaitOutcome();
    assertThat(uploaded.file().remotePath()).isEqualTo("IMG_0004.JPG");
    assertThat(uploaded.alreadyOnTarget()).isFalse();
    assertThat(target.files()).containsOnlyKeys("IMG_0004.JPG");
    assertThat(target.file("IMG_0004.JPG")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    FileUpload.RemoteFileReplacing replacing =
        (FileUpload.RemoteFileReplacing)
            journal(asset).stream().filter(FileUpload.RemoteFileReplacing.class::isInstance).findFirst().orElseThrow();
    assertThat(replacing.remotePath()).isEqualTo("IMG_0004.JPG");
    assertThat(replacing.replacedSize()).isEqualTo(fromElsewhere.length);
    assertThat(replacing.replacedSha256()).isEqualTo(sha256(fromElsewhere));
    assertThat(replacing.reason()).contains("on-conflict = overwrite");
  }

  @Test
  void neverOverwritesTheBackupOfAnotherAssetButKeepsBoth() {
    byte[] content = source.add("b/IMG_0005.JPG", 5000);
    byte[] otherBackup = "the backup of a/IMG_0005.JPG".getBytes();
    target.putFile("b/IMG_0005.JPG", otherBackup);
    Asset asset = source.asset("b/IMG_0005.JPG");
    KnownBackups backups = backupsOf(sha256(otherBackup));

    uploadOf(asset, settings.withOnConflict(ConflictPolicy.OVERWRITE), backups).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded uploaded = (FileUpload.Uploaded) awaitOutcome();
    String kept = "b/IMG_0005~" + sha256(content).substring(0, 8) + ".JPG";
    assertThat(uploaded.file().remotePath()).isEqualTo(kept);
    assertThat(target.file("b/IMG_0005.JPG")).as("the other backup stays").hasValue(otherBackup);
    assertThat(target.file(kept)).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(journal(asset)).noneMatch(FileUpload.RemoteFileReplacing.class::isInstance);
    assertThat(journal(asset))
        .filteredOn(FileUpload.RemotePathChanged.class::isInstance)
        .singleElement()
        .satisfies(e -> assertThat(((FileUpload.RemotePathChanged) e).reason()).contains("overwrite never replaces"));
  }

  @Test
  void doesNotReplaceAFileThatChangedOnTheTargetAfterTheDecision() throws Exception {
    byte[] content = source.add("IMG_0006.JPG", 300_000);
    target.putFile("IMG_0006.JPG", "first version elsewhere".getBytes());
    byte[] meanwhile = "written by another device while ours was sent".getBytes();
    target.holdAppendsAfter(100_000);
    Asset asset = source.asset("IMG_0006.JPG");

    uploadOf(asset, settings.withOnConflict(ConflictPolicy.OVERWRITE)).runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    target.putFile("IMG_0006.JPG", meanwhile);
    target.releaseHeld(false);

    FileUpload.Failure failure = (FileUpload.Failure) awaitOutcome();
    assertThat(failure.error()).isInstanceOf(UploadError.Conflict.class);
    assertThat(failure.error().message()).contains("changed on the target since it was found");
    assertThat(target.file("IMG_0006.JPG")).hasValue(meanwhile);
    assertThat(content).isNotEqualTo(meanwhile);
  }

  @Test
  void anInterruptedReplacementLeavesTheOldFileAndResumes() throws Exception {
    byte[] content = source.add("IMG_0007.JPG", 300_000);
    byte[] old = "the old file".getBytes();
    target.putFile("IMG_0007.JPG", old);
    target.holdAppendsAfter(150_000);
    Asset asset = source.asset("IMG_0007.JPG");
    var upload = uploadOf(asset, settings.withOnConflict(ConflictPolicy.OVERWRITE));

    upload.runCommand(FileUpload.Begin::new);
    target.awaitHeld();
    upload.restart();
    target.releaseHeld(true);
    target.awaitReleased();
    assertThat(target.file("IMG_0007.JPG")).as("untouched until the new file is complete").hasValue(old);
    long sentBefore = target.bytesReceived();

    upload.runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded uploaded = (FileUpload.Uploaded) awaitOutcome();
    assertThat(uploaded.file().remotePath()).isEqualTo("IMG_0007.JPG");
    assertThat(target.file("IMG_0007.JPG")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
    assertThat(target.bytesReceived() - sentBefore).as("resumed, not sent again").isLessThan(content.length);
  }

  @Test
  void aFailedAttemptIsRecordedAndTheNextBeginIsANewAttempt() {
    byte[] content = source.add("flaky.heic", 100_000);
    Asset asset = source.asset("flaky.heic");
    target.failAppends(path -> Optional.of(new UploadError.Transient("503 Service Unavailable")));
    var upload = uploadOf(asset);

    upload.runCommand(FileUpload.Begin::new);
    FileUpload.Failure failure = (FileUpload.Failure) awaitOutcome();
    assertThat(failure.error().message()).isEqualTo("503 Service Unavailable");
    assertThat(failure.attempts()).isEqualTo(1);

    target.failAppends(path -> Optional.empty());
    var restarted = upload.restart();
    assertThat(restarted.state()).isInstanceOf(FileUpload.Failed.class);
    var begun = upload.<Done>runCommand(FileUpload.Begin::new);
    assertThat(begun.eventOfType(FileUpload.UploadStarted.class).attempt()).isEqualTo(2);
    assertThat(awaitOutcome()).isInstanceOf(FileUpload.Uploaded.class);
    assertThat(target.file("flaky.heic")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
  }

  @Test
  void anAssetThatVanishedIsSkippedNotFailed() {
    source.add("deleted.jpg", 1000);
    source.makeVanish("deleted.jpg");
    var upload = uploadOf(source.asset("deleted.jpg"));

    upload.runCommand(FileUpload.Begin::new);

    assertThat(awaitOutcome()).isEqualTo(new FileUpload.Gone("deleted.jpg no longer exists"));
    assertThat(upload.restart().state()).isInstanceOf(FileUpload.Skipped.class);
  }

  @Test
  void anUnreadableAssetFailsWithTheReason() {
    source.add("secret.jpg", 1000);
    source.makeUnreadable("secret.jpg");
    var upload = uploadOf(source.asset("secret.jpg"));

    upload.runCommand(FileUpload.Begin::new);

    FileUpload.Failure failure = (FileUpload.Failure) awaitOutcome();
    assertThat(failure.error()).isEqualTo(new UploadError.Permanent("cannot read secret.jpg: permission denied"));
  }

  private static final String V = "0123456789abcdef";

  @Test
  void aFileOfUnknownHashIsReadBackToTellTheSameContentFromAnother() {
    byte[] content = source.add("same.jpg", 5000);
    source.add("other.jpg", 5000);
    target.reportNoHash();
    target.putFile("same.jpg", content);
    target.putFile("other.jpg", new byte[5000]);

    uploadOf(source.asset("same.jpg")).runCommand(FileUpload.Begin::new);
    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).as("read back: the same").isTrue();
    assertThat(target.bytesReceived()).isZero();

    uploadOf(source.asset("other.jpg")).runCommand(FileUpload.Begin::new);
    FileUpload.Uploaded kept = (FileUpload.Uploaded) awaitOutcome();
    assertThat(kept.alreadyOnTarget()).isFalse();
    assertThat(kept.file().remotePath()).as("read back: different, so both are kept").startsWith("other~");
    assertThat(target.file("other.jpg")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(new byte[5000]));
  }

  @Test
  void aFileOfUnknownHashButAnotherSizeDiffersWithoutReadingIt() {
    source.add("photo.jpg", 5000);
    target.reportNoHash();
    target.cannotReadBack();
    target.putFile("photo.jpg", new byte[10]);

    uploadOf(source.asset("photo.jpg")).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded kept = (FileUpload.Uploaded) awaitOutcome();
    assertThat(kept.file().remotePath()).startsWith("photo~");
  }

  @Test
  void aFileOfTheSameSizeWhoseHashCannotBeToldNorReadBackStaysAConflict() {
    source.add("photo.jpg", 5000);
    target.reportNoHash();
    target.cannotReadBack();
    target.putFile("photo.jpg", new byte[5000]);

    uploadOf(source.asset("photo.jpg")).runCommand(FileUpload.Begin::new);

    FileUpload.Failure failure = (FileUpload.Failure) awaitOutcome();
    assertThat(failure.error()).isInstanceOf(UploadError.Conflict.class);
    assertThat(failure.error().message()).contains("cannot tell its hash");
    assertThat(target.bytesReceived()).isZero();
  }

  @Test
  void aCompletedUploadOfAnEarlierVersionNeverAnswersForANewOne() {
    byte[] first = source.add("IMG_0001.JPG", 5000);
    uploadOf(source.asset("IMG_0001.JPG")).runCommand(FileUpload.Begin::new);
    assertThat(((FileUpload.Uploaded) awaitOutcome()).alreadyOnTarget()).isFalse();

    byte[] edited = first.clone();
    edited[7] ^= 1;
    source.rewrite("IMG_0001.JPG", edited);
    uploadOf(source.asset("IMG_0001.JPG")).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded second = (FileUpload.Uploaded) awaitOutcome();
    assertThat(second.alreadyOnTarget()).as("the journal's completion was for the earlier version").isFalse();
    assertThat(second.file().sha256()).isEqualTo(sha256(edited));
    assertThat(target.file("IMG_0001.JPG")).as("the earlier version stays").hasValue(first);
    assertThat(target.file(second.file().remotePath())).hasValue(edited);
  }

  @Test
  void aBeginContinuesOnlyWhatTheJournalHoldsForThisVersion() {
    Instant at = Instant.parse("2026-11-25T10:15:30Z");
    String other = "fedcba9876543210";
    List<FileUpload.State> begun =
        List.of(
            new FileUpload.Uploading(2, 8, null, null, V),
            new FileUpload.Paused(2, 8, Set.of(BlockerReason.USER_PAUSED), null, null, V),
            new FileUpload.Completed("a.jpg", "ab", 10, at, 2, V),
            new FileUpload.Failed(new UploadError.Transient("x"), 2, 0, null, null, V),
            new FileUpload.Skipped("changed", 2, V));
    List<FileUpload.BeginWith> sameVersion =
        List.of(
            FileUpload.BeginWith.CONTINUE,
            FileUpload.BeginWith.RESUME,
            FileUpload.BeginWith.REPORT_COMPLETED,
            FileUpload.BeginWith.NEW_ATTEMPT,
            FileUpload.BeginWith.NEW_ATTEMPT);
    for (int i = 0; i < begun.size(); i++) {
      FileUpload.State state = begun.get(i);
      assertThat(FileUpload.beginning(state, V).with()).as("%s, same version", state).isEqualTo(sameVersion.get(i));
      assertThat(FileUpload.beginning(state, other))
          .as("%s, another version starts from nothing", state)
          .isEqualTo(new FileUpload.Beginning(FileUpload.BeginWith.NEW_ATTEMPT, 1));
    }
    assertThat(FileUpload.beginning(begun.get(3), V).attempt()).as("a retry of the same version").isEqualTo(3);
    assertThat(FileUpload.beginning(new FileUpload.Queued(), V))
        .isEqualTo(new FileUpload.Beginning(FileUpload.BeginWith.NEW_ATTEMPT, 1));
  }

  @Test
  void aNewVersionStartsFromNothingNeitherOffsetTokenNorChosenPathCarryOver() {
    Instant at = Instant.parse("2026-11-25T10:15:30Z");
    FileUpload.State interrupted = new FileUpload.Paused(1, 8_388_608, Set.of(), "tus-url", "a~12345678.jpg", V);
    FileUpload.UploadStarted sameVersion =
        new FileUpload.UploadStarted("lib", "id", "a.jpg", "a.jpg", 10, at, CreationDateSource.EXIF, V, UploadReason.NEW, 2, at);
    FileUpload.UploadStarted newVersion =
        new FileUpload.UploadStarted(
            "lib", "id", "a.jpg", "a.jpg", 10, at, CreationDateSource.EXIF, "fedcba9876543210", UploadReason.CHANGED, 1, at);

    assertThat(FileUpload.apply(interrupted, sameVersion))
        .isEqualTo(new FileUpload.Uploading(2, 8_388_608, "tus-url", "a~12345678.jpg", V));
    assertThat(FileUpload.apply(interrupted, newVersion))
        .isEqualTo(new FileUpload.Uploading(1, 0, null, null, "fedcba9876543210"));
  }

  @Test
  void eventsAndStatesSurviveSerialization() {
    Instant at = Instant.parse("2026-11-25T10:15:30.123Z");
    List<Object> values =
        List.of(
            new FileUpload.UploadStarted(
                "lib", "id", "a/b.jpg", "a/b.jpg", 10, at, CreationDateSource.EXIF, V, UploadReason.NEW, 1, at),
            new FileUpload.UploadStarted(
                "lib", "id", "a/b.jpg", "a/b.jpg", 10, at, CreationDateSource.FILE_TIME, V, UploadReason.CHANGED, 2, at),
            new FileUpload.ProgressCheckpointed(8, at),
            new FileUpload.UploadPaused(Set.of(BlockerReason.USER_PAUSED), 8, at),
            new FileUpload.UploadResumed(at),
            new FileUpload.ResumeTokenRecorded("http://127.0.0.1:1080/files/24e533e0", at),
            new FileUpload.RemotePathChanged("a/b~12345678.jpg", "a different file already exists at a/b.jpg", at),
            new FileUpload.UploadCompleted("a/b.jpg", "ab", 10, at, false),
            new FileUpload.UploadFailed(new UploadError.Transient("x", Optional.of(Duration.ofSeconds(3))), 2, 4, at),
            new FileUpload.UploadFailed(new UploadError.QuotaExceeded("full"), 1, 0, at),
            new FileUpload.UploadFailed(new UploadError.Unauthorized("401"), 1, 0, at),
            new FileUpload.UploadFailed(new UploadError.Conflict("exists"), 1, 0, at),
            new FileUpload.UploadFailed(new UploadError.Permanent("bad"), 1, 0, at),
            new FileUpload.UploadSkipped("gone", at),
            new FileUpload.Queued(),
            new FileUpload.Uploading(1, 8, null, null, V),
            new FileUpload.Uploading(1, 8, "upload-1", "a/b~12345678.jpg", V),
            new FileUpload.Paused(1, 8, Set.of(BlockerReason.USER_PAUSED), "upload-1", "a/b~12345678.jpg", V),
            new FileUpload.Paused(1, 8, Set.of(BlockerReason.USER_PAUSED), null, null, V),
            new FileUpload.Completed("a/b.jpg", "ab", 10, at, 1, V),
            new FileUpload.Failed(new UploadError.Permanent("bad"), 1, 0, null, null, V),
            new FileUpload.Failed(new UploadError.Permanent("bad"), 1, 0, "upload-1", "a/b~12345678.jpg", V),
            new FileUpload.Skipped("gone", 1, V));
    for (Object value : values) {
      testKit.serializationTestKit().verifySerialization(value, true);
    }
  }

  private static String sha256(byte[] content) {
    try {
      return Sha256.of(new java.io.ByteArrayInputStream(content));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void anUploadThatLearnsItsContentOnlyBySendingItPublishesNoContentAlreadyBackedUp() {
    byte[] content = source.add("b/IMG_0006.JPG", 5000);
    // Unread before its upload (it was away when the engine read it), and a copy of a backup.
    Asset unread = source.asset("b/IMG_0006.JPG");

    uploadOf(unread, settings, backupsOf(sha256(content))).runCommand(FileUpload.Begin::new);

    FileUpload.Copy copy = (FileUpload.Copy) awaitOutcome();
    assertThat(copy.sha256()).isEqualTo(sha256(content));
    assertThat(copy.reason()).contains("b/IMG_0006.JPG").contains("recorded as its copy");
    assertThat(target.file("b/IMG_0006.JPG")).as("not published a second time").isEmpty();
    assertThat(journal(unread)).noneMatch(FileUpload.UploadCompleted.class::isInstance);
    assertThat(journal(unread)).last().isInstanceOf(FileUpload.UploadSkipped.class);
  }

  @Test
  void anUploadThatLearnsItsContentOnlyBySendingItPublishesANewContent() {
    byte[] content = source.add("b/IMG_0007.JPG", 5000);
    Asset unread = source.asset("b/IMG_0007.JPG");

    uploadOf(unread, settings, backupsOf("0".repeat(64))).runCommand(FileUpload.Begin::new);

    FileUpload.Uploaded uploaded = (FileUpload.Uploaded) awaitOutcome();
    assertThat(uploaded.file().sha256()).isEqualTo(sha256(content));
    assertThat(target.file("b/IMG_0007.JPG")).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(content));
  }

  /** The library's backups: one content, under a name other than the upload's. */
  private static KnownBackups backupsOf(String sha256) {
    return new KnownBackups() {
      @Override
      public boolean mayHoldBackup(String remotePath, RemoteState.Complete found) {
        return found.sha256().map(sha256::equals).orElse(true);
      }

      @Override
      public boolean holdsContent(String content) {
        return content.equals(sha256);
      }
    };
  }
}
