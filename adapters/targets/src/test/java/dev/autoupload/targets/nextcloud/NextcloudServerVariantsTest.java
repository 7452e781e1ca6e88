package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.upload.ConflictPolicy;
import dev.autoupload.engine.upload.RemoteDecision;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.nextcloud.NextcloudChunkingServer.Request;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nextcloud deployments the plain test server does not show: object storage that keeps no
 * checksum for an assembled upload, servers that record it with 0 bytes, and an assembly that
 * outlasts a proxy's timeout. Each test proves what is stored (sha256 of the bytes on the server)
 * and what was sent (bytes the server received).
 */
class NextcloudServerVariantsTest {

  private static final int CHUNK = (int) NextcloudTarget.MIN_CHUNK_SIZE;
  private static final String ROOT = "phone";

  @TempDir Path serverDir;
  @TempDir Path spoolDir;

  private NextcloudChunkingServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
    target(Duration.ofSeconds(30)).check();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  // ---- object storage without checksum storage ----

  @Test
  void aLargeFileOnAServerWithoutChecksumStorageIsStoredAndProbedWithoutAHash() throws Exception {
    server.withoutChecksumStorage();
    byte[] content = bytes(2 * CHUNK + 9, 1);

    RemoteFile file = upload(target(Duration.ofSeconds(30)), "clip.mov", content);

    assertThat(file).isEqualTo(new RemoteFile("clip.mov", content.length, sha(content)));
    assertThat(sha(Files.readAllBytes(stored("clip.mov")))).isEqualTo(sha(content));
    assertThat(server.checksumOf(ROOT + "/clip.mov")).isEmpty();
    assertThat(target(Duration.ofSeconds(30)).probe("clip.mov"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.empty()));
  }

  @Test
  void aFileWithoutAHashIsReadBackToTellTheSameFileFromAConflict() throws Exception {
    server.withoutChecksumStorage();
    byte[] content = bytes(2 * CHUNK + 9, 2);
    byte[] other = bytes(2 * CHUNK + 9, 3);
    upload(target(Duration.ofSeconds(30)), "twice.mov", content);
    server.resetCounters();

    RemoteFile again = upload(target(Duration.ofSeconds(30)), "twice.mov", content);
    long readsOfTheFile = gets("/" + ROOT + "/twice.mov");
    UploadError onOther = errorOf(() -> upload(target(Duration.ofSeconds(30)), "twice.mov", other));

    assertThat(again).isEqualTo(new RemoteFile("twice.mov", content.length, sha(content)));
    assertThat(readsOfTheFile).as("GETs of the file already there").isEqualTo(1);
    assertThat(onOther).isInstanceOf(UploadError.Conflict.class);
    assertThat(onOther.message()).contains("different content");
    assertThat(sha(Files.readAllBytes(stored("twice.mov")))).isEqualTo(sha(content));
  }

  // ---- size 0 in PROPFIND after an assembly ----

