package dev.autoupload.targets.koofr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.SpoolDamage;
import dev.autoupload.targets.TargetSettings;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

/** What the Koofr target does against an API that behaves like Koofr's, and against one that does not. */
class KoofrTargetTest {

  private static final String ROOT = "/Backup/Phone";

  @TempDir Path spoolDir;

  private FakeKoofr koofr;
  private KoofrTarget target;

  @BeforeEach
  void startKoofr() throws Exception {
    koofr = FakeKoofr.start();
    target = target(koofr.endpoint(), "Koofr", FakeKoofr.APP_PASSWORD);
  }

  @AfterEach
  void stopKoofr() {
    target.close();
    koofr.close();
  }

  private KoofrTarget target(URI endpoint, String mount, String password) {
    return new KoofrTarget(endpoint, FakeKoofr.EMAIL, mount, ROOT, settings().withPassword(password));
  }

  private TargetSettings settings() {
    return TargetSettings.defaults()
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 64 * 1024)
        .withSpoolDir(spoolDir);
  }

  @Test
  void storesInTheMountNamedInTheUriAndNowhereElse() throws Exception {
    KoofrTarget dropbox = target(koofr.endpoint(), "Dropbox", FakeKoofr.APP_PASSWORD);
    byte[] content = random(10_000, 1);

    upload(dropbox, "2024/IMG_0001.jpg", content);

    assertThat(koofr.read("Dropbox", ROOT + "/2024/IMG_0001.jpg")).hasValue(content);
    assertThat(koofr.read("Koofr", ROOT + "/2024/IMG_0001.jpg")).isEmpty();
  }

  @Test
  void discardRemovesAPartAKillLeftBetweenItsUploadAndItsMoveAndKeepsTheFile() throws Exception {
    byte[] kept = random(3000, 40);
    upload(target, "2024/kept.jpg", kept);
    koofr.store("Koofr", ROOT + "/2024/.clip.mov" + KoofrTarget.PART_SUFFIX, random(5000, 41));

    target.discard("2024/clip.mov", Optional.empty());
    target.discard("2024/clip.mov", Optional.empty());
    target.discard("2024/kept.jpg", Optional.empty());

    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("2024/kept.jpg");
    assertThat(koofr.read("Koofr", ROOT + "/2024/kept.jpg")).hasValue(kept);
  }

  @Test
  void findsAMountByItsIdToo() throws Exception {
    KoofrTarget byId = target(koofr.endpoint(), koofr.mountId("Dropbox"), FakeKoofr.APP_PASSWORD);
    byte[] content = random(100, 2);

    upload(byId, "a.jpg", content);

    assertThat(koofr.read("Dropbox", ROOT + "/a.jpg")).hasValue(content);
  }

  @Test
  void anUnknownMountIsAPermanentErrorThatNamesTheMountsThereAre() {
    KoofrTarget nowhere = target(koofr.endpoint(), "Photos", FakeKoofr.APP_PASSWORD);

    UploadError error = errorOf(nowhere::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message())
        .contains("no mount \"Photos\"", "\"Koofr\"", "\"Dropbox\"", koofr.mountId("Dropbox"))
        .doesNotContain(FakeKoofr.APP_PASSWORD);
  }

  @Test
  void twoMountsOfTheSameNameMustBeNamedById() {
    koofr.addMount("Shared", false);
    koofr.addMount("Shared", false);

    UploadError error = errorOf(target(koofr.endpoint(), "Shared", FakeKoofr.APP_PASSWORD)::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("several Koofr mounts are named \"Shared\"", "id");
  }

  @Test
  void checkMakesTheTargetFolderAndProbeReportsSizeAndMd5() throws Exception {
    byte[] content = random(70_000, 3);
    target.check();
    upload(target, "clip.mov", content);

    RemoteState state = target.probe("clip.mov");

    assertThat(state).isEqualTo(new RemoteState.Complete(content.length, Optional.empty(), Optional.of(md5(content))));
    assertThat(target.probe("other.mov")).isEqualTo(new RemoteState.Absent());
  }

  @ParameterizedTest(name = "hash {0}")
  @ValueSource(strings = {"left out", "empty"})
  void aMountWithoutHashesIsVerifiedByReadingBackAndAnIdenticalFileIsNotSentAgain(String style) throws Exception {
    koofr.withoutHashes("Dropbox", style.equals("empty"));
    koofr.answerExistsWith(400);
    KoofrTarget dropbox = target(koofr.endpoint(), "Dropbox", FakeKoofr.APP_PASSWORD);
    byte[] content = random(90_000, 11);

    RemoteFile stored = upload(dropbox, "2024/IMG_0100.jpg", content);
    long uploads = koofr.uploads();
    RemoteFile again = upload(target(koofr.endpoint(), "Dropbox", FakeKoofr.APP_PASSWORD), "2024/IMG_0100.jpg", content);
    UploadError other = errorOf(() -> upload(dropbox, "2024/IMG_0100.jpg", random(90_000, 12)));

    assertThat(stored).isEqualTo(new RemoteFile("2024/IMG_0100.jpg", content.length, sha256(content)));
    assertThat(dropbox.probe("2024/IMG_0100.jpg"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.empty(), Optional.empty()));
    assertThat(again).isEqualTo(stored);
    assertThat(koofr.uploads()).as("nothing sent for the identical file").isEqualTo(uploads);
    assertThat(other).as("another content of the same size").isInstanceOf(UploadError.Conflict.class);
    assertThat(koofr.read("Dropbox", ROOT + "/2024/IMG_0100.jpg")).hasValue(content);
  }

  @Test
  void anIdenticalFileAlreadyOnKoofrIsNotSentAgain() throws Exception {
    byte[] content = random(200_000, 4);
    upload(target, "2024/06/IMG_0002.jpg", content);
    long uploadsBefore = koofr.uploads();
    long bytesBefore = koofr.uploadedBytes();

    KoofrTarget afterRestart = target(koofr.endpoint(), "Koofr", FakeKoofr.APP_PASSWORD);
    RemoteFile again = upload(afterRestart, "2024/06/IMG_0002.jpg", content);

    assertThat(again).isEqualTo(new RemoteFile("2024/06/IMG_0002.jpg", content.length, sha256(content)));
    assertThat(koofr.uploads()).isEqualTo(uploadsBefore);
    assertThat(koofr.uploadedBytes()).isEqualTo(bytesBefore);
    assertThat(koofr.read("Koofr", ROOT + "/2024/06/IMG_0002.jpg")).hasValue(content);
  }

  @Test
  void aDifferentFileUnderTheNameIsAConflictAndIsKeptWithoutSendingAByte() throws Exception {
    byte[] original = random(5_000, 5);
    koofr.store("Koofr", ROOT + "/photo.jpg", original);

    UploadError error = errorOf(() -> upload(target, "photo.jpg", random(5_000, 6)));

    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(error.message()).contains(ROOT + "/photo.jpg", "different content");
    assertThat(koofr.read("Koofr", ROOT + "/photo.jpg")).hasValue(original);
    assertThat(koofr.uploads()).isZero();
  }

  @Test
  void aNameThatDiffersOnlyInCaseIsTheSameNameOnKoofr() throws Exception {
    byte[] original = random(5_000, 7);
    koofr.store("Koofr", ROOT + "/IMG_0003.JPG", original);

    UploadError error = errorOf(() -> upload(target, "img_0003.jpg", random(5_000, 8)));

    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("IMG_0003.JPG");
    assertThat(koofr.read("Koofr", ROOT + "/IMG_0003.JPG")).hasValue(original);
  }

  @Test
  void aDifferentFileAppearingDuringTheUploadIsKeptAndTheUploadRemoved() throws Exception {
    byte[] theirs = random(3_000, 9);
    target.check();
    koofr.onNextUpload(() -> koofr.store("Koofr", ROOT + "/race.jpg", theirs));

    UploadError error = errorOf(() -> upload(target, "race.jpg", random(3_000, 10)));

    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(koofr.read("Koofr", ROOT + "/race.jpg")).hasValue(theirs);
    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("race.jpg");
  }

  @Test
  void theSameFileAppearingDuringTheUploadCountsAsStored() throws Exception {
    byte[] content = random(3_000, 11);
    target.check();
    koofr.onNextUpload(() -> koofr.store("Koofr", ROOT + "/same.jpg", content));

    RemoteFile stored = upload(target, "same.jpg", content);

    assertThat(stored.sha256()).isEqualTo(sha256(content));
    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("same.jpg");
  }

  @Test
  void aPartLeftByACrashIsReplacedNotRenamed() throws Exception {
    byte[] content = random(40_000, 12);
    koofr.store("Koofr", ROOT + "/.clip.mp4.autoupload-part", random(1_000, 13));

    upload(target, "clip.mp4", content);

    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("clip.mp4");
    assertThat(koofr.read("Koofr", ROOT + "/clip.mp4")).hasValue(content);
    assertThat(koofr.requests())
        .filteredOn(r -> r.contains("/files/put?"))
        .singleElement()
        .asString()
        .contains("filename=.clip.mp4.autoupload-part", "info=true", "overwrite=true", "autorename=false");
  }

  @Test
  void bytesKoofrStoredWrongAreNeverPublishedAndTheNextAttemptSucceeds() throws Exception {
    byte[] content = random(50_000, 14);
    koofr.corruptNextUpload();

    UploadError error = errorOf(() -> upload(target, "lost.jpg", content));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("verification failed", "MD5 " + md5(content));
    assertThat(koofr.files("Koofr", ROOT)).isEmpty();
    upload(target, "lost.jpg", content);
    assertThat(koofr.read("Koofr", ROOT + "/lost.jpg")).hasValue(content);
  }

  @Test
  void aFolderRemovedBehindItsBackIsReportedWithKoofrsMessageAndMadeAgain() throws Exception {
    upload(target, "2024/a.jpg", random(100, 15));
    koofr.delete("Koofr", ROOT + "/2024");

    UploadError error = errorOf(() -> upload(target, "2024/b.jpg", random(100, 16)));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("folder is missing", "File not found (NotFound)");
    upload(target, "2024/b.jpg", random(100, 16));
    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("2024/b.jpg");
  }

  @Test
  void aFolderWhereTheFileShouldBeIsPermanent() throws Exception {
    upload(target, "album/x.jpg", random(10, 17));

    assertThat(errorOf(() -> target.probe("album"))).isInstanceOf(UploadError.Permanent.class);
    assertThat(errorOf(() -> upload(target, "album", random(10, 18)))).isInstanceOf(UploadError.Permanent.class);
  }

  @Test
  void aWrongAppPasswordIsUnauthorizedAndNeverQuoted() {
    String wrong = "wrong-pw-Zk81";
    KoofrTarget refused = target(koofr.endpoint(), "Koofr", wrong);

    UploadError error = errorOf(refused::check);

    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(error.message()).contains("HTTP 401").doesNotContain(wrong);
  }

  @Test
  void noAppPasswordIsUnauthorizedAndSaysWhereToSetIt() {
    KoofrTarget anonymous = new KoofrTarget(koofr.endpoint(), FakeKoofr.EMAIL, "Koofr", ROOT, settings());

    UploadError error = errorOf(anonymous::check);

    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(error.message()).contains("autoupload.target.password", TargetSettings.PASSWORD_VARIABLE);
    assertThat(koofr.requests()).isEmpty();
  }

  @Test
  void describesTheAccountMountAndFolderWithoutThePassword() {
    assertThat(target.describe())
        .isEqualTo("koofr://" + FakeKoofr.EMAIL + "@Koofr" + ROOT + " at " + koofr.endpoint())
        .doesNotContain(FakeKoofr.APP_PASSWORD);
  }

  @Test
  void garbageInsteadOfKoofrsJsonIsAClearError() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(koofr.endpoint())) {
      proxy.failNext(Fault.status(200).body("<html><body>Welcome to the hotel Wi-Fi</body></html>"));
      UploadError onMounts = errorOf(target(proxy.uri(), "Koofr", FakeKoofr.APP_PASSWORD)::check);

      KoofrTarget confused = target(proxy.uri(), "Koofr", FakeKoofr.APP_PASSWORD);
      confused.check();
      proxy.failNext(Fault.status(200).body("{\"name\": 42}"));
      UploadError onInfo = errorOf(() -> confused.probe("a.jpg"));

      assertThat(onMounts).isInstanceOf(UploadError.Permanent.class);
      assertThat(onMounts.message()).contains("Koofr mounts", "not the JSON Koofr sends", "hotel Wi-Fi");
      assertThat(onInfo).isInstanceOf(UploadError.Permanent.class);
      assertThat(onInfo.message()).contains("files/info " + ROOT + "/a.jpg", "not the JSON Koofr sends", "42");
    }
  }

  /**
   * A spool file damaged between its writing and its upload: the request is cut short before its
   * last byte (Koofr keeps nothing of a request that did not arrive whole), the error is transient
   * and says why, and the next attempt stores the file whole.
   */
  @Test
  void aSpoolFileDamagedBeforeItIsSentIsCutShortAndNothingIsStored() throws Exception {
    byte[] content = random(200_000, 24);

    UploadError error;
    try (UploadSession session = target.open("2024/damaged.jpg", content.length)) {
      session.append(0, ByteBuffer.wrap(content));
      SpoolDamage.flipABitOfTheOnlySpoolFile(spoolDir);
      error = errorOf(() -> session.complete(content.length, sha256(content)));
    }

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("no longer holds the bytes written to it");
    assertThat(koofr.files("Koofr", ROOT)).isEmpty();
    upload(target, "2024/damaged.jpg", content);
    assertThat(koofr.files("Koofr", ROOT)).containsOnlyKeys("2024/damaged.jpg");
    assertThat(koofr.read("Koofr", ROOT + "/2024/damaged.jpg")).hasValue(content);
  }

  @Test
  void spoolFilesAreGoneOnceTheSessionCloses() throws Exception {
    upload(target, "a.jpg", random(1000, 19));
    try (UploadSession session = target.open("b.jpg", 10)) {
      session.append(0, ByteBuffer.wrap(new byte[5]));
    }

    try (var left = Files.list(spoolDir)) {
      assertThat(left).isEmpty();
    }
  }

  private static RemoteFile upload(KoofrTarget to, String remotePath, byte[] content) throws UploadException {
    try (UploadSession session = to.open(remotePath, content.length)) {
      int chunk = 16 * 1024;
      for (int offset = 0; offset < content.length; offset += chunk) {
        int length = Math.min(chunk, content.length - offset);
        session.append(offset, ByteBuffer.wrap(content, offset, length));
      }
      return session.complete(content.length, sha256(content));
    }
  }

  private static UploadError errorOf(ThrowingCallable call) {
    return catchThrowableOfType(UploadException.class, call).error();
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) {
    return digest("SHA-256", bytes);
  }

  private static String md5(byte[] bytes) {
    return digest("MD5", bytes);
  }

  private static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
