package dev.autoupload.targets.tus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy.Fault;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is particular to tus, against a real tus-java-server (behind a {@link FaultProxy} where
 * the wire must misbehave): resuming by the upload URL after a restart, an offset moved by someone
 * else, an upload that vanished, damaged chunks caught by the checksum extension, a server that is
 * not tus, where the server puts new uploads, and credentials kept out of everything printed.
 */
class TusTargetTest {

  private static final int CHUNK = 16 * 1024;
  private static final TargetSettings SETTINGS =
      TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20), 64 * 1024);

  @TempDir Path storage;
  private TusServer server;
  private FaultProxy proxy;

  @BeforeEach
  void startServer() throws Exception {
    server = TusServer.start(storage);
    proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + server.port()));
  }

  @AfterEach
  void stopServer() throws Exception {
    proxy.close();
    server.close();
  }

  private TusTarget direct() {
    return new TusTarget(server.creationUrl(), Optional.empty(), SETTINGS, CHUNK);
  }

  private TusTarget viaProxy() {
    return new TusTarget(proxy.uri().resolve(TusServer.FILES), Optional.empty(), SETTINGS, CHUNK);
  }

  @Test
  void resumesByItsTokenAfterADroppedSessionSendingAtMostOneChunkTwice() throws Exception {
    byte[] content = randomBytes(5 * CHUNK + 123, 1);
    String token;
    UploadSession first = viaProxy().open("clip.mp4", content.length);
    token = first.resumeToken().orElseThrow();
    send(first, content, 2 * CHUNK);
    proxy.failNext("PATCH", Fault.cutAfter(CHUNK / 2));
    UploadError cut = errorOf(() -> send(first, content, 3 * CHUNK));
    first.close();
    server.awaitHandled("PATCH", 3, Duration.ofSeconds(10));

    TusTarget afterRestart = viaProxy();
    RemoteState probed = afterRestart.probe("clip.mp4", Optional.of(token));
    UploadSession resumed = afterRestart.open("clip.mp4", content.length, Optional.of(token));
    long resumedAt = resumed.offset();
    send(resumed, content, content.length);
    RemoteFile stored = resumed.complete(content.length, sha256(content));

    assertThat(cut).isInstanceOf(UploadError.Unreachable.class);
    assertThat(probed).isEqualTo(new RemoteState.Partial(resumedAt));
    assertThat(resumedAt).isBetween(2L * CHUNK, 3L * CHUNK);
    assertThat(resumed.resumeToken()).contains(token);
    assertThat(stored).isEqualTo(new RemoteFile("clip.mp4", content.length, sha256(content)));
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(content));
    assertThat(proxy.forwardedBodyBytes() - content.length).as("bytes sent twice").isBetween(0L, (long) CHUNK);
  }

  @Test
  void anOffsetMovedByAnotherSessionIsProbedAgainAndReportedAsTransient() throws Exception {
    byte[] content = randomBytes(4 * CHUNK, 2);
    UploadSession first = direct().open("moved.jpg", content.length);
    String token = first.resumeToken().orElseThrow();
    send(first, content, CHUNK);
    UploadSession other = direct().open("moved.jpg", content.length, Optional.of(token));
    send(other, content, 2 * CHUNK);
    other.close();

    UploadError error = errorOf(() -> send(first, content, 3 * CHUNK));
    first.close();
    UploadSession next = direct().open("moved.jpg", content.length, Optional.of(token));
    long nextAt = next.offset();
    send(next, content, content.length);
    next.complete(content.length, sha256(content));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("HTTP 409").contains("holds " + 2 * CHUNK + " bytes");
    assertThat(nextAt).isEqualTo(2L * CHUNK);
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(content));
  }

  @Test
  void aServerThatAnswers403ForAnUnknownUploadGetsANewOne() throws Exception {
    byte[] content = randomBytes(2 * CHUNK + 7, 4);
    UploadSession first = viaProxy().open("forbidden.jpg", content.length);
    String token = first.resumeToken().orElseThrow();
    send(first, content, CHUNK);
    first.close();
    server.delete(URI.create(token));
    // tusd behind some gateways, and the protocol, allow 403 for an upload the server does not know.
    // A HEAD answer has no body.
    proxy.failNext("HEAD", Fault.status(403).body("")).failNext("HEAD", Fault.status(403).body(""));

    RemoteState probed = viaProxy().probe("forbidden.jpg", Optional.of(token));
    UploadSession again = viaProxy().open("forbidden.jpg", content.length, Optional.of(token));
    send(again, content, content.length);
    again.complete(content.length, sha256(content));

    assertThat(probed).isEqualTo(new RemoteState.Absent());
    assertThat(again.resumeToken()).isPresent().isNotEqualTo(Optional.of(token));
    assertThat(server.finishedUploadsNamed("forbidden.jpg")).hasSize(1);
  }

  @Test
  void a403OnTheCreationAfterOneOnHeadIsRefusedCredentials() throws Exception {
    proxy.failNext("HEAD", Fault.status(403).body("")).failNext("POST", Fault.status(403));
    String unknown = proxy.uri().resolve(TusServer.FILES + "0123456789abcdef").toString();

    UploadError error = errorOf(() -> viaProxy().open("refused.jpg", 10, Optional.of(unknown)));

    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void theChecksumIsTheBestTheServerListsSha1TooAndNoneWithoutTheExtension() {
    assertThat(new TusTarget.Capabilities(Set.of("creation", "checksum"), Set.of("md5", "sha1", "sha256")).checksumAlgorithm())
        .contains(Map.entry("sha256", "SHA-256"));
    assertThat(new TusTarget.Capabilities(Set.of("creation", "checksum"), Set.of("sha1")).checksumAlgorithm())
        .as("the one the protocol requires")
        .contains(Map.entry("sha1", "SHA-1"));
    assertThat(new TusTarget.Capabilities(Set.of("creation", "checksum"), Set.of("crc32")).checksumAlgorithm()).isEmpty();
    assertThat(new TusTarget.Capabilities(Set.of("creation"), Set.of("sha256")).checksumAlgorithm()).isEmpty();
  }

  @Test
  void anHttpLocationFromBehindATlsProxyIsTakenAsHttpsAndAnotherOriginIsNot() {
    URI endpoint = URI.create("https://photos.example/files/");
    assertThat(TusTarget.ownUrl(endpoint, "http://photos.example/files/abc%2F1?x=1"))
        .contains(URI.create("https://photos.example/files/abc%2F1?x=1"));
    assertThat(TusTarget.ownUrl(endpoint, "http://photos.example:80/files/abc")).contains(URI.create("https://photos.example/files/abc"));
    assertThat(TusTarget.ownUrl(URI.create("https://photos.example:8443/files/"), "http://photos.example:8443/files/abc"))
        .contains(URI.create("https://photos.example:8443/files/abc"));
    assertThat(TusTarget.ownUrl(endpoint, "/files/abc")).contains(URI.create("https://photos.example/files/abc"));
    assertThat(TusTarget.ownUrl(endpoint, "http://evil.example/files/abc")).isEmpty();
    assertThat(TusTarget.ownUrl(endpoint, "http://photos.example:8080/files/abc")).isEmpty();
    assertThat(TusTarget.ownUrl(URI.create("http://photos.example/files/"), "https://photos.example/files/abc"))
        .as("never from http to another scheme").isEmpty();
  }

  @Test
  void anUploadDeletedBehindTheClientsBackStartsOver() throws Exception {
    byte[] content = randomBytes(3 * CHUNK + 1, 3);
    UploadSession first = direct().open("gone.jpg", content.length);
    String token = first.resumeToken().orElseThrow();
    send(first, content, CHUNK);
    server.delete(URI.create(token));

    UploadError error = errorOf(() -> send(first, content, 2 * CHUNK));
    first.close();
    RemoteState probed = direct().probe("gone.jpg", Optional.of(token));
    UploadSession again = direct().open("gone.jpg", content.length, Optional.of(token));
    long againAt = again.offset();
    send(again, content, content.length);
    again.complete(content.length, sha256(content));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("gone");
    assertThat(probed).isEqualTo(new RemoteState.Absent());
    assertThat(againAt).isZero();
    assertThat(again.resumeToken()).isPresent().isNotEqualTo(Optional.of(token));
    assertThat(server.finishedUploadsNamed("gone.jpg")).hasSize(1);
    assertThat(sha256(server.bytes(URI.create(again.resumeToken().get())))).isEqualTo(sha256(content));
  }

  @Test
  void aChunkDamagedOnTheWayIsRefusedByTheServersChecksumAndSentAgain() throws Exception {
    byte[] content = randomBytes(3 * CHUNK, 4);
    UploadSession first = viaProxy().open("damaged.jpg", content.length);
    String token = first.resumeToken().orElseThrow();
    send(first, content, CHUNK);
    proxy.failNext("PATCH", Fault.corruptBody());

    UploadError error = errorOf(() -> send(first, content, 2 * CHUNK));
    first.close();
    UploadSession again = viaProxy().open("damaged.jpg", content.length, Optional.of(token));
    long againAt = again.offset();
    send(again, content, content.length);
    again.complete(content.length, sha256(content));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("HTTP 460");
    assertThat(againAt).as("the server dropped the damaged chunk").isEqualTo(CHUNK);
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(content));
  }

  @Test
  void aFinishedUploadFoundByItsTokenIsCompleteWithTheHashOfWhatTheServerHolds() throws Exception {
    byte[] content = randomBytes(2 * CHUNK + 7, 5);
    UploadSession crashed = direct().open("done.jpg", content.length);
    String token = crashed.resumeToken().orElseThrow();
    send(crashed, content, content.length);
    crashed.close();
    long patched = server.patchBytesReceived();

    RemoteState probed = direct().probe("done.jpg", Optional.of(token));
    UploadSession reopened = direct().open("done.jpg", content.length, Optional.of(token));
    long reopenedAt = reopened.offset();
    RemoteFile file = reopened.complete(content.length, sha256(content));

    assertThat(probed).isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
    assertThat(reopenedAt).isEqualTo(content.length);
    assertThat(file).isEqualTo(new RemoteFile("done.jpg", content.length, sha256(content)));
    assertThat(server.patchBytesReceived()).isEqualTo(patched);
  }

  @Test
  void aResumedUploadWhoseEarlierBytesDifferIsDeletedSoTheNextAttemptStartsOver() throws Exception {
    byte[] sent = randomBytes(2 * CHUNK, 6);
    byte[] changed = sent.clone();
    changed[10] ^= 1;
    UploadSession crashed = direct().open("changed.jpg", sent.length);
    String token = crashed.resumeToken().orElseThrow();
    send(crashed, sent, CHUNK);
    crashed.close();

    UploadSession resumed = direct().open("changed.jpg", changed.length, Optional.of(token));
    send(resumed, changed, changed.length);
    UploadError error = errorOf(() -> resumed.complete(changed.length, sha256(changed)));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("deleted");
    assertThat(server.uploads()).isEmpty();
    assertThat(direct().probe("changed.jpg", Optional.of(token))).isEqualTo(new RemoteState.Absent());
  }

  @Test
  void anUploadOfAnotherLengthUnderTheTokenIsReplacedByANewOne() throws Exception {
    byte[] old = randomBytes(2 * CHUNK, 7);
    byte[] now = randomBytes(3 * CHUNK, 8);
    UploadSession first = direct().open("edited.jpg", old.length);
    String token = first.resumeToken().orElseThrow();
    send(first, old, CHUNK);
    first.close();

    UploadSession second = direct().open("edited.jpg", now.length, Optional.of(token));
    long secondAt = second.offset();
    send(second, now, now.length);
    second.complete(now.length, sha256(now));

    assertThat(secondAt).isZero();
    assertThat(server.uploads()).hasSize(1);
    assertThat(server.finishedUploadsNamed("edited.jpg")).hasSize(1);
    assertThat(sha256(server.bytes(URI.create(second.resumeToken().get())))).isEqualTo(sha256(now));
  }

  @Test
  void twoUploadsOfOneNameAreKeptSideBySideAndNeitherIsOverwritten() throws Exception {
    byte[] first = randomBytes(CHUNK + 1, 9);
    byte[] second = randomBytes(CHUNK + 1, 10);

    String firstToken = upload(direct(), "photo.jpg", first);
    String secondToken = upload(direct(), "photo.jpg", second);

    assertThat(direct().probe("photo.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(server.finishedUploadsNamed("photo.jpg")).hasSize(2);
    assertThat(sha256(server.bytes(URI.create(firstToken)))).isEqualTo(sha256(first));
    assertThat(sha256(server.bytes(URI.create(secondToken)))).isEqualTo(sha256(second));
  }

  @Test
  void followsARelativeLocationOntoTheServersOrigin() throws Exception {
    byte[] content = randomBytes(CHUNK, 11);

    String token = upload(direct(), "relative.jpg", content);

    assertThat(URI.create(token)).hasHost("127.0.0.1").hasPort(server.port());
    assertThat(token).startsWith(server.creationUrl().toString());
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(content));
  }

  @Test
  void followsAnAbsoluteLocationOnTheSameOrigin() throws Exception {
    byte[] content = randomBytes(CHUNK + 5, 12);
    String created = createDirectly(content.length, "absolute.jpg");
    String absolute = proxy.uri().resolve(created).toString();
    proxy.failNext("POST", Fault.status(201).header("Location", absolute).body(""));

    String token = upload(viaProxy(), "absolute.jpg", content);

    assertThat(token).isEqualTo(absolute);
    assertThat(sha256(server.bytes(URI.create(created)))).isEqualTo(sha256(content));
  }

  @Test
  void refusesALocationOnAnotherHost() {
    proxy.failNext("POST", Fault.status(201).header("Location", "http://elsewhere.invalid/files/1").body(""));

    UploadError error = errorOf(() -> viaProxy().open("elsewhere.jpg", 10));

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("elsewhere.invalid").contains("not following");
    assertThat(proxy.exchanges()).noneMatch(e -> e.method().equals("PATCH"));
  }

  @Test
  void aServerThatDoesNotSpeakTusFailsTheCheckClearly() throws Exception {
    HttpServer plain = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    plain.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Allow", "GET, HEAD, OPTIONS");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    plain.start();
    try {
      TusTarget target =
          new TusTarget(URI.create("http://127.0.0.1:" + plain.getAddress().getPort() + "/files/"), Optional.empty(), SETTINGS);

      UploadError error = errorOf(target::check);

      assertThat(error).isInstanceOf(UploadError.Permanent.class);
      assertThat(error.message()).contains("is not a tus 1.0.0 server").contains("no Tus-Version");
    } finally {
      plain.stop(0);
    }
  }

  @Test
  void aPathBesideTheTusEndpointFailsTheCheckClearly() {
    TusTarget target =
        new TusTarget(URI.create("http://127.0.0.1:" + server.port() + "/uploads/"), Optional.empty(), SETTINGS);

    UploadError error = errorOf(target::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("/uploads/ is not a tus 1.0.0 server");
  }

  @Test
  void anErrorPageInsteadOfTusFailsTheCheckWithAHint() throws Exception {
    proxy.failNext("OPTIONS", Fault.status(404).body("<html><body>Not Found</body></html>"));

    UploadError error = errorOf(viaProxy()::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("HTTP 404").contains("tus server's creation URL");
  }

  @Test
  void checkPassesOnARealServer() throws Exception {
    direct().check();
  }

  @Test
  void keepsThePasswordOutOfTheDescriptionTheTokenAndTheErrors() throws Exception {
    TusTarget target =
        new TusTarget(proxy.uri().resolve(TusServer.FILES), Optional.of("anna"), SETTINGS.withPassword("hunter2"));
    UploadSession session = target.open("secret.jpg", 10);
    proxy.failNext("PATCH", Fault.status(401).body("no"));

    UploadError error = errorOf(() -> session.append(0, ByteBuffer.wrap(new byte[10])));

    assertThat(target.describe()).isEqualTo("tus+http://anna@" + proxy.uri().getAuthority() + "/files/");
    assertThat(session.resumeToken().orElseThrow()).doesNotContain("hunter2").doesNotContain("anna");
    assertThat(error).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(error.message()).doesNotContain("hunter2");
  }

  @Test
  void probingWithoutATokenCannotFindAnythingAndSaysAbsent() throws Exception {
    upload(direct(), "known.jpg", randomBytes(100, 13));

    assertThat(direct().probe("known.jpg")).isEqualTo(new RemoteState.Absent());
  }

  // ---- chunks gathered into PATCHes ----

  /**
   * The engine's chunks go out four to a PATCH, the last PATCH at the end of the file; a session
   * dropped between PATCHes loses only what it gathered, and the next continues at the server's
   * offset, sending at most one PATCH's worth twice.
   */
  @Test
  void chunksAreGatheredIntoPatchesAndADroppedSessionLosesOnlyTheGathered() throws Exception {
    byte[] content = randomBytes(10 * CHUNK + 7, 9);
    TusTarget gathering = new TusTarget(proxy.uri().resolve(TusServer.FILES), Optional.empty(), SETTINGS, 4 * CHUNK);
    UploadSession first = gathering.open("gathered.mov", content.length);
    String token = first.resumeToken().orElseThrow();
    send(first, content, 6 * CHUNK);
    assertThat(first.offset()).as("appended").isEqualTo(6 * CHUNK);
    first.close();

    TusTarget afterRestart = new TusTarget(proxy.uri().resolve(TusServer.FILES), Optional.empty(), SETTINGS, 4 * CHUNK);
    assertThat(afterRestart.probe("gathered.mov", Optional.of(token)))
        .as("what the server acknowledged: the first PATCH")
        .isEqualTo(new RemoteState.Partial(4 * CHUNK));
    UploadSession resumed = afterRestart.open("gathered.mov", content.length, Optional.of(token));
    assertThat(resumed.offset()).isEqualTo(4 * CHUNK);
    send(resumed, content, content.length);
    RemoteFile stored = resumed.complete(content.length, sha256(content));

    assertThat(stored).isEqualTo(new RemoteFile("gathered.mov", content.length, sha256(content)));
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(content));
    List<Long> patches =
        proxy.exchanges().stream().filter(e -> e.method().equals("PATCH")).map(FaultProxy.Exchange::bodyBytes).toList();
    assertThat(patches).as("PATCH bodies").containsExactly(4L * CHUNK, 4L * CHUNK, 2L * CHUNK + 7);
    assertThat(proxy.forwardedBodyBytes() - content.length).as("bytes sent twice").isEqualTo(0);
  }

  // ---- requests per file ----

  /**
   * A small file sent whole by one session costs its creation and one PATCH: the PATCH's answer
   * says the server holds every byte, so publishing asks nothing more; the hash is of what the
   * server acknowledged. A resumed session asks (HEAD), as it did not see every byte.
   */
  @Test
  void aFileSentWholeCostsItsCreationAndOnePatch() throws Exception {
    TusTarget counted = new TusTarget(proxy.uri().resolve(TusServer.FILES), Optional.empty(), SETTINGS, 4 * CHUNK);
    counted.check();
    int checked = proxy.exchanges().size();
    byte[] photo = randomBytes(3 * CHUNK + 5, 21);

    String token = upload(counted, "2026/IMG_0001.JPG", photo);

    assertThat(proxy.exchanges().subList(checked, proxy.exchanges().size()).stream().map(FaultProxy.Exchange::method))
        .containsExactly("POST", "PATCH");
    assertThat(sha256(server.bytes(URI.create(token)))).isEqualTo(sha256(photo));
    assertThat(counted.probe("2026/IMG_0001.JPG", Optional.of(token)))
        .isEqualTo(new RemoteState.Complete(photo.length, Optional.of(sha256(photo))));
  }

  /** Whatever the PATCHes acknowledged, publishing fails when their bytes are not the file's. */
  @Test
  void aFileSentWholeWhoseBytesAreNotTheHashGivenIsDeletedAndNotPublished() throws Exception {
    byte[] photo = randomBytes(2 * CHUNK, 22);
    UploadSession session = direct().open("2026/IMG_0002.JPG", photo.length);
    String token = session.resumeToken().orElseThrow();
    send(session, photo, photo.length);

    UploadException thrown =
        catchThrowableOfType(UploadException.class, () -> session.complete(photo.length, sha256(randomBytes(2 * CHUNK, 23))));

    assertThat(thrown).isNotNull();
    assertThat(thrown.error().message()).contains("verification failed", "the upload was deleted");
    assertThat(direct().probe("2026/IMG_0002.JPG", Optional.of(token))).isEqualTo(new RemoteState.Absent());
  }

  // ---- helpers ----

  /** Uploads {@code content} in chunks and returns the upload's token. */
  private static String upload(TusTarget target, String remotePath, byte[] content) throws UploadException {
    try (UploadSession session = target.open(remotePath, content.length)) {
      send(session, content, content.length);
      session.complete(content.length, sha256(content));
      return session.resumeToken().orElseThrow();
    }
  }

  /** Appends {@code content} from the session's offset up to {@code upTo}, chunk by chunk. */
  private static void send(UploadSession session, byte[] content, int upTo) throws UploadException {
    long offset = session.offset();
    while (offset < upTo) {
      int length = (int) Math.min(CHUNK, upTo - offset);
      offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, length));
    }
  }

  /** Creates an upload with a plain POST to the server, as another client would; returns its path. */
  private String createDirectly(long length, String name) throws Exception {
    HttpResponse<Void> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(server.creationUrl())
                    .header("Tus-Resumable", "1.0.0")
                    .header("Upload-Length", Long.toString(length))
                    .header("Upload-Metadata", TusPath.metadata(name))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(201);
    return response.headers().firstValue("Location").orElseThrow();
  }

  static UploadError errorOf(ThrowingCallable call) {
    UploadException thrown = catchThrowableOfType(UploadException.class, call);
    assertThat(thrown).as("the call should have failed with an UploadException").isNotNull();
    return thrown.error();
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
