package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.SpoolDamage;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import dev.autoupload.targets.nextcloud.NextcloudChunkingServer.Request;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What is particular to Nextcloud: chunked upload v2, its resume, its checksums, its errors. */
class NextcloudTargetTest {

  private static final int CHUNK = (int) NextcloudTarget.MIN_CHUNK_SIZE;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir static Path serverDir;
  @TempDir Path spoolDir;

  private static NextcloudChunkingServer server;
  private String rootName;
  private NextcloudTarget target;

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void freshRoot() throws Exception {
    server.setLogin(NextcloudChunkingServer.USER);
    server.setChunkingAvailable(true);
    server.setQuota(Long.MAX_VALUE);
    server.expireUploads();
    rootName = "phone-" + ROOTS.incrementAndGet();
    target = target(NextcloudChunkingServer.PASSWORD, CHUNK);
    target.check();
    server.resetCounters();
  }

  @AfterEach
  void closeTarget() {
    target.close();
  }

  private NextcloudTarget target(String password, long chunkSize) {
    TargetSettings settings =
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024 * 1024)
            .withSpoolDir(spoolDir);
    return new NextcloudTarget(
        server.origin(),
        NextcloudChunkingServer.USER,
        "/" + rootName,
        chunkSize,
        password == null ? settings : settings.withPassword(password));
  }

  @Test
  void aLoginThatIsNotTheUserIdAuthenticatesWhileTheUserIdNamesTheFolders() throws Exception {
    // An e-mail login, LDAP or SSO: an app password works only with the login it was made for.
    server.setLogin("anna@example.com");
    TargetSettings settings =
        TargetSettings.defaults()
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024 * 1024)
            .withSpoolDir(spoolDir)
            .withPassword(NextcloudChunkingServer.PASSWORD);
    NextcloudTarget byLogin =
        new NextcloudTarget(
            server.origin(), "/", "anna@example.com", NextcloudChunkingServer.USER, "/" + rootName, CHUNK, settings);
    NextcloudTarget loginAsUserId = new NextcloudTarget(server.origin(), "anna@example.com", "/" + rootName, CHUNK, settings);
    byte[] content = bytes(2 * CHUNK + 5, 21);

    byLogin.check();
    RemoteFile file = upload(byLogin, "login.mov", content);
    UploadError wrongPaths = errorOf(loginAsUserId::check);

    assertThat(file).isEqualTo(new RemoteFile("login.mov", content.length, sha(content)));
    assertThat(Files.readAllBytes(stored("login.mov"))).isEqualTo(content);
    assertThat(byLogin.describe()).endsWith("?user-id=anna").startsWith("nextcloud+http://anna@example.com@");
    assertThat(wrongPaths).isInstanceOf(UploadError.Permanent.class);
    assertThat(wrongPaths.message()).contains("?user-id=");
  }

  // ---- chunked upload v2 ----

  @Test
  void anEMailLoginWithoutAUserIdFindsTheUserIdThroughTheCurrentUserPrincipal() throws Exception {
    server.setLogin("anna@example.com");
    UploadTarget fromUri =
        TargetUris.open(
            "nextcloud+http://anna%40example.com@127.0.0.1:" + server.port() + "/" + rootName,
            TargetSettings.defaults()
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 1024 * 1024)
                .withSpoolDir(spoolDir)
                .withPassword(NextcloudChunkingServer.PASSWORD));
    byte[] content = bytes(CHUNK + 5, 22);

    fromUri.check();
    RemoteFile file = upload(fromUri, "principal.mov", content);

    assertThat(file).isEqualTo(new RemoteFile("principal.mov", content.length, sha(content)));
    assertThat(Files.readAllBytes(stored("principal.mov"))).isEqualTo(content);
    assertThat(server.requests().stream().filter(r -> r.path().equals("/remote.php/dav/")).map(Request::method))
        .as("the server was asked once who the login is")
        .containsExactly("PROPFIND");
    assertThat(fromUri.describe()).doesNotContain("user-id").contains("anna@example.com@127.0.0.1");
  }

  @Test
  void aLargeFileGoesUpInNumberedChunksAndIsAssembledUnderItsName() throws Exception {
    byte[] content = bytes(2 * CHUNK + 1000, 1);

    RemoteFile file = upload(target, "video/clip.mp4", content);

    assertThat(file).isEqualTo(new RemoteFile("video/clip.mp4", content.length, sha(content)));
    assertThat(Files.readAllBytes(stored("video/clip.mp4"))).isEqualTo(content);
    assertThat(server.chunkBytesReceived()).isEqualTo(content.length);
    assertThat(paths("PUT")).allMatch(path -> path.matches("/remote.php/dav/uploads/anna/autoupload-[0-9a-f]{40}/0000[123]"));
    assertThat(paths("MOVE")).hasSize(2);
    assertThat(server.checksumOf(rootName + "/video/clip.mp4")).contains("SHA256:" + sha(content));
    assertThat(uploadFolders()).isEmpty();
    assertThat(leftovers()).isEmpty();
  }

  /**
   * A spool file damaged between its writing and its PUT (a bad sector, another process): the
   * server stores {@code OC-Checksum} as it is given, so only the client can tell. The request is
   * cut short before its last byte, so nothing damaged is stored under the name; the error is
   * transient and says why; the next attempt stores the file whole. Before 2026-12-06 the damaged
   * bytes were stored and counted backed up.
   */
  @ParameterizedTest
  @ValueSource(ints = {CHUNK, 2 * CHUNK + 1000}) // one PUT; the last chunk of a chunked upload
  void aSpoolFileDamagedBeforeItIsSentIsCutShortAndNothingDamagedIsStored(int size) throws Exception {
    byte[] content = bytes(size, 23);

    UploadError error;
    try (UploadSession session = target.open("damaged.mov", size)) {
      send(session, content);
      SpoolDamage.flipABitOfTheOnlySpoolFile(spoolDir);
      error = errorOf(() -> session.complete(size, sha(content)));
    }

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("no longer holds the bytes written to it");
    assertThat(stored("damaged.mov")).doesNotExist();
    assertThat(upload(target, "damaged.mov", content)).isEqualTo(new RemoteFile("damaged.mov", size, sha(content)));
    assertThat(Files.readAllBytes(stored("damaged.mov"))).isEqualTo(content);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aFileOfAtMostOneChunkGoesUpInOnePut() throws Exception {
    byte[] content = bytes(CHUNK, 2);

    upload(target, "IMG_0001.jpg", content);

    assertThat(server.requests()).extracting(Request::method).containsExactly("PUT");
    assertThat(server.fileBytesReceived()).isEqualTo(content.length);
    assertThat(server.checksumOf(rootName + "/IMG_0001.jpg")).contains("SHA256:" + sha(content));
    assertThat(Files.readAllBytes(stored("IMG_0001.jpg"))).isEqualTo(content);
  }

  @Test
  void aResumeListsTheChunksOnTheServerAndSendsOnlyWhatIsMissing() throws Exception {
    byte[] content = bytes(3 * CHUNK + 500, 3);
    sendPartly(target, "long.mov", content, 2 * CHUNK + CHUNK / 2);
    target.close();
    server.resetCounters();

    NextcloudTarget restarted = target(NextcloudChunkingServer.PASSWORD, CHUNK);
    assertThat(restarted.probe("long.mov")).isEqualTo(new RemoteState.Partial(2L * CHUNK));
    RemoteFile file;
    try (UploadSession session = restarted.open("long.mov", content.length)) {
      assertThat(session.offset()).isEqualTo(2L * CHUNK);
      send(session, content);
      file = session.complete(content.length, sha(content));
    }

    assertThat(file.sha256()).isEqualTo(sha(content));
    assertThat(Files.readAllBytes(stored("long.mov"))).isEqualTo(content);
    assertThat(server.chunkBytesReceived()).isEqualTo(content.length - 2L * CHUNK);
    assertThat(server.requests())
        .anyMatch(r -> r.method().equals("PROPFIND") && r.path().contains("/uploads/"));
    // The first chunks came from the earlier session: the assembly is read back before it shows.
    assertThat(server.requests()).anyMatch(r -> r.method().equals("GET"));
  }

  @Test
  void aHalfWrittenChunkLeftOnTheServerIsSentAgainWhole() throws Exception {
    byte[] content = bytes(3 * CHUNK + 7, 4);
    sendPartly(target, "half.mov", content, 2 * CHUNK);
    Path folder = onlyUploadFolder();
    Files.write(folder.resolve("00003"), new byte[CHUNK / 3]);
    Files.write(folder.resolve("00005"), new byte[10]);
    server.resetCounters();

    NextcloudTarget restarted = target(NextcloudChunkingServer.PASSWORD, CHUNK);
    assertThat(restarted.probe("half.mov")).isEqualTo(new RemoteState.Partial(2L * CHUNK));
    upload(restarted, "half.mov", content);

    assertThat(Files.readAllBytes(stored("half.mov"))).isEqualTo(content);
    assertThat(server.chunkBytesReceived()).isEqualTo(CHUNK + 7);
  }

  @Test
  void theUploadFolderIsTheSameForEveryTargetInstanceAndDiffersPerChunkSize() throws Exception {
    byte[] content = bytes(2 * CHUNK + 1, 5);
    sendPartly(target, "same.mov", content, CHUNK);
    Path folder = onlyUploadFolder();

    sendPartly(target(NextcloudChunkingServer.PASSWORD, CHUNK), "same.mov", content, 2 * CHUNK);
    assertThat(onlyUploadFolder()).isEqualTo(folder);
    assertThat(server.chunkBytesReceived()).isEqualTo(2L * CHUNK);

    NextcloudTarget otherChunks = target(NextcloudChunkingServer.PASSWORD, 2L * CHUNK);
    assertThat(otherChunks.probe("same.mov")).isEqualTo(new RemoteState.Absent());
    upload(otherChunks, "same.mov", content);
    assertThat(Files.readAllBytes(stored("same.mov"))).isEqualTo(content);
  }

  @Test
  void aResumeOntoChunksOfOtherContentIsCaughtBeforeItIsPublishedAndStartsOver() throws Exception {
    byte[] before = bytes(2 * CHUNK + 50, 6);
    byte[] after = bytes(2 * CHUNK + 50, 7);
    sendPartly(target, "edited.mov", before, 2 * CHUNK);

    NextcloudTarget restarted = target(NextcloudChunkingServer.PASSWORD, CHUNK);
    UploadError error = errorOf(() -> upload(restarted, "edited.mov", after));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("edited.mov", "sha256");
    assertThat(stored("edited.mov")).doesNotExist();
    assertThat(leftovers()).isEmpty();
    assertThat(restarted.probe("edited.mov")).isEqualTo(new RemoteState.Absent());
    upload(restarted, "edited.mov", after);
    assertThat(Files.readAllBytes(stored("edited.mov"))).isEqualTo(after);
  }

  @Test
  void aChunkTheServerLostFailsTheAssemblyTransientlyAndTheNextAttemptStartsOver() throws Exception {
    byte[] content = bytes(2 * CHUNK + 9, 8);
    server.loseNextChunk();

    UploadError error = errorOf(() -> upload(target, "lost.mov", content));

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("do not sum up to " + content.length);
    assertThat(stored("lost.mov")).doesNotExist();
    assertThat(uploadFolders()).isEmpty();
    upload(target, "lost.mov", content);
    assertThat(Files.readAllBytes(stored("lost.mov"))).isEqualTo(content);
  }

  // ---- never overwrite ----

  @Test
  void anExistingFileWithOtherContentIsAConflictForChunkedAndWholeUploads() throws Exception {
    byte[] small = bytes(1000, 9);
    byte[] large = bytes(CHUNK + 1, 10);
    upload(target, "small.jpg", small);
    upload(target, "large.mov", large);

    UploadError onPut = errorOf(() -> upload(target, "small.jpg", bytes(1000, 11)));
    UploadError onMove = errorOf(() -> upload(target, "large.mov", bytes(CHUNK + 1, 12)));

    assertThat(onPut).isInstanceOf(UploadError.Conflict.class);
    assertThat(onMove).isInstanceOf(UploadError.Conflict.class);
    assertThat(server.requests()).extracting(Request::status).contains(412);
    assertThat(Files.readAllBytes(stored("small.jpg"))).isEqualTo(small);
    assertThat(Files.readAllBytes(stored("large.mov"))).isEqualTo(large);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void theSameContentAlreadyThereCompletesWithoutAConflict() throws Exception {
    byte[] large = bytes(CHUNK + 3, 13);
    upload(target, "twice.mov", large);

    RemoteFile again = upload(target, "twice.mov", large);

    assertThat(again).isEqualTo(new RemoteFile("twice.mov", large.length, sha(large)));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aFileWithoutAStoredSha256IsReadBackNotGuessed() throws Exception {
    Files.write(stored("by-someone-else.jpg"), bytes(100, 14));
    Files.write(stored("other-by-someone-else.jpg"), bytes(100, 15));

    RemoteFile same = upload(target, "by-someone-else.jpg", bytes(100, 14));
    UploadError error = errorOf(() -> upload(target, "other-by-someone-else.jpg", bytes(100, 14)));

    assertThat(same).isEqualTo(new RemoteFile("by-someone-else.jpg", 100, sha(bytes(100, 14))));
    assertThat(paths("GET")).containsExactly(
        "/remote.php/dav/files/anna/" + rootName + "/by-someone-else.jpg",
        "/remote.php/dav/files/anna/" + rootName + "/other-by-someone-else.jpg");
    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(error.message()).contains("different content").contains("sha256");
    assertThat(Files.readAllBytes(stored("other-by-someone-else.jpg"))).isEqualTo(bytes(100, 15));
  }

  // ---- probe ----

  @Test
  void probeReportsSizeAndTheSha256TheServerStored() throws Exception {
    byte[] content = bytes(CHUNK + 77, 15);
    upload(target, "a/b.mov", content);
    Files.write(stored("a/c.jpg"), bytes(10, 16));

    NextcloudTarget fresh = target(NextcloudChunkingServer.PASSWORD, CHUNK);

    assertThat(fresh.probe("a/b.mov")).isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha(content))));
    assertThat(fresh.probe("a/c.jpg")).isEqualTo(new RemoteState.Complete(10, Optional.empty()));
    assertThat(fresh.probe("a/d.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(errorOf(() -> fresh.probe("a"))).isInstanceOf(UploadError.Permanent.class);
  }

  // ---- errors and limits ----

  @Test
  void aWrongPasswordIsUnauthorizedAndNeverQuoted() {
    NextcloudTarget wrong = target("not-the-password", CHUNK);

    UploadError onProbe = errorOf(() -> wrong.probe("a.jpg"));
    UploadError onCheck = errorOf(wrong::check);
    UploadError noPassword = errorOf(() -> target(null, CHUNK).probe("a.jpg"));

    assertThat(onProbe).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(onProbe.message()).contains("401").doesNotContain("not-the-password");
    assertThat(onCheck).isInstanceOf(UploadError.Unauthorized.class);
    assertThat(noPassword).isInstanceOf(UploadError.Unauthorized.class);
  }

  @Test
  void aFullServerRefusesTheFirstChunkAsQuotaExceeded() {
    server.setQuota(CHUNK);

    UploadError error = errorOf(() -> upload(target, "big.mov", bytes(2 * CHUNK, 17)));

    assertThat(error).isInstanceOf(UploadError.QuotaExceeded.class);
    assertThat(error.message()).contains("507", "Insufficient space").doesNotContain("<s:");
    assertThat(server.chunkBytesReceived()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {".htaccess", "clip.mov.part", "notes.FilePart"})
  void aNameNextcloudForbidsIsRefusedAndItsEscapedFormStored(String name) throws Exception {
    byte[] content = bytes(1000, 19);

    UploadError refused = errorOf(() -> upload(target, "names/" + name, content));
    String escaped = target.nameRules().escape(name);
    RemoteFile stored = upload(target, "names/" + escaped, content);

    assertThat(refused).isInstanceOf(UploadError.Permanent.class);
    assertThat(refused.message()).contains("HTTP 400", "forbidden");
    assertThat(escaped).isNotEqualTo(name);
    assertThat(Files.readAllBytes(stored(stored.remotePath()))).isEqualTo(content);
  }

  @Test
  void aNameAsLongAsTheRulesAllowFitsTheChunkedUploadsPartName() throws Exception {
    String longest = "x".repeat(target.nameRules().maxNameBytes() - ".mov".length()) + ".mov";
    String nextcloudsLimit = "y".repeat(250 - ".mov".length()) + ".mov";
    byte[] content = bytes(CHUNK + 10, 20);

    upload(target, longest, content);
    UploadError tooLongWithPart = errorOf(() -> upload(target, nextcloudsLimit, content));

    assertThat(Files.readAllBytes(stored(longest))).isEqualTo(content);
    assertThat(tooLongWithPart.message()).as("the part name is 17 bytes longer").contains("HTTP 400", "Filename is too long");
  }

  @Test
  void aFileNeedingMoreThanTenThousandChunksIsRefusedBeforeAnythingIsSent() {
    UploadError error = errorOf(() -> target.open("huge.mov", 10_000L * CHUNK + 1));

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("chunkSize");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void describesTheTargetWithoutThePassword() {
    assertThat(target.describe())
        .isEqualTo("nextcloud+http://anna@127.0.0.1:" + server.port() + "/" + rootName)
        .doesNotContain(NextcloudChunkingServer.PASSWORD);
  }

  @Test
  void aTargetOpenedFromItsUriUploadsWithItsChunkSize() throws Exception {
    UploadTarget fromUri =
        TargetUris.open(
            "nextcloud+http://anna@127.0.0.1:" + server.port() + "/" + rootName + "/from%20uri?chunkSize=" + CHUNK,
            TargetSettings.defaults().withSpoolDir(spoolDir).withPassword(NextcloudChunkingServer.PASSWORD));
    fromUri.check();
    byte[] content = bytes(CHUNK + 10, 18);

    try (UploadSession session = fromUri.open("a b.mov", content.length)) {
      send(session, content);
      session.complete(content.length, sha(content));
    }

    assertThat(Files.readAllBytes(stored("from uri/a b.mov"))).isEqualTo(content);
    assertThat(server.chunkBytesReceived()).isEqualTo(content.length);
  }

  @Test
  void checkRefusesAWebDavServerWithoutNextcloudsChunkedUploads() {
    server.setChunkingAvailable(false);

    UploadError error = errorOf(target::check);

    assertThat(error).isInstanceOf(UploadError.Permanent.class);
    assertThat(error.message()).contains("not a Nextcloud server");
  }

  @Test
  void checkOnAServerWithNextcloudUnderAnotherWebrootSaysWhereItLookedAndNamesTheWebroot(@TempDir Path otherDir)
      throws Exception {
    try (NextcloudChunkingServer underSubPath = NextcloudChunkingServer.start(otherDir, "/nextcloud");
        UploadTarget withoutWebroot =
            TargetUris.open(
                "nextcloud+http://anna@127.0.0.1:" + underSubPath.port() + "/Photos",
                TargetSettings.defaults().withSpoolDir(spoolDir).withPassword(NextcloudChunkingServer.PASSWORD));
        UploadTarget withWebroot =
            TargetUris.open(
                "nextcloud+http://anna@127.0.0.1:" + underSubPath.port() + "/Photos?webroot=/nextcloud",
                TargetSettings.defaults().withSpoolDir(spoolDir).withPassword(NextcloudChunkingServer.PASSWORD))) {
      UploadError error = errorOf(withoutWebroot::check);

      assertThat(error).isInstanceOf(UploadError.Permanent.class);
      assertThat(error.message())
          .contains(underSubPath.origin() + "/remote.php/dav/files/anna/", "webroot")
          .doesNotContain(NextcloudChunkingServer.PASSWORD);
      assertThat(underSubPath.userFiles().resolve("Photos")).doesNotExist();
      withWebroot.check();
      assertThat(underSubPath.userFiles().resolve("Photos")).isDirectory();
    }
  }

  // ---- helpers ----

  private static RemoteFile upload(UploadTarget to, String name, byte[] content) throws UploadException {
    try (UploadSession session = to.open(name, content.length)) {
      send(session, content);
      return session.complete(content.length, sha(content));
    }
  }

  /** Appends from the session's offset in pieces of a third of a chunk, as the engine's steps do. */
  private static void send(UploadSession session, byte[] content) throws UploadException {
    long offset = session.offset();
    while (offset < content.length) {
      int n = (int) Math.min(CHUNK / 3, content.length - offset);
      offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
    }
  }

  /** Sends the first {@code upTo} bytes, then closes the session as a crash would. */
  private static void sendPartly(UploadTarget to, String name, byte[] content, int upTo) throws UploadException {
    try (UploadSession session = to.open(name, content.length)) {
      long offset = session.offset();
      while (offset < upTo) {
        int n = (int) Math.min(CHUNK / 3, upTo - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
      }
    }
  }

  private List<String> paths(String method) {
    return server.requests().stream().filter(r -> r.method().equals(method)).map(Request::path).toList();
  }

  private Path stored(String relative) throws IOException {
    Path path = server.userFiles().resolve(rootName).resolve(relative);
    Files.createDirectories(path.getParent());
    return path;
  }

  private List<Path> uploadFolders() throws IOException {
    try (Stream<Path> folders = Files.list(server.userUploads())) {
      return folders.toList();
    }
  }

  private Path onlyUploadFolder() throws IOException {
    List<Path> folders = uploadFolders();
    assertThat(folders).hasSize(1);
    return folders.get(0);
  }

  /** Assembled parts, upload folders and spool files that outlived their upload. */
  private List<Path> leftovers() throws IOException {
    try (Stream<Path> files = Files.walk(server.userFiles().resolve(rootName));
        Stream<Path> spool = Files.list(spoolDir)) {
      return Stream.concat(
              Stream.concat(files.filter(p -> p.getFileName().toString().endsWith(NextcloudTarget.PART_SUFFIX)), spool),
              uploadFolders().stream())
          .toList();
    }
  }

  private static UploadError errorOf(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    return catchThrowableOfType(UploadException.class, call).error();
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
