package dev.autoupload.targets.webdav;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The WebDAV target against a real nginx on loopback. */
class WebDavTargetTest {

  private static final int CHUNK = 64 * 1024;
  private static final AtomicInteger ROOTS = new AtomicInteger();

  @TempDir Path spoolDir;

  @RegisterExtension static final NginxWebDavServer nginx = new NginxWebDavServer();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private String rootName;
  private WebDavTarget target;

  @BeforeEach
  void freshRoot() throws Exception {
    rootName = "backup-" + ROOTS.incrementAndGet();
    target = target("/" + rootName, NginxWebDav.PASSWORD);
    target.check();
  }

  private WebDavTarget target(String rootPath, String password) {
    return new WebDavTarget(
        nginx.uri(rootPath),
        Optional.of(NginxWebDav.USER),
        password == null
            ? TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024).withSpoolDir(spoolDir)
            : TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024).withSpoolDir(spoolDir).withPassword(password));
  }

  // ---- round trips ----

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, CHUNK, 3 * CHUNK + 17})
  void uploadedFilesComeBackWithTheSameSha256(int size) throws Exception {
    byte[] content = bytes(size, size);

    RemoteFile file = upload(target, "photo.jpg", content);

    assertThat(file).isEqualTo(new RemoteFile("photo.jpg", size, sha(content)));
    assertThat(sha(get("/" + rootName + "/photo.jpg"))).isEqualTo(sha(content));
    assertThat(target.probe("photo.jpg")).isEqualTo(new RemoteState.Complete(size, Optional.of(sha(content))));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void discardRemovesAPartAKillLeftBetweenItsPutAndItsMoveAndKeepsTheFile() throws Exception {
    upload(target, "2024/kept.jpg", bytes(3000, 40));
    Path part = stored("2024/.clip.mov" + WebDavTarget.PART_SUFFIX);
    Files.write(part, bytes(5000, 41));

    target.discard("2024/clip.mov", Optional.empty());
    target.discard("2024/clip.mov", Optional.empty());
    target.discard("2024/kept.jpg", Optional.empty());

    assertThat(part).doesNotExist();
    assertThat(Files.readAllBytes(stored("2024/kept.jpg"))).isEqualTo(bytes(3000, 40));
  }

  @Test
  void createsMissingParentFolders() throws Exception {
    byte[] content = bytes(5000, 1);

    upload(target, "2024/07/day one/a.jpg", content);

    assertThat(Files.isDirectory(stored("2024/07/day one"))).isTrue();
    assertThat(Files.readAllBytes(stored("2024/07/day one/a.jpg"))).isEqualTo(content);
    // A second file in the same folder reuses what is known to exist.
    upload(target, "2024/07/day one/b.jpg", bytes(10, 2));
    assertThat(Files.readAllBytes(stored("2024/07/day one/b.jpg"))).isEqualTo(bytes(10, 2));
  }

  @Test
  void probeTellsAbsentAndComplete() throws Exception {
    assertThat(target.probe("a/b.jpg")).isEqualTo(new RemoteState.Absent());

    upload(target, "a/b.jpg", bytes(777, 3));

    assertThat(target.probe("a/b.jpg")).isEqualTo(new RemoteState.Complete(777, Optional.of(sha(bytes(777, 3)))));
    assertThatThrownBy(() -> target.probe("a"))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Permanent.class));
  }

  @Test
  void differentContentUnderAnExistingNameIsAConflictAndTheOriginalStays() throws Exception {
    byte[] original = bytes(4000, 4);
    upload(target, "same.jpg", original);

    assertThatThrownBy(() -> upload(target, "same.jpg", bytes(4000, 5)))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Conflict.class));

    assertThat(get("/" + rootName + "/same.jpg")).isEqualTo(original);
    assertThat(leftovers()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "with space.jpg",
        "hash#1.jpg",
        "100%.jpg",
        "what?.jpg",
        "a+b.jpg",
        "e\u0301te\u0301/cafe\u0301.jpg",
        "\uD83C\uDF89 party/\uD83D\uDCF7.heic",
        "dir #?%+/x&y=z;1,2'.jpg"
      })
  void namesWithSpecialCharactersRoundTripInNfc(String name) throws Exception {
    byte[] content = bytes(321, name.hashCode());
    String nfc = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFC);

    RemoteFile file = upload(target, name, content);

    assertThat(file.remotePath()).isEqualTo(nfc);
    assertThat(Files.readAllBytes(stored(nfc))).isEqualTo(content);
    StringBuilder encoded = new StringBuilder("/" + rootName);
    for (String segment : nfc.split("/")) {
      encoded.append('/').append(DavPath.encode(segment));
    }
    assertThat(get(encoded.toString())).isEqualTo(content);
    assertThat(target.probe(name)).isEqualTo(new RemoteState.Complete(321, Optional.of(sha(content))));
    assertThat(manifestBeside(nfc).entries()).as("manifest beside " + nfc).containsKey(nfc.substring(nfc.lastIndexOf('/') + 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape.jpg", "a/../../escape.jpg", "/escape.jpg", "a//b.jpg", "./a.jpg", "a\\b.jpg", "", ".x.jpg.autoupload-part", ".x.jpg.autoupload-sha256", "a/x.autoupload-sha256"})
  void pathsThatCouldLeaveTheRootAreRefused(String name) throws Exception {
    assertThatThrownBy(() -> target.open(name, 3))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Permanent.class));
    assertThatThrownBy(() -> target.probe(name)).isInstanceOf(UploadException.class);

    try (Stream<Path> files = Files.list(nginx.www())) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("escape"));
    }
  }

  // ---- the sha256 kept beside each file ----

  @Test
  void aNewTargetProbesAnUploadedFileWithItsSha256() throws Exception {
    byte[] content = bytes(5000, 20);
    upload(target, "2024/kept.jpg", content);
    // As the engine does when it stops: the manifest is written then at the latest.
    target.close();

    WebDavTarget afterReinstall = target("/" + rootName, NginxWebDav.PASSWORD);

    assertThat(afterReinstall.probe("2024/kept.jpg"))
        .isEqualTo(new RemoteState.Complete(5000, Optional.of(sha(content))));
    assertThat(Files.readString(stored("2024/" + FolderManifest.NAME)))
        .contains(sha(content) + " 5000 kept.jpg ");
  }

  @Test
  void aNewTargetProbesAFileWhoseNameStartsWithADotByItsSidecar() throws Exception {
    byte[] content = bytes(5000, 31);
    upload(target, "2024/.hidden.jpg", content);

    WebDavTarget afterReinstall = target("/" + rootName, NginxWebDav.PASSWORD);

    assertThat(afterReinstall.probe("2024/.hidden.jpg"))
        .isEqualTo(new RemoteState.Complete(5000, Optional.of(sha(content))));
    assertThat(Files.readString(stored("2024/..hidden.jpg.autoupload-sha256")))
        .contains(sha(content))
        .contains("size 5000");
  }

  @Test
  void aFilePutThereByOtherMeansHasNoKnownHash() throws Exception {
    Files.write(stored("foreign.jpg"), bytes(900, 21));

    assertThat(target.probe("foreign.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
  }

  @Test
  void aFileWhoseHashWasNeverWrittenHasNoKnownHash() throws Exception {
    upload(target, "crashed.jpg", bytes(900, 22));
    upload(target, ".crashed.jpg", bytes(900, 22));
    // As after a kill before the manifest's PUT, and between the MOVE and the sidecar's PUT.
    Files.delete(stored("..crashed.jpg.autoupload-sha256"));
    WebDavTarget afterKill = target("/" + rootName, NginxWebDav.PASSWORD);

    assertThat(afterKill.probe("crashed.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
    assertThat(afterKill.probe(".crashed.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
  }

  @Test
  void aFileReplacedBehindTheTargetsBackDoesNotInheritTheManifestsHash() throws Exception {
    upload(target, "bigger.jpg", bytes(900, 23));
    upload(target, "same-size.jpg", bytes(900, 24));
    target.close();
    assertThat(manifestBeside("bigger.jpg").entries()).containsKeys("bigger.jpg", "same-size.jpg");

    Files.write(stored("bigger.jpg"), bytes(901, 25));
    Files.write(stored("same-size.jpg"), bytes(900, 26));
    // A replacement in the very second of the upload would keep the modification time; far
    // beyond that second, it tells the files apart.
    Files.setLastModifiedTime(
        stored("same-size.jpg"),
        FileTime.from(Files.getLastModifiedTime(stored("same-size.jpg")).toInstant().plusSeconds(5)));

    assertThat(target.probe("bigger.jpg")).isEqualTo(new RemoteState.Complete(901, Optional.empty()));
    assertThat(target.probe("same-size.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"empty", "prose", "short hash", "no size", "size in words", "negative size", "binary", "too long"})
  void aSidecarThatIsNotOneIsIgnored(String defect) throws Exception {
    byte[] content = bytes(900, 27);
    upload(target, ".odd.jpg", content);
    Path sidecar = stored("..odd.jpg.autoupload-sha256");
    String written = Files.readString(sidecar);
    String hash = sha(content);
    String broken =
        switch (defect) {
          case "empty" -> "";
          case "prose" -> "this file holds the sha256 " + hash + " of a file of size 900";
          case "short hash" -> written.replace(hash, hash.substring(0, 63));
          case "no size" -> written.replace("size 900\n", "");
          case "size in words" -> written.replace("size 900", "size nine-hundred");
          case "negative size" -> written.replace("size 900", "size -900");
          case "binary" -> "\u0000\u00ff\ufffd" + written.replace('\n', '\0');
          case "too long" -> written + "x y\n".repeat(HashSidecar.MAX_BYTES);
          default -> throw new IllegalArgumentException(defect);
        };
    assertThat(broken).isNotEqualTo(written);
    Files.writeString(sidecar, broken);

    assertThat(target.probe(".odd.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
    // The same sidecar as written is believed: only the defect made the difference.
    Files.writeString(sidecar, written);
    assertThat(target.probe(".odd.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.of(hash)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"empty", "no header", "short hash", "other size", "other time", "negative size", "binary", "too long"})
  void aManifestEntryThatIsNotOneIsIgnored(String defect) throws Exception {
    byte[] content = bytes(900, 32);
    upload(target, "odd.jpg", content);
    target.close();
    Path manifest = stored(FolderManifest.NAME);
    String written = Files.readString(manifest);
    String hash = sha(content);
    String broken =
        switch (defect) {
          case "empty" -> "";
          case "no header" -> written.replace(FolderManifest.HEADER + "\n", "");
          case "short hash" -> written.replace(hash, hash.substring(0, 63));
          case "other size" -> written.replace(" 900 ", " 901 ");
          case "other time" -> written.replaceAll(" odd\\.jpg .*", " odd.jpg Mon, 01 Jan 2001 00:00:00 GMT");
          case "negative size" -> written.replace(" 900 ", " -900 ");
          case "binary" -> "\u0000\u00ff\ufffd" + written.replace('\n', '\0');
          case "too long" -> written + "x y\n".repeat(FolderManifest.MAX_BYTES / 4 + 1);
          default -> throw new IllegalArgumentException(defect);
        };
    assertThat(broken).isNotEqualTo(written);
    Files.writeString(manifest, broken);

    assertThat(target.probe("odd.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
    // The same manifest as written is believed: only the defect made the difference.
    Files.writeString(manifest, written);
    assertThat(target.probe("odd.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.of(hash)));
  }

  @Test
  void aFolderWhereTheSidecarWouldBeIsIgnored() throws Exception {
    Files.write(stored("odd.jpg"), bytes(900, 28));
    Files.createDirectory(stored(".odd.jpg.autoupload-sha256"));

    assertThat(target.probe("odd.jpg")).isEqualTo(new RemoteState.Complete(900, Optional.empty()));
  }

  @Test
  void theSameFileUploadedAgainIsAcceptedByItsManifest() throws Exception {
    byte[] content = bytes(3000, 29);
    upload(target, "twice.jpg", content);
    target.close();

    RemoteFile again = upload(target("/" + rootName, NginxWebDav.PASSWORD), "twice.jpg", content);

    assertThat(again).isEqualTo(new RemoteFile("twice.jpg", 3000, sha(content)));
    assertThat(Files.readAllBytes(stored("twice.jpg"))).isEqualTo(content);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aFileOfUnknownHashUnderTheNameIsStillAConflict() throws Exception {
    byte[] content = bytes(3000, 30);
    Files.write(stored("foreign.jpg"), content);

    assertThatThrownBy(() -> upload(target, "foreign.jpg", content))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Conflict.class))
        .hasMessageContaining("cannot tell its hash");
    assertThat(Files.exists(stored(".foreign.jpg.autoupload-sha256"))).isFalse();
    target.close();
    assertThat(Files.exists(stored(FolderManifest.NAME))).isFalse();
  }

  // ---- interruptions ----

  @Test
  void anInterruptedUploadLeavesNothingUnderTheFinalNameAndTheNextAttemptSucceeds() throws Exception {
    byte[] content = bytes(3 * CHUNK, 6);
    UploadSession session = target.open("cut/short.jpg", content.length);
    session.append(0, ByteBuffer.wrap(content, 0, CHUNK));
    session.close();

    assertThat(target.probe("cut/short.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(Files.exists(stored("cut/short.jpg"))).isFalse();
    try (Stream<Path> spooled = Files.list(spoolDir)) {
      assertThat(spooled).isEmpty();
    }

    // A part left by a crash during an earlier PUT is neither visible nor in the way.
    Files.write(stored("cut/.short.jpg.autoupload-part"), bytes(100, 7));
    assertThat(target.probe("cut/short.jpg")).isEqualTo(new RemoteState.Absent());

    RemoteFile file = upload(target, "cut/short.jpg", content);

    assertThat(file.sha256()).isEqualTo(sha(content));
    assertThat(Files.readAllBytes(stored("cut/short.jpg"))).isEqualTo(content);
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aSecondSessionOnTheSameNameWaitsForTheFirst() throws Exception {
    UploadSession first = target.open("busy.jpg", 1);

    assertThatThrownBy(() -> target.open("busy.jpg", 1))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Transient.class));
    first.close();
    upload(target, "busy.jpg", bytes(1, 13));

    assertThat(Files.readAllBytes(stored("busy.jpg"))).isEqualTo(bytes(1, 13));
  }

  @Test
  void aSessionRefusesBytesItWasNotPromisedAndAMismatchSendsNothing() throws Exception {
    UploadSession session = target.open("x.jpg", 10);
    assertThatThrownBy(() -> session.append(0, ByteBuffer.wrap(new byte[11])))
        .isInstanceOf(UploadException.class);
    session.append(0, ByteBuffer.wrap(bytes(10, 8)));

    assertThatThrownBy(() -> session.complete(10, sha(bytes(10, 9))))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Transient.class));
    assertThat(target.probe("x.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(leftovers()).isEmpty();
  }

  // ---- errors ----

  @Test
  void aFolderRemovedBehindTheTargetsBackIsMadeAgainOnTheNextAttempt() throws Exception {
    upload(target, "gone/a.jpg", bytes(10, 11));
    Files.delete(stored("gone/a.jpg"));
    Files.delete(stored("gone"));

    assertThatThrownBy(() -> upload(target, "gone/b.jpg", bytes(10, 12)))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Transient.class));
    upload(target, "gone/b.jpg", bytes(10, 12));

    assertThat(Files.readAllBytes(stored("gone/b.jpg"))).isEqualTo(bytes(10, 12));
  }

  @Test
  void aRootWhoseParentIsMissingFailsTheCheckPermanently() {
    assertThatThrownBy(() -> target("/no-such-parent/" + rootName, NginxWebDav.PASSWORD).check())
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Permanent.class));
  }

  @Test
  void aWrongPasswordIsUnauthorizedAndNeverQuoted() {
    WebDavTarget wrong = target("/" + rootName, "not-the-password");

    assertThatThrownBy(() -> wrong.probe("a.jpg"))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Unauthorized.class))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password").contains("401"));
    assertThatThrownBy(wrong::check)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Unauthorized.class));
    assertThatThrownBy(() -> target("/" + rootName, null).probe("a.jpg"))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Unauthorized.class));
  }

  @Test
  void aBusyServerIsRetriedWhenItSays() {
    assertThatThrownBy(() -> target("/busy", NginxWebDav.PASSWORD).probe("a.jpg"))
        .satisfies(
            e -> assertThat(error(e)).isInstanceOfSatisfying(
                UploadError.Unreachable.class,
                t -> assertThat(t.retryAfter()).contains(Duration.ofSeconds(7))));
  }

  @Test
  void aFullServerIsQuotaExceeded() {
    assertThatThrownBy(() -> target("/full", NginxWebDav.PASSWORD).probe("a.jpg"))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.QuotaExceeded.class));
  }

  @Test
  void aServerThatIsNotThereIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    WebDavTarget away =
        new WebDavTarget(
            URI.create("http://127.0.0.1:" + closedPort + "/dav"),
            Optional.of(NginxWebDav.USER),
            TargetSettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), 1).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));

    assertThatThrownBy(() -> away.probe("a.jpg"))
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Unreachable.class));
  }

  @Test
  void aConnectionDroppedWithoutAnAnswerMeansTheTargetIsUnreachable() throws Exception {
    try (ServerSocket dropper = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!dropper.isClosed()) {
                  try (Socket socket = dropper.accept()) {
                    socket.setSoLinger(true, 0);
                    socket.getInputStream().read();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.start();
      WebDavTarget dropped =
          new WebDavTarget(
              URI.create("http://127.0.0.1:" + dropper.getLocalPort() + "/dav"),
              Optional.of(NginxWebDav.USER),
            TargetSettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), 1).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));

      assertThatThrownBy(() -> dropped.probe("a.jpg"))
          .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Unreachable.class))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(NginxWebDav.PASSWORD));
      dropper.close();
      acceptor.join();
    }
  }

  @Test
  void describesTheTargetWithoutThePassword() {
    assertThat(target.describe())
        .isEqualTo("webdav://" + NginxWebDav.USER + "@127.0.0.1:" + nginx.port() + "/" + rootName)
        .doesNotContain(NginxWebDav.PASSWORD);
  }

  @Test
  void aTargetOpenedFromItsUriUploads() throws Exception {
    var fromUri =
        TargetUris.open(
            "webdav://" + NginxWebDav.USER + "@127.0.0.1:" + nginx.port() + "/" + rootName + "/from%20uri",
            TargetSettings.defaults().withPassword(NginxWebDav.PASSWORD));
    fromUri.check();
    byte[] content = bytes(2000, 10);

    UploadSession session = fromUri.open("a b.jpg", content.length);
    session.append(0, ByteBuffer.wrap(content));
    session.complete(content.length, sha(content));

    assertThat(Files.readAllBytes(stored("from uri/a b.jpg"))).isEqualTo(content);
  }

  // ---- requests per file ----

  /**
   * What a steady upload costs: the folder is listed once for all its probes, each new file takes
   * its PUT, the PROPFIND of its part and the MOVE, and the folder's manifest is written once for
   * all of them, when the target closes: a GET of it, a listing and a PUT.
   */
  @Test
  void newFilesInOneFolderCostOneListingThreeRequestsEachAndOneManifest() throws Exception {
    try (FaultProxy proxy = FaultProxy.start(nginx.uri("/"))) {
      WebDavTarget counted = proxied(proxy, Duration.ofSeconds(30));
      for (int i = 0; i < 10; i++) {
        assertThat(counted.probe("2026/12/IMG_" + i + ".jpg")).isEqualTo(new RemoteState.Absent());
        upload(counted, "2026/12/IMG_" + i + ".jpg", bytes(1000 + i, i));
      }

      List<String> uploads = proxy.exchanges().stream().map(e -> e.method() + " " + e.target()).toList();
      assertThat(uploads.stream().filter(r -> r.equals("PROPFIND /" + rootName + "/2026/12/")))
          .as("listings of the folder in %s", uploads).hasSize(1);
      List<String> lastFile =
          uploads.stream().filter(r -> r.contains("IMG_9.jpg")).map(r -> r.substring(0, r.indexOf(' '))).toList();
      assertThat(lastFile).containsExactly("PUT", "PROPFIND", "MOVE");
      assertThat(uploads).as("all requests: 1 listing, 3 MKCOL (root, 2026, 12)").hasSize(1 + 3 + 10 * 3);

      counted.close();
      List<String> requests = proxy.exchanges().stream().map(e -> e.method() + " " + e.target()).toList();
      assertThat(requests.subList(uploads.size(), requests.size()))
          .containsExactly(
              "GET /" + rootName + "/2026/12/" + FolderManifest.NAME,
              "PROPFIND /" + rootName + "/2026/12/",
              "PUT /" + rootName + "/2026/12/" + FolderManifest.NAME);
    }
    // The manifest written from the folder's listing describes the files: a fresh target knows them.
    WebDavTarget fresh = target("/" + rootName, NginxWebDav.PASSWORD);
    for (int i = 0; i < 10; i++) {
      assertThat(fresh.probe("2026/12/IMG_" + i + ".jpg"))
          .isEqualTo(new RemoteState.Complete(1000 + i, Optional.of(sha(bytes(1000 + i, i)))));
    }
  }

  /**
   * A probe of a name already taken (a second IMG_0001.jpg for the month's folder) reads the
   * folder's manifest for the hash of what is there. It writes no other file's waiting entry
   * first, and it reads the manifest whole again only when it changed (If-None-Match): in a
   * folder of thousands, each such probe cost a write and a whole read, quadratic in the folder.
   */
  @Test
  void probesOfNamesAlreadyTakenNeitherWriteTheManifestNorReadItWholeAgain() throws Exception {
    for (int i = 0; i < 5; i++) {
      upload(target, "2026/12/IMG_" + i + ".jpg", bytes(1000 + i, i));
    }
    target.close();
    // Written a while ago: one written in the second it is read is read whole each time (see
    // aManifestEntryThatIsNotOneIsIgnored, whose rewrites keep nginx's ETag).
    Path manifest = stored("2026/12/" + FolderManifest.NAME);
    Files.setLastModifiedTime(manifest, FileTime.from(Instant.now().minusSeconds(60)));
    String manifestPath = "/" + rootName + "/2026/12/" + FolderManifest.NAME;
    try (FaultProxy proxy = FaultProxy.start(nginx.uri("/"))) {
      WebDavTarget counted = proxied(proxy, Duration.ofSeconds(30));
      byte[] ours = bytes(2000, 40);
      upload(counted, "2026/12/new.jpg", ours);
      assertThat(counted.probe("2026/12/IMG_0.jpg")).isEqualTo(new RemoteState.Complete(1000, Optional.of(sha(bytes(1000, 0)))));

      // From here a manifest sent whole is garbage: only the one the target already read is believed.
      proxy.failEvery(
          request -> request.method().equals("GET") && request.target().equals(manifestPath),
          FaultProxy.Fault.lie(body -> body.isEmpty() ? body : "garbage"));
      for (int i = 1; i < 5; i++) {
        assertThat(counted.probe("2026/12/IMG_" + i + ".jpg"))
            .isEqualTo(new RemoteState.Complete(1000 + i, Optional.of(sha(bytes(1000 + i, i)))));
      }
      List<String> requests = proxy.exchanges().stream().map(e -> e.method() + " " + e.target()).toList();
      assertThat(requests).as("new.jpg's entry still waits").doesNotContain("PUT " + manifestPath);
      assertThat(requests.stream().filter(r -> r.equals("GET " + manifestPath))).as("one read a probe").hasSize(5);

      // Changed behind the target's back: read whole again, and what it no longer holds is unknown.
      proxy.passThrough();
      Files.writeString(
          manifest,
          Files.readString(manifest).lines().filter(line -> !line.contains(" IMG_1.jpg ")).map(line -> line + "\n").reduce("", String::concat));
      assertThat(counted.probe("2026/12/IMG_1.jpg")).isEqualTo(new RemoteState.Complete(1001, Optional.empty()));
      // The name this target published itself: its waiting entry is written first, and known.
      assertThat(counted.probe("2026/12/new.jpg")).isEqualTo(new RemoteState.Complete(2000, Optional.of(sha(ours))));
      assertThat(proxy.exchanges().stream().map(e -> e.method() + " " + e.target())).contains("PUT " + manifestPath);
    }
  }

  /** A listing may be older than a file another client adds: publishing never overwrites it. */
  @Test
  void aFileAddedAfterTheListingIsNeitherOverwrittenNorTakenForOurs() throws Exception {
    upload(target, "2026/first.jpg", bytes(100, 1));
    assertThat(target.probe("2026/other.jpg")).isEqualTo(new RemoteState.Absent());
    byte[] theirs = bytes(500, 2);
    Files.write(stored("2026/other.jpg"), theirs);

    assertThatThrownBy(() -> upload(target, "2026/other.jpg", bytes(500, 3)))
        .isInstanceOf(UploadException.class)
        .satisfies(e -> assertThat(error(e)).isInstanceOf(UploadError.Conflict.class));

    assertThat(Files.readAllBytes(stored("2026/other.jpg"))).isEqualTo(theirs);
    assertThat(target.probe("2026/other.jpg")).as("written since the listing: asked again")
        .isInstanceOf(RemoteState.Complete.class);
    assertThat(leftovers()).isEmpty();
  }

  // ---- the part's body is streamed as it is appended ----

  /** No local copy, and no waiting for the last chunk: the server has bytes before complete. */
  @Test
  void aFileGoesToTheServerAsItIsAppendedWithNoLocalCopy() throws Exception {
    byte[] content = bytes(32 * CHUNK + 5, 60);
    try (FaultProxy proxy = FaultProxy.start(nginx.uri("/"))) {
      WebDavTarget proxied = proxied(proxy, Duration.ofSeconds(30));
      try (UploadSession session = proxied.open("2026/clip.mov", content.length)) {
        int half = 16 * CHUNK;
        session.append(0, ByteBuffer.wrap(content, 0, half));

        assertThat(proxy.awaitReceivedBodyBytes(half, () -> false, Duration.ofSeconds(10)))
            .as("the first half reached the server before the rest was appended")
            .isTrue();
        assertThat(spoolDir).isEmptyDirectory();
        session.append(half, ByteBuffer.wrap(content, half, content.length - half));
        session.complete(content.length, sha(content));
      }
      assertThat(proxy.exchanges()).filteredOn(e -> e.method().equals("PUT")).singleElement()
          .satisfies(put -> assertThat(put.whole()).isTrue());
    }
    assertThat(sha(get("/" + rootName + "/2026/clip.mov"))).isEqualTo(sha(content));
    assertThat(leftovers()).isEmpty();
  }

  /** The hash is checked before the last byte leaves: the server never gets the wrong file whole. */
  @Test
  void bytesThatDoNotHashAsExpectedNeverReachTheServerWhole() throws Exception {
    byte[] content = bytes(3 * CHUNK + 5, 61);
    byte[] other = bytes(3 * CHUNK + 5, 62);
    try (FaultProxy proxy = FaultProxy.start(nginx.uri("/"))) {
      WebDavTarget proxied = proxied(proxy, Duration.ofSeconds(30));

      assertThatThrownBy(
              () -> {
                try (UploadSession session = proxied.open("x.jpg", content.length)) {
                  session.append(0, ByteBuffer.wrap(other));
                  session.complete(content.length, sha(content));
                }
              })
          .satisfies(
              e -> {
                assertThat(error(e)).isInstanceOf(UploadError.Transient.class);
                assertThat(error(e).message()).startsWith("verification failed: ");
              });

      // The proxy may still be reading the aborted request when the client has given up on it.
      FaultProxy.Exchange put;
      do {
        put = proxy.awaitExchange(Duration.ofSeconds(10)).orElseThrow(WebDavTargetTest::noPut);
      } while (!put.method().equals("PUT"));
      assertThat(put.whole()).as("the PUT arrived cut short").isFalse();
      proxy.awaitIdle(Duration.ofSeconds(10));
      assertThat(proxy.exchanges()).filteredOn(e -> e.method().equals("PUT")).hasSize(1);
    }
    assertThat(target.probe("x.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(leftovers()).isEmpty();
  }

  private static AssertionError noPut() {
    return new AssertionError("no PUT reached the proxy");
  }

  /** A server that stops reading the body fails the upload within the read timeout, as transient. */
  @Test
  void aServerThatStopsReadingTheBodyFailsTheUploadWithinTheReadTimeout() throws Exception {
    CountDownLatch testOver = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread answering = new Thread(() -> answerAllButPuts(server, testOver), "reads no PUT body");
      answering.setDaemon(true);
      answering.start();
      WebDavTarget stuck =
          new WebDavTarget(
              URI.create("http://127.0.0.1:" + server.getLocalPort() + "/dav"),
              Optional.of(NginxWebDav.USER),
              TargetSettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1), 1).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));
      // More than the socket buffers and the session's queue hold together.
      byte[] content = bytes(64 << 20, 63);

      long start = System.nanoTime();
      assertThatThrownBy(() -> upload(stuck, "big.mov", content))
          .satisfies(
              e -> {
                assertThat(error(e)).isInstanceOf(UploadError.Transient.class);
                assertThat(error(e).message()).isEqualTo("PUT /dav/big.mov failed: the server took no bytes for 1 s");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    } finally {
      testOver.countDown();
    }
  }

  /** A server that took the whole body but does not answer fails the upload a read timeout after the last byte. */
  @Test
  void aServerThatTakesTheBodyButDoesNotAnswerIsUnreachableWithinTheReadTimeout() throws Exception {
    byte[] content = bytes(3 * CHUNK + 5, 64);
    try (FaultProxy proxy = FaultProxy.start(nginx.uri("/"))) {
      WebDavTarget proxied = proxied(proxy, Duration.ofSeconds(1));
      proxied.check();
      proxy.failNext("PUT", FaultProxy.Fault.stall());

      long start = System.nanoTime();
      assertThatThrownBy(() -> upload(proxied, "late.jpg", content))
          .satisfies(
              e -> {
                assertThat(error(e)).isInstanceOf(UploadError.Unreachable.class);
                assertThat(error(e).message()).isEqualTo("PUT /" + rootName + "/late.jpg failed: no response in time");
              });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      proxy.releaseStalled();
    }
    assertThat(target.probe("late.jpg")).isEqualTo(new RemoteState.Absent());
  }

  /** Answers every request 201 (none has a body), except a PUT: its body it does not read until {@code over}. */
  private static void answerAllButPuts(ServerSocket server, CountDownLatch over) {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread connection =
            new Thread(
                () -> {
                  try (socket) {
                    BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                    for (String line; (line = in.readLine()) != null; ) {
                      boolean put = line.startsWith("PUT ");
                      while (line != null && !line.isEmpty()) {
                        line = in.readLine();
                      }
                      if (put) {
                        over.await();
                        return;
                      }
                      socket.getOutputStream().write("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                  } catch (IOException ignored) {
                    // The client went away.
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        connection.setDaemon(true);
        connection.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private WebDavTarget proxied(FaultProxy proxy, Duration readTimeout) {
    return new WebDavTarget(
        proxy.uri().resolve("/" + rootName),
        Optional.of(NginxWebDav.USER),
        TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), readTimeout, CHUNK).withSpoolDir(spoolDir).withPassword(NginxWebDav.PASSWORD));
  }

  // ---- helpers ----

  /** Uploads like the engine does: chunk by chunk, then complete. */
  private static RemoteFile upload(WebDavTarget target, String name, byte[] content) throws UploadException {
    try (UploadSession session = target.open(name, content.length)) {
      long offset = session.offset();
      while (offset < content.length) {
        int n = (int) Math.min(CHUNK, content.length - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
      }
      return session.complete(content.length, sha(content));
    }
  }

  private byte[] get(String encodedPath) throws IOException, InterruptedException {
    String auth =
        Base64.getEncoder()
            .encodeToString((NginxWebDav.USER + ":" + NginxWebDav.PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(nginx.uri(encodedPath)).header("Authorization", "Basic " + auth).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as("GET " + encodedPath).isEqualTo(200);
    return response.body();
  }

  /** The manifest in the folder of {@code nfcPath}, as stored. */
  private FolderManifest manifestBeside(String nfcPath) throws IOException {
    int slash = nfcPath.lastIndexOf('/');
    return FolderManifest.parse(Files.readString(stored(nfcPath.substring(0, slash + 1) + FolderManifest.NAME)))
        .orElseThrow();
  }

  private Path stored(String nfcPath) {
    return nginx.www().resolve(rootName).resolve(nfcPath);
  }

  /** Part files and spool files that outlived their upload. */
  private List<Path> leftovers() throws IOException {
    try (Stream<Path> server = Files.walk(nginx.www().resolve(rootName));
        Stream<Path> spool = Files.list(spoolDir)) {
      return Stream.concat(
              server.filter(p -> p.getFileName().toString().endsWith(WebDavTarget.PART_SUFFIX)), spool)
          .toList();
    }
  }

  private static UploadError error(Throwable e) {
    return ((UploadException) e).error();
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