  @Test
  void anAssemblyRecordedWithZeroBytesIsReadBackSoTheFileCountsAsBackedUp() throws Exception {
    server.withoutChecksumStorage();
    server.recordingZeroSizeAfterAssembly();
    byte[] content = bytes(3 * CHUNK + 5, 4);

    RemoteFile file = upload(target(Duration.ofSeconds(30)), "zero.mov", content);
    long sent = server.putBytesReceived();
    RemoteState probed = target(Duration.ofSeconds(30)).probe("zero.mov");

    assertThat(file).isEqualTo(new RemoteFile("zero.mov", content.length, sha(content)));
    assertThat(sent).as("bytes sent").isEqualTo(content.length);
    assertThat(sha(Files.readAllBytes(stored("zero.mov")))).isEqualTo(sha(content));
    assertThat(probed).isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha(content))));
    RemoteDecision decision =
        RemoteDecision.decide(
            new RemoteDecision.Found(
                "zero.mov", "zero.mov", false, content.length, sha(content), null,
                (RemoteState.Complete) probed, ConflictPolicy.KEEP_BOTH, false));
    assertThat(decision).isInstanceOf(RemoteDecision.AlreadyThere.class);
  }

  // ---- an assembly that outlasts the MOVE ----

  @ParameterizedTest
  @ValueSource(ints = {423, 504})
  void anAssemblyStillRunningWhenTheMoveIsAnsweredIsAwaitedAndNothingIsSentTwice(int status) throws Exception {
    server.assemblingSlowly(status, Duration.ofMillis(600));
    byte[] content = bytes(3 * CHUNK + 1, 5);

    RemoteFile file = upload(target(Duration.ofSeconds(30)), "slow.mov", content);

    assertThat(file).isEqualTo(new RemoteFile("slow.mov", content.length, sha(content)));
    assertThat(server.putBytesReceived()).as("bytes sent").isEqualTo(content.length);
    assertThat(server.requests().stream().filter(r -> r.method().equals("MOVE") && r.path().endsWith("/.file")))
        .as("assembling MOVEs")
        .hasSize(1);
    assertThat(sha(Files.readAllBytes(stored("slow.mov")))).isEqualTo(sha(content));
    assertThat(server.uploadDestinations()).isEmpty();
  }

  @Test
  void anAssemblyOutlastingTheWaitIsFoundByTheNextAttemptWithoutSendingAgain() throws Exception {
    server.assemblingSlowly(504, Duration.ofMillis(2500));
    byte[] content = bytes(2 * CHUNK + 3, 6);

    UploadError first = errorOf(() -> upload(target(Duration.ofSeconds(1)), "late.mov", content));
    awaitAssembled("late.mov");
    RemoteFile file;
    long offsetOfTheNextAttempt;
    try (UploadSession session = target(Duration.ofSeconds(30)).open("late.mov", content.length)) {
      offsetOfTheNextAttempt = session.offset();
      file = session.complete(content.length, sha(content));
    }

    assertThat(first).isInstanceOf(UploadError.Transient.class);
    assertThat(first.message()).contains("HTTP 504").contains("the chunks stay");
    assertThat(offsetOfTheNextAttempt).isEqualTo(content.length);
    assertThat(file).isEqualTo(new RemoteFile("late.mov", content.length, sha(content)));
    assertThat(server.putBytesReceived()).as("bytes sent").isEqualTo(content.length);
    assertThat(sha(Files.readAllBytes(stored("late.mov")))).isEqualTo(sha(content));
    assertThat(Files.exists(stored(".late.mov" + NextcloudTarget.PART_SUFFIX))).isFalse();
  }

  @Test
  void anAssemblyThatDiedIsRunAgainFromTheChunksOnTheServer() throws Exception {
    server.assemblyDying(504);
    byte[] content = bytes(2 * CHUNK + 3, 7);

    UploadError first = errorOf(() -> upload(target(Duration.ofSeconds(1)), "died.mov", content));
    server.assemblingInTheRequest();
    RemoteFile file;
    long offsetOfTheNextAttempt;
    try (UploadSession session = target(Duration.ofSeconds(30)).open("died.mov", content.length)) {
      offsetOfTheNextAttempt = session.offset();
      file = session.complete(content.length, sha(content));
    }

    assertThat(first).isInstanceOf(UploadError.Transient.class);
    assertThat(offsetOfTheNextAttempt).isEqualTo(content.length);
    assertThat(file).isEqualTo(new RemoteFile("died.mov", content.length, sha(content)));
    assertThat(server.putBytesReceived()).as("bytes sent").isEqualTo(content.length);
    assertThat(sha(Files.readAllBytes(stored("died.mov")))).isEqualTo(sha(content));
  }

  @Test
  void aPartAnEarlierUploadLeftIsNeverPublishedForAnAssemblyTheServerDidNotConfirm() throws Exception {
    byte[] content = bytes(2 * CHUNK, 9);
    byte[] earlier = bytes(2 * CHUNK, 10);
    NextcloudTarget target = target(Duration.ofSeconds(30));
    UploadError error;
    try (UploadSession session = target.open("stale.mov", content.length)) {
      send(session, content);
      // The chunks expire and an earlier version's part of the same size is left beside the name:
      // the assembling MOVE is answered 404, and looking finds a part of the right size.
      server.expireUploads();
      Files.write(stored(".stale.mov" + NextcloudTarget.PART_SUFFIX), earlier);
      error = errorOf(() -> session.complete(content.length, sha(content)));
    }

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("read back");
    assertThat(stored("stale.mov")).doesNotExist();
    assertThat(stored(".stale.mov" + NextcloudTarget.PART_SUFFIX)).doesNotExist();
    assertThat(gets(".stale.mov" + NextcloudTarget.PART_SUFFIX)).as("GETs of the part").isEqualTo(1);
  }

  // ---- helpers ----

  private NextcloudTarget target(Duration readTimeout) {
    return target(server.origin(), readTimeout);
  }

  private NextcloudTarget target(URI origin, Duration readTimeout) {
    // A fast minimum rate: the wait for an assembly is bounded by the read timeout alone.
    return new NextcloudTarget(
        origin,
        NextcloudChunkingServer.USER,
        "/" + ROOT,
        CHUNK,
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), readTimeout, 1024L * 1024 * 1024)
            .withSpoolDir(spoolDir)
            .withPassword(NextcloudChunkingServer.PASSWORD));
  }

  // ---- a server that lies ----

  /**
   * A server that answers 200 to every chunk and to the assembly but reports another size for the
   * assembled part: nothing is published under the name, the attempt is retried, and once the
   * server tells the truth the file is stored whole.
   */
  @Test
  void aServerReportingAnotherSizeForTheAssembledPartGetsNothingPublished() throws Exception {
    byte[] content = bytes(2 * CHUNK + 9, 21);
    try (FaultProxy proxy = FaultProxy.start(server.origin())) {
      NextcloudTarget lied = target(proxy.uri(), Duration.ofSeconds(30));
      proxy.failEvery(
          request -> request.method().equals("PROPFIND") && request.target().contains(NextcloudTarget.PART_SUFFIX),
          FaultProxy.Fault.lie(body -> body.replaceAll("(?i)(<[a-z0-9]+:getcontentlength>)", "$19")));

      UploadError error = errorOf(() -> upload(lied, "clip.mov", content));

      assertThat(error).isInstanceOf(UploadError.Transient.class);
      assertThat(error.message()).contains("expected " + content.length);
      assertThat(stored("clip.mov")).doesNotExist();

      proxy.passThrough();
      RemoteFile file = upload(lied, "clip.mov", content);

      assertThat(file).isEqualTo(new RemoteFile("clip.mov", content.length, sha(content)));
      assertThat(sha(Files.readAllBytes(stored("clip.mov")))).isEqualTo(sha(content));
    }
  }

  /** Waits until the server finished the assembly in the background; fails after 20 s. */
  private void awaitAssembled(String name) throws Exception {
    assertThat(server.awaitBackgroundAssemblies(Duration.ofSeconds(20))).as("the server's assembly finished").isTrue();
    assertThat(stored("." + name + NextcloudTarget.PART_SUFFIX)).exists();
  }

  private long gets(String suffix) {
    return server.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith(suffix))
        .map(Request::path)
        .count();
  }

  private static RemoteFile upload(NextcloudTarget to, String name, byte[] content) throws UploadException {
    try (UploadSession session = to.open(name, content.length)) {
      send(session, content);
      return session.complete(content.length, sha(content));
    }
  }

  private static void send(UploadSession session, byte[] content) throws UploadException {
    long offset = session.offset();
    while (offset < content.length) {
      int n = (int) Math.min(CHUNK, content.length - offset);
      offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
    }
  }

  private Path stored(String relative) {
    return server.userFiles().resolve(ROOT).resolve(relative);
  }

  private static UploadError errorOf(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    UploadException thrown = catchThrowableOfType(UploadException.class, call);
    assertThat(thrown).as("the call failed with an UploadException").isNotNull();
    return thrown.error();
  }

  private static String sha(byte[] content) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(content);
    return Sha256.hex(digest);
  }

  private static byte[] bytes(int size, long seed) {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return content;
  }
}
