package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.AssetSource;
import dev.autoupload.engine.library.ContentHashCache;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.engine.verify.FileCheck;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.VerifyMode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link UploadTarget} must do, whatever the protocol behind it: store real bytes that
 * hash the same when they come back, resume or restart an interrupted upload without leaving a torn
 * file under the final name, keep odd names intact, stay under its root, and never overwrite a
 * different file.
 *
 * <p>A target's test extends this class and says how to build the target ({@link #newTarget()}),
 * whether it resumes ({@link #resumable()}), in what pieces the suite sends ({@link #chunkSize()})
 * and, where it can, how to look at the server behind the target's back ({@link #serverView()}).
 *
 * <p>A round trip is proven by the probe reporting the expected sha256, by {@link ServerView#read}
 * returning the very bytes, or both; a target offering neither cannot pass.
 *
 * <p>{@code verify} must tell, from what the target holds, a backup that is there from one that
 * was deleted, truncated or replaced with other bytes of the same size behind its back ({@link
 * #tampering()}), and read backups back where the target can.
 */
public abstract class TargetConformance {

  /** How the targets that keep an unfinished upload beside its name end the part's name. */
  protected static final String PART_SUFFIX = ".autoupload-part";

  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** The target under test, built by {@link #newTarget()} before each test. */
  protected UploadTarget target;

  /**
   * A target on this test's root, which starts empty. Called before each test and again when a
   * test simulates a restart of Autoupload; every call within one test must reach the same root.
   */
  protected abstract UploadTarget newTarget() throws Exception;

  /**
   * Whether an interrupted upload continues from what the server kept (tus, S3 multipart,
   * Nextcloud chunking, part files) rather than from zero (plain WebDAV PUT).
   */
  protected abstract boolean resumable();

  /**
   * The size of each append the suite makes; for a resumable target also the most an interruption
   * may cost, so it must be at least the piece the target persists at once (an S3 part, a chunk).
   */
  protected abstract int chunkSize();

  /**
   * Whether the target can tell what sits under a name, so that a second, different file under the
   * same name is a conflict. Not so for tus, which knows uploads only by the URL the server gave
   * them: two uploads of one name are two uploads, and neither is overwritten.
   */
  protected boolean knowsFilesByName() {
    return true;
  }

  /** How to inspect the server without going through the target; empty when the test cannot. */
  protected Optional<ServerView> serverView() {
    return Optional.empty();
  }

  /**
   * How to change what the server stores behind the target's back; empty for a target that cannot
   * find files by name ({@link #knowsFilesByName()}), which {@code verify} cannot ask about them.
   */
  protected Optional<Tampering> tampering() {
    return Optional.empty();
  }

  /** Changes to what the server stores, made with the server's own means, as another client would. */
  public interface Tampering {

    void delete(String remotePath) throws Exception;

    /** Stores {@code content} under {@code remotePath} instead of what is there. */
    void replace(String remotePath, byte[] content) throws Exception;

    /**
     * Tampering with a server that keeps the target's root as the folder {@code root} on this
     * machine. A replaced file's modification time moves a minute on, as a later write's would:
     * servers report it to the second, and a write within the same second would look unchanged.
     */
    static Tampering ofFolder(Path root) {
      return new Tampering() {
        @Override
        public void delete(String remotePath) throws Exception {
          Files.delete(root.resolve(remotePath));
        }

        @Override
        public void replace(String remotePath, byte[] content) throws Exception {
          Path file = root.resolve(remotePath);
          FileTime before = Files.getLastModifiedTime(file);
          Files.write(file, content);
          Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(60)));
        }
      };
    }
  }

  /** The server's side of the target, read with the server's own means (a file read, a GET). */
  public interface ServerView {

    /** The bytes stored under {@code remotePath} (NFC) below the root; empty when none are. */
    Optional<byte[]> read(String remotePath) throws Exception;

    /** The bytes stored under {@code name} beside the root, where {@code ../name} would land. */
    Optional<byte[]> readBesideRoot(String name) throws Exception;

    /**
     * What the server holds below the root for uploads that were not finished: part files, chunk
     * folders, multipart uploads, unfinished tus uploads; each named as the server names it.
     */
    List<String> unfinished() throws Exception;

    /**
     * The view of a server that keeps the target's root as the folder {@code root} on this machine,
     * an unfinished upload as a hidden {@code .<name>.autoupload-part} beside its name.
     */
    static ServerView ofFolder(Path root) {
      return new ServerView() {
        @Override
        public Optional<byte[]> read(String remotePath) throws Exception {
          return regularFile(root.resolve(remotePath));
        }

        @Override
        public Optional<byte[]> readBesideRoot(String name) throws Exception {
          return regularFile(root.resolveSibling(name));
        }

        @Override
        public List<String> unfinished() throws Exception {
          return partFiles(root);
        }
      };
    }

    /** The part files below {@code root}, relative to it. */
    static List<String> partFiles(Path root) throws Exception {
      if (!Files.isDirectory(root)) {
        return List.of();
      }
      try (Stream<Path> files = Files.walk(root)) {
        return files
            .filter(file -> file.getFileName().toString().endsWith(PART_SUFFIX))
            .map(file -> root.relativize(file).toString())
            .sorted()
            .toList();
      }
    }

    private static Optional<byte[]> regularFile(Path file) throws Exception {
      return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }
  }

  @BeforeEach
  final void openTarget() throws Exception {
    target = newTarget();
  }

  @AfterEach
  final void closeTarget() {
    if (target != null) {
      target.close();
    }
  }

  @Test
  void checkPassesOnAFreshRoot() throws Exception {
    target.check();
  }

  @Test
  void probesAnAbsentPathAsAbsent() throws Exception {
    assertThat(target.probe("never/uploaded.jpg")).isEqualTo(new RemoteState.Absent());
  }

  @Test
  void storesASmallFile() throws Exception {
    byte[] content = randomBytes(chunkSize() / 2 + 1, 1);

    RemoteFile stored = upload(target, "2024/06/IMG_0001.jpg", content).file();

    assertThat(stored)
        .isEqualTo(new RemoteFile("2024/06/IMG_0001.jpg", content.length, sha256(content)));
    assertStored("2024/06/IMG_0001.jpg", content);
  }

  @Test
  void storesAZeroByteFile() throws Exception {
    RemoteFile stored;
    try (UploadSession session = target.open("empty.txt", 0)) {
      assertThat(session.offset()).isZero();
      stored = session.complete(0, EMPTY_SHA256);
    }

    assertThat(stored).isEqualTo(new RemoteFile("empty.txt", 0, EMPTY_SHA256));
    assertStored("empty.txt", new byte[0]);
  }

  @Test
  void storesAFileLargerThanAChunk() throws Exception {
    byte[] content = randomBytes(3 * chunkSize() + 17, 2);

    Upload upload = upload(target, "video/clip.mp4", content);

    assertThat(upload.file().sha256()).isEqualTo(sha256(content));
    assertThat(upload.bytesSent()).isEqualTo(content.length);
    assertStored("video/clip.mp4", content);
  }

  @Test
  void probesACompleteFileWithItsSizeAndHash() throws Exception {
    byte[] content = randomBytes(chunkSize() + 5, 3);
    upload(target, "done.jpg", content);

    RemoteState state = newTargetAfterRestart().probe("done.jpg");

    assertComplete(state, content);
  }

  @Test
  void resumesAnInterruptedUploadFromTheProbedOffset() throws Exception {
    byte[] content = randomBytes(4 * chunkSize() + 99, 4);
    long sentBefore = sendPartly("clip.mp4", content, 2 * chunkSize() + chunkSize() / 2);

    target.close();
    target = newTarget();
    RemoteState probed = target.probe("clip.mp4");

    assertThat(probed).isNotInstanceOf(RemoteState.Complete.class);
    assertNothingStoredUnder("clip.mp4");
    long probedOffset = probed instanceof RemoteState.Partial partial ? partial.offset() : 0;
    if (resumable()) {
      assertThat(probed).isInstanceOf(RemoteState.Partial.class);
    }
    Upload resumed = upload(target, "clip.mp4", content);
    assertThat(resumed.startOffset()).as("offset the resumed session starts at").isEqualTo(probedOffset);
    long resent = sentBefore + resumed.bytesSent() - content.length;
    if (resumable()) {
      assertThat(resent).as("bytes sent twice").isBetween(0L, (long) chunkSize());
    } else {
      assertThat(resent).as("bytes sent twice").isBetween(0L, sentBefore);
    }
    assertStored("clip.mp4", content);
  }

  @Test
  void neverShowsAnInterruptedUploadUnderItsFinalName() throws Exception {
    byte[] content = randomBytes(3 * chunkSize(), 5);
    sendPartly("torn.mov", content, chunkSize() + 1);

    assertThat(target.probe("torn.mov")).isNotInstanceOf(RemoteState.Complete.class);
    assertNothingStoredUnder("torn.mov");
  }

  @Test
  void refusesToPublishBytesThatDoNotMatchTheHash() throws Exception {
    byte[] content = randomBytes(chunkSize() + 3, 6);
    byte[] other = randomBytes(chunkSize() + 3, 7);

    UploadError error =
        errorOf(
            () -> {
              try (UploadSession session = target.open("x.jpg", content.length)) {
                sendFrom(session, other);
                session.complete(content.length, sha256(content));
              }
            });

    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(target.probe("x.jpg")).isNotInstanceOf(RemoteState.Complete.class);
    assertNothingStoredUnder("x.jpg");
    upload(target, "x.jpg", content);
    assertStored("x.jpg", content);
  }

  @Test
  void surfacesAConflictAndKeepsTheOriginalWhenTheSameNameHoldsOtherContent() throws Exception {
    assumeTrue(knowsFilesByName(), "the target has no names to conflict on");
    byte[] original = randomBytes(chunkSize() + 11, 8);
    byte[] other = randomBytes(chunkSize() + 11, 9);
    upload(target, "photo.jpg", original);

    UploadError error = errorOf(() -> upload(target, "photo.jpg", other));

    assertThat(error).isInstanceOf(UploadError.Conflict.class);
    assertThat(error.message()).contains("photo.jpg");
    assertStored("photo.jpg", original);
  }

  @Test
  void replacesTheFileUnderTheNameOnlyWhenAskedToAndOnlyOnceTheNewOneIsComplete() throws Exception {
    assumeTrue(knowsFilesByName(), "the target has no names to replace");
    byte[] original = randomBytes(chunkSize() + 11, 13);
    byte[] edited = randomBytes(2 * chunkSize() + 7, 14);
    upload(target, "edited.jpg", original);

    try (UploadSession interrupted = target.openReplacing("edited.jpg", edited.length, Optional.empty())) {
      interrupted.append(interrupted.offset(), ByteBuffer.wrap(edited, 0, chunkSize()));
    }
    assertStored("edited.jpg", original);
    Upload replaced;
    try (UploadSession session = newTargetAfterRestart().openReplacing("edited.jpg", edited.length, Optional.empty())) {
      long start = session.offset();
      long sent = sendFrom(session, edited);
      replaced = new Upload(session.complete(edited.length, sha256(edited)), start, sent);
    }

    assertThat(replaced.file()).isEqualTo(new RemoteFile("edited.jpg", edited.length, sha256(edited)));
    if (resumable()) {
      assertThat(replaced.startOffset()).as("the interrupted replacement resumed").isPositive();
    }
    assertStored("edited.jpg", edited);
  }

  @Test
  void discardRemovesWhatAnInterruptedUploadLeftAndNeverAFinishedFile() throws Exception {
    byte[] kept = randomBytes(chunkSize() + 3, 30);
    upload(target, "discard/kept.jpg", kept);
    byte[] content = randomBytes(3 * chunkSize() + 5, 31);
    Optional<String> token = sendPartlyForToken("discard/gone.mov", content, 2 * chunkSize() + 1);
    ServerView server = serverView().orElseThrow(() -> new AssertionError("discard needs a serverView()"));
    if (resumable()) {
      assertThat(server.unfinished()).as("what the interrupted upload left on the server").isNotEmpty();
    }

    UploadTarget restarted = newTargetAfterRestart();
    restarted.discard("discard/gone.mov", token);
    restarted.discard("discard/gone.mov", token);
    restarted.discard("discard/never-uploaded.jpg", Optional.empty());
    restarted.discard("discard/kept.jpg", Optional.empty());

    assertThat(server.unfinished()).as("left on the server after the discard").isEmpty();
    assertThat(restarted.probe("discard/gone.mov")).isEqualTo(new RemoteState.Absent());
    assertNothingStoredUnder("discard/gone.mov");
    assertStored("discard/kept.jpg", kept);
    Upload again = upload(restarted, "discard/gone.mov", content);
    assertThat(again.startOffset()).as("a new upload starts from nothing").isZero();
    assertStored("discard/gone.mov", content);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "with space.jpg",
        "hash#1.jpg",
        "100%.jpg",
        "what?.jpg",
        "a+b=c.jpg",
        "smile \uD83D\uDE00.jpg",
        "dir with space/%20literal.jpg",
        "..%2F..%2Fliteral.jpg",
        "semi;colon & amp'quote\".jpg"
      })
  void storesNamesThatUrisWouldEscapeExactlyAsGiven(String remotePath) throws Exception {
    byte[] content = randomBytes(chunkSize() / 4 + 1, remotePath.hashCode());

    RemoteFile stored = upload(target, remotePath, content).file();

    assertThat(stored.remotePath()).isEqualTo(remotePath);
    assertStored(remotePath, content);
  }

  @Test
  void keepsPercentSequencesLiteral() throws Exception {
    byte[] content = randomBytes(100, 10);

    upload(target, "a%20b.jpg", content);

    assertStored("a%20b.jpg", content);
    assertThat(target.probe("a b.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(target.probe("a%2520b.jpg")).isEqualTo(new RemoteState.Absent());
  }

  /**
   * Names made of what some target refuses: Windows' characters, control characters, a device
   * name, Nextcloud's reserved names and extensions, a last dot and space, and a name that escaping
   * makes too long. The layout escapes and shortens them by the target's own rules; whatever it
   * gives, the target must store byte-exact under exactly that name.
   */
  @Test
  void storesHostileNamesOnceTheLayoutEscapedThemByTheTargetsRules() throws Exception {
    String hostile = "a<b>c:d\"e|f?g*h\\i\u0001j\u007fk #%+&;=@[]{}'`~\u00e9\uD83C\uDF0A";
    String path = "CON/.htaccess/nul.tar. /" + hostile + ".part/" + hostile.repeat(8) + ".jpg";
    Instant created = Instant.parse("2024-06-01T10:00:00Z");
    Asset asset = new Asset("id", "lib", path, 1, created, CreationDateSource.EXIF, created, Optional.empty());
    String remotePath = RemoteLayout.MIRROR.remotePath(asset, target.nameRules());
    byte[] content = randomBytes(chunkSize() + 7, 13);

    RemoteFile stored = upload(target, remotePath, content).file();

    assertThat(stored.remotePath()).isEqualTo(remotePath);
    assertStored(remotePath, content);
    assertThat(remotePath.substring(remotePath.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8).length)
        .as("the long name, shortened")
        .isLessThanOrEqualTo(target.nameRules().maxNameBytes());
  }

  @Test
  void storesDecomposedNamesInComposedForm() throws Exception {
    String decomposed = "Cafe\u0301/Cre\u0300me \u00e0 la cre\u0300me.jpg";
    String composed = Normalizer.normalize(decomposed, Normalizer.Form.NFC);
    byte[] content = randomBytes(1000, 11);

    RemoteFile stored = upload(target, decomposed, content).file();

    assertThat(stored.remotePath()).isEqualTo(composed);
    assertStored(composed, content);
    assertComplete(target.probe(decomposed), content);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escape.bin", "a/../../escape.bin", "..", "a/../escape.bin"})
  void refusesPathsLeadingOutOfTheRoot(String remotePath) throws Exception {
    byte[] content = randomBytes(100, 12);

    UploadError onProbe = errorOf(() -> target.probe(remotePath));
    UploadError onUpload = errorOf(() -> upload(target, remotePath, content));

    assertThat(onProbe).isInstanceOf(UploadError.Permanent.class);
    assertThat(onUpload).isInstanceOf(UploadError.Permanent.class);
    if (serverView().isPresent()) {
      assertThat(serverView().get().readBesideRoot("escape.bin")).isEmpty();
      assertThat(serverView().get().read("escape.bin")).isEmpty();
    }
  }

  // ---- verify ----

  @Test
  void saysWhetherItFindsFilesByName() {
    assertThat(target.findsFilesByName()).isEqualTo(knowsFilesByName());
  }

  @Test
  void readsAStoredFileBackByteForByteWhereItFindsFilesByName() throws Exception {
    byte[] content = randomBytes(chunkSize() + 9, 20);
    upload(target, "back/IMG_0001.jpg", content);

    Optional<InputStream> in = newTargetAfterRestart().openRead("back/IMG_0001.jpg");

    if (!knowsFilesByName()) {
      assertThat(in).isEmpty();
      return;
    }
    assertThat(in).isPresent();
    try (InputStream stream = in.get()) {
      assertThat(sha256(stream.readAllBytes())).isEqualTo(sha256(content));
    }
    assertThat(errorOf(() -> target.openRead("back/never-uploaded.jpg"))).isNotNull();
  }

  @Test
  void verifyTellsABackupThatIsThereFromOneDeletedTruncatedOrReplaced() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("verify/same.jpg", randomBytes(chunkSize() + 1, 21));
    files.put("verify/deleted.jpg", randomBytes(chunkSize() / 2 + 3, 22));
    files.put("verify/truncated.jpg", randomBytes(chunkSize() + 5, 23));
    files.put("verify/replaced.jpg", randomBytes(chunkSize() / 2 + 7, 24));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      upload(target, file.getKey(), file.getValue());
    }
    if (knowsFilesByName()) {
      Tampering tampering = tampering().orElseThrow(() -> new AssertionError("a target with names needs tampering()"));
      tampering.delete("verify/deleted.jpg");
      tampering.replace("verify/truncated.jpg", Arrays.copyOf(files.get("verify/truncated.jpg"), chunkSize() / 2));
      tampering.replace("verify/replaced.jpg", randomBytes(chunkSize() / 2 + 7, 25));
    }

    Map<String, FileVerdict> verdicts = verify(files, VerifyMode.HASHES);

    if (!knowsFilesByName()) {
      assertThat(verdicts.values())
          .allSatisfy(
              verdict -> {
                assertThat(verdict.mark()).isEqualTo(Mark.UNCHECKED);
                assertThat(verdict.reason()).contains("cannot look files up by name");
              });
      return;
    }
    assertThat(verdicts.get("verify/same.jpg").mark()).as(verdicts.get("verify/same.jpg").reason()).isEqualTo(Mark.SAME);
    assertThat(verdicts.get("verify/deleted.jpg").mark()).isEqualTo(Mark.MISSING);
    assertThat(verdicts.get("verify/truncated.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(verdicts.get("verify/truncated.jpg").reason())
        .isEqualTo("verify/truncated.jpg holds other content: " + chunkSize() / 2 + " bytes there, " + (chunkSize() + 5) + " here");
    assertThat(verdicts.get("verify/replaced.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(verdicts.get("verify/replaced.jpg").reason())
        .startsWith("verify/replaced.jpg holds other content of the same size (" + (chunkSize() / 2 + 7) + " bytes): ");
  }

  @Test
  void verifyWithDownloadReadsEveryBackupBack() throws Exception {
    assumeTrue(knowsFilesByName(), "verify cannot ask the target about a name");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("download/same.jpg", randomBytes(chunkSize() / 2 + 11, 26));
    files.put("download/replaced.jpg", randomBytes(chunkSize() / 2 + 13, 27));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      upload(target, file.getKey(), file.getValue());
    }
    tampering().orElseThrow().replace("download/replaced.jpg", randomBytes(chunkSize() / 2 + 13, 28));

    Map<String, FileVerdict> verdicts = verify(files, VerifyMode.DOWNLOAD);

    assertThat(verdicts.get("download/same.jpg").mark()).isEqualTo(Mark.SAME);
    assertThat(verdicts.get("download/same.jpg").reason()).contains("sha256 (read back)");
    assertThat(verdicts.get("download/replaced.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(verdicts.get("download/replaced.jpg").reason()).contains("sha256 (read back) ");
  }

  /** Each file's verdict, each looked for under its own path, as a fresh data dir's verify would. */
  private Map<String, FileVerdict> verify(Map<String, byte[]> files, VerifyMode mode) throws Exception {
    AssetSource source =
        new AssetSource() {
          @Override
          public String describe() {
            return "the test's files";
          }

          @Override
          public void scan(Consumer<List<Asset>> batches) {
            throw new UnsupportedOperationException("the test hands the assets over itself");
          }

          @Override
          public InputStream open(Asset asset) {
            return new ByteArrayInputStream(files.get(asset.relativePath()));
          }
        };
    FileCheck check =
        new FileCheck(
            source, ContentHashCache.inMemory(), newTargetAfterRestart(), (asset, sha256) -> List.of(asset.relativePath()), mode);
    Instant taken = Instant.parse("2024-06-01T10:00:00Z");
    Map<String, FileVerdict> verdicts = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Asset asset =
          new Asset(
              file.getKey(), "lib", file.getKey(), file.getValue().length, taken, CreationDateSource.HOST_APP, taken,
              Optional.empty());
      verdicts.put(file.getKey(), check.check(asset));
    }
    return verdicts;
  }

  /** What one upload through {@link #upload} did. */
  protected record Upload(RemoteFile file, long startOffset, long bytesSent) {}

  /** Uploads {@code content} in {@link #chunkSize()} pieces from the offset the session offers. */
  protected final Upload upload(UploadTarget to, String remotePath, byte[] content)
      throws UploadException {
    try (UploadSession session = to.open(remotePath, content.length)) {
      long start = session.offset();
      long sent = sendFrom(session, content);
      return new Upload(session.complete(content.length, sha256(content)), start, sent);
    }
  }

  /** Sends {@code content} from the session's offset on, without completing; returns bytes sent. */
  private long sendFrom(UploadSession session, byte[] content) throws UploadException {
    long offset = session.offset();
    long sent = 0;
    while (offset < content.length) {
      int length = (int) Math.min(chunkSize(), content.length - offset);
      long next = session.append(offset, ByteBuffer.wrap(content, (int) offset, length));
      assertThat(next).as("offset after an append").isEqualTo(offset + length);
      sent += length;
      offset = next;
    }
    return sent;
  }

  /** Sends the first {@code upTo} bytes in chunks, then closes the session as a crash would. */
  private long sendPartly(String remotePath, byte[] content, int upTo) throws UploadException {
    long sent = 0;
    try (UploadSession session = target.open(remotePath, content.length)) {
      long offset = session.offset();
      while (offset < upTo) {
        int length = (int) Math.min(chunkSize(), upTo - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, length));
        sent += length;
      }
    }
    return sent;
  }

  /** As {@link #sendPartly}; returns the session's resume token, which the engine would journal. */
  private Optional<String> sendPartlyForToken(String remotePath, byte[] content, int upTo) throws UploadException {
    try (UploadSession session = target.open(remotePath, content.length)) {
      long offset = session.offset();
      while (offset < upTo) {
        int length = (int) Math.min(chunkSize(), upTo - offset);
        offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, length));
      }
      return session.resumeToken();
    }
  }

  private UploadTarget newTargetAfterRestart() throws Exception {
    target.close();
    target = newTarget();
    return target;
  }

  /** Proves the round trip through the probe's hash, the server's bytes, or both. */
  private void assertStored(String remotePath, byte[] content) throws Exception {
    RemoteState state = target.probe(remotePath);
    assertComplete(state, content);
    Optional<String> probedHash = ((RemoteState.Complete) state).sha256();
    if (serverView().isPresent()) {
      Optional<byte[]> stored = serverView().get().read(remotePath);
      assertThat(stored).as("bytes on the server under %s", remotePath).isPresent();
      assertThat(sha256(stored.get())).isEqualTo(sha256(content));
    } else {
      assertThat(probedHash)
          .as("without a server view the probe must report the sha256 of %s", remotePath)
          .isPresent();
    }
  }

  private static void assertComplete(RemoteState state, byte[] content) {
    assertThat(state).isInstanceOf(RemoteState.Complete.class);
    RemoteState.Complete complete = (RemoteState.Complete) state;
    assertThat(complete.size()).isEqualTo(content.length);
    complete.sha256().ifPresent(hash -> assertThat(hash).isEqualToIgnoringCase(sha256(content)));
  }

  private void assertNothingStoredUnder(String remotePath) throws Exception {
    if (serverView().isPresent()) {
      assertThat(serverView().get().read(remotePath)).as("bytes under %s", remotePath).isEmpty();
    }
  }

  /** The classified error the call failed with; fails the test when it did not fail that way. */
  protected static UploadError errorOf(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(UploadException.class);
    return ((UploadException) thrown).error();
  }

  protected static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  protected static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
