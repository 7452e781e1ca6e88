package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Nextcloud target makes of a misbehaving server: faults injected by a proxy in front of
 * the chunking test server, each classified the way the engine acts on (retry later, pause, give
 * up), and a chunk cut off mid-way costing at most that chunk.
 */
class NextcloudErrorClassificationTest {

  private static final int CHUNK = (int) NextcloudTarget.MIN_CHUNK_SIZE;

  /** Sabre's error body, as Nextcloud answers a request on a file another request holds. */
  private static final String LOCKED_BODY =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">\n"
          + "  <s:exception>OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked</s:exception>\n"
          + "  <s:message>\"photo.jpg\" is locked</s:message>\n</d:error>";

  @TempDir static Path serverDir;
  @TempDir Path spoolDir;

  private static NextcloudChunkingServer server;
  private static int roots;
  private FaultProxy proxy;
  private NextcloudTarget target;
  private String rootName;

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void proxyInFront() throws Exception {
    server.expireUploads();
    proxy = FaultProxy.start(server.origin());
    rootName = "faults-" + ++roots;
    target =
        new NextcloudTarget(
            proxy.uri(),
            NextcloudChunkingServer.USER,
            "/" + rootName,
            CHUNK,
            TargetSettings.defaults()
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), 1024 * 1024)
                .withSpoolDir(spoolDir)
                .withPassword(NextcloudChunkingServer.PASSWORD));
    target.check();
  }

  @AfterEach
  void stopProxy() {
    proxy.close();
  }

  private UploadError probeWith(Fault fault) {
    proxy.failNext(fault);
    return catchThrowableOfType(UploadException.class, () -> target.probe("photo.jpg")).error();
  }

  @Test
  void aResetConnectionMeansTheTargetIsUnreachable() {
    assertThat(probeWith(Fault.reset())).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void aServerErrorMeansTheTargetIsUnreachable() {
    assertThat(probeWith(Fault.status(500))).isInstanceOf(UploadError.Unreachable.class);
  }

  @Test
  void unavailableWithRetryAfterIsUnreachableAndKeepsTheDelay() {
    UploadError error = probeWith(Fault.status(503).retryAfter(7));

    assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    assertThat(((UploadError.Unreachable) error).retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void unauthorizedIsUnauthorized() {
    assertThat(probeWith(Fault.status(401))).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void aLockedFileIsTransientAndQuotesNextcloudsMessage() {
    UploadError error = probeWith(Fault.status(423).body(LOCKED_BODY));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("423", "\"photo.jpg\" is locked").doesNotContain("FileLocked", "<");
  }

  @Test
  void insufficientStorageOnAChunkIsQuotaExceededAndNothingIsPublished() throws Exception {
    byte[] content = bytes(2 * CHUNK + 1, 1);
    proxy.failNext("PUT", Fault.status(507));

    UploadError error = catchThrowableOfType(UploadException.class, () -> upload(content)).error();

    assertThat(error).isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(target.probe("clip.mov")).isEqualTo(new RemoteState.Absent());
  }

  @Test
  void anUploadNextcloudLostTrackOfIsDiscardedAndStartsOver() throws Exception {
    byte[] content = bytes(2 * CHUNK + 5, 3);
    proxy.failNext(
        "PUT",
        Fault.status(412)
            .body(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">"
                    + "<s:exception>Sabre\\DAV\\Exception\\PreconditionFailed</s:exception><s:message>Missing metadata"
                    + " for chunked upload. The distributed cache does not hold the information of previous"
                    + " requests.</s:message></d:error>"));

    UploadError error = catchThrowableOfType(UploadException.class, () -> upload(content)).error();

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("Missing metadata for chunked upload");
    try (var folders = Files.list(server.userUploads())) {
      assertThat(folders).isEmpty();
    }
    upload(content);
    assertThat(Files.readAllBytes(server.userFiles().resolve(rootName).resolve("clip.mov"))).isEqualTo(content);
  }

  @Test
  void aChunkCutOffMidwayMeansTheTargetIsUnreachableAndTheResumeSendsAtMostThatChunkAgain() throws Exception {
    byte[] content = bytes(3 * CHUNK + 11, 2);
    try (UploadSession session = target.open("clip.mov", content.length)) {
      session.append(0, ByteBuffer.wrap(content, 0, CHUNK));
      proxy.failNext("PUT", Fault.cutAfter(CHUNK / 2));
      UploadError error =
          catchThrowableOfType(
                  UploadException.class, () -> session.append(CHUNK, ByteBuffer.wrap(content, CHUNK, CHUNK)))
              .error();
      assertThat(error).isInstanceOf(UploadError.Unreachable.class);
    }

    assertThat(target.probe("clip.mov")).isEqualTo(new RemoteState.Partial(CHUNK));
    upload(content);

    assertThat(Files.readAllBytes(server.userFiles().resolve(rootName).resolve("clip.mov"))).isEqualTo(content);
    long propfindBodies =
        proxy.exchanges().stream().filter(e -> e.method().equals("PROPFIND")).mapToLong(FaultProxy.Exchange::bodyBytes).sum();
    long sentTwice = proxy.forwardedBodyBytes() - propfindBodies - content.length;
    assertThat(sentTwice).as("file bytes that reached the server twice").isBetween(CHUNK / 2L, (long) CHUNK);
  }

  private void upload(byte[] content) throws UploadException {
    try (UploadSession session = target.open("clip.mov", content.length)) {
      long offset = session.offset();
      while (offset < content.length) {
        int n = (int) Math.min(CHUNK, content.length - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
      }
      MessageDigest digest = Sha256.newDigest();
      digest.update(content);
      session.complete(content.length, Sha256.hex(digest));
    }
  }

  private static byte[] bytes(int size, long seed) {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return content;
  }
}
