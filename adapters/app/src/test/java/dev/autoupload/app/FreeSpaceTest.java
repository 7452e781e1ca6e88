package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.freespace.Freed;
import dev.autoupload.engine.freespace.FreedLog;
import dev.autoupload.engine.freespace.Outcome;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyReport;
import dev.autoupload.http.ApiToken;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freeing up space on real parts: a folder source, a local folder target and the H2 journal. A
 * library is backed up, then verified with {@code autoupload.after-backup} set; only originals
 * whose backup that verification proved, unchanged since, are moved or deleted.
 */
class FreeSpaceTest {

  private static final Instant LONG_AGO = Instant.parse("2024-05-10T12:00:00Z");

  @TempDir Path dir;

  private Path source() {
    return dir.resolve("photos");
  }

  private Path backup() {
    return dir.resolve("backup");
  }

  private byte[] write(String relativePath, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(relativePath.hashCode()).nextBytes(bytes);
    Path file = source().resolve(relativePath);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(LONG_AGO));
    return bytes;
  }

  private UploadEngine start(String afterBackup, String proof) {
    return EngineInternals.start(
        ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dir.resolve("data").toString(),
                    "autoupload.layout.pattern", "{path}",
                    "autoupload.after-backup", afterBackup,
                    "autoupload.after-backup-proof", proof))
            .withFallback(ConfigFactory.load()));
  }

  private Library library(UploadTarget target) {
    return new Library("camera", new FolderSource("camera", source()), target);
  }

  private void backUp() throws Exception {
    try (UploadEngine engine = start("keep", "sha256")) {
      engine.addLibrary(library(new LocalFolderTarget(backup()))).toCompletableFuture().get(10, TimeUnit.SECONDS);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(
              () -> {
                EngineStatus status = engine.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(status.idle()).as("idle: %s", status).isTrue();
                assertThat(status.failed()).isZero();
              });
    }
  }

  private static VerifyReport verifyAndFree(UploadEngine engine, Library library) throws Exception {
    return engine.verifyAndFreeSpace(library, VerifyMode.HASHES, progress -> {}).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Map<String, FileVerdict> verdicts(VerifyReport report) {
    return report.files().stream().collect(Collectors.toMap(FileVerdict::path, Function.identity()));
  }

  private static Map<String, Outcome> outcomes(VerifyReport report) {
    return report.afterBackup().stream().collect(Collectors.toMap(Outcome::path, Function.identity()));
  }

  @Test
  void deleteAfterZeroDeletesOnlyTheProvenUnchangedOriginalsAndJournalsEach() throws Exception {
    byte[] proven = write("2024/proven.jpg", 3_000);
    write("also.jpg", 2_000);
    write("edited.jpg", 2_500);
    write("lie.jpg", 1_500);
    backUp();
    // Edited after its backup: other bytes of the same size, the old time restored.
    byte[] other = new byte[2_500];
    new Random(7).nextBytes(other);
    Files.write(source().resolve("edited.jpg"), other);
    Files.setLastModifiedTime(source().resolve("edited.jpg"), FileTime.from(LONG_AGO));
    UploadTarget lying = new Reporting(new LocalFolderTarget(backup()), Reporting.lyingAbout("lie.jpg"));

    VerifyReport report;
    List<FreedLog.Entry> journal;
    JsonNode listed;
    try (UploadEngine engine = start("delete-after:0", "sha256")) {
      report = verifyAndFree(engine, library(lying));
      journal = engine.freed(10).toCompletableFuture().get(5, TimeUnit.SECONDS);
      listed = getFreed(engine);
    }

    assertThat(verdicts(report).get("lie.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(verdicts(report).get("edited.jpg").mark()).isEqualTo(Mark.DIFFERS);
    assertThat(source().resolve("2024/proven.jpg")).doesNotExist();
    assertThat(source().resolve("also.jpg")).doesNotExist();
    assertThat(source().resolve("edited.jpg")).hasBinaryContent(other);
    assertThat(source().resolve("lie.jpg")).exists();
    assertThat(backup().resolve("2024/proven.jpg")).hasBinaryContent(proven);
    assertThat(report.freed()).extracting(Freed::path).containsExactlyInAnyOrder("2024/proven.jpg", "also.jpg");
    assertThat(report.freed()).allSatisfy(freed -> assertThat(freed.action()).isEqualTo(Freed.Action.DELETED));
    assertThat(report.freed()).allSatisfy(freed -> assertThat(freed.backedUpAt()).isPresent());
    Freed deleted = report.freed().stream().filter(f -> f.path().equals("2024/proven.jpg")).findFirst().orElseThrow();
    assertThat(deleted.sha256()).isEqualTo(sha256(proven));
    assertThat(deleted.remotePath()).hasValue("2024/proven.jpg");
    assertThat(outcomes(report).get("lie.jpg")).isInstanceOf(Outcome.Kept.class);
    assertThat(journal)
        .extracting(FreedLog.Entry::path, FreedLog.Entry::action, FreedLog.Entry::state, FreedLog.Entry::libraryId)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("2024/proven.jpg", Freed.Action.DELETED, FreedLog.State.DONE, "camera"),
            org.assertj.core.groups.Tuple.tuple("also.jpg", Freed.Action.DELETED, FreedLog.State.DONE, "camera"));
    assertThat(listed.get("items")).hasSize(2);
    JsonNode first =
        listed.get("items").get(0).get("path").asText().equals("also.jpg") ? listed.get("items").get(1) : listed.get("items").get(0);
    assertThat(first.get("path").asText()).isEqualTo("2024/proven.jpg");
    assertThat(first.get("action").asText()).isEqualTo("deleted");
    assertThat(first.get("state").asText()).isEqualTo("done");
    assertThat(first.get("sha256").asText()).isEqualTo(sha256(proven));
    assertThat(first.get("proof").asText()).isEqualTo("sha256_reported");
    assertThat(first.get("remotePath").asText()).isEqualTo("2024/proven.jpg");
  }

  /** {@code GET /api/freed} on the control endpoint, with its token. */
  private JsonNode getFreed(UploadEngine engine) throws Exception {
    Path data = dir.resolve("data");
    try (HttpControlServer server = HttpControlServer.start(engine, data, "127.0.0.1", 0)) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.url().resolve("/api/freed"))
                      .header("Authorization", "Bearer " + ApiToken.read(data).orElseThrow().value())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      return new ObjectMapper().readTree(response.body());
    }
  }

  @Test
  void moveToMovesProvenOriginalsUnderTheirPathsAndNeverOverwrites() throws Exception {
    byte[] nested = write("2024/05/nested.jpg", 3_000);
    byte[] top = write("top.jpg", 2_000);
    byte[] taken = write("taken.jpg", 1_000);
    backUp();
    Path archive = dir.resolve("archive");
    Files.createDirectories(archive);
    Files.writeString(archive.resolve("taken.jpg"), "already here");

    VerifyReport report;
    List<FreedLog.Entry> journal;
    try (UploadEngine engine = start("move-to:" + archive, "sha256")) {
      report = verifyAndFree(engine, library(new LocalFolderTarget(backup())));
      journal = engine.freed(10).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    assertThat(archive.resolve("2024/05/nested.jpg")).hasBinaryContent(nested);
    assertThat(archive.resolve("top.jpg")).hasBinaryContent(top);
    assertThat(source().resolve("2024/05/nested.jpg")).doesNotExist();
    assertThat(source().resolve("top.jpg")).doesNotExist();
    assertThat(archive.resolve("taken.jpg")).hasContent("already here");
    assertThat(source().resolve("taken.jpg")).hasBinaryContent(taken);
    assertThat(((Outcome.Kept) outcomes(report).get("taken.jpg")).why()).contains("already at").contains("not overwritten");
    assertThat(report.freed())
        .extracting(Freed::path, Freed::movedTo)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("2024/05/nested.jpg", Optional.of(archive.resolve("2024/05/nested.jpg"))),
            org.assertj.core.groups.Tuple.tuple("top.jpg", Optional.of(archive.resolve("top.jpg"))));
    // The intent was written before the move was tried; the row tells it was not done, and why.
    assertThat(journal)
        .filteredOn(entry -> entry.path().equals("taken.jpg"))
        .singleElement()
        .satisfies(entry -> {
          assertThat(entry.state()).isEqualTo(FreedLog.State.ABANDONED);
          assertThat(entry.movedTo()).hasValue(archive.resolve("taken.jpg"));
          assertThat(entry.detail()).hasValueSatisfying(detail -> assertThat(detail).contains("not overwritten"));
        });
    assertThat(journal).filteredOn(entry -> entry.state() == FreedLog.State.DONE).hasSize(2);
  }

  @Test
  void aMoveToAnotherFileSystemCopiesAndChecksTheCopyBeforeTheOriginalGoes() throws Exception {
    Path shm = Path.of("/dev/shm");
    Assumptions.assumeTrue(
        Files.isDirectory(shm) && !Files.getFileStore(shm).equals(Files.getFileStore(dir)),
        "needs /dev/shm on another file system than the temporary folder");
    byte[] photo = write("2024/far.jpg", 4_000);
    backUp();
    Path archive = Files.createTempDirectory(shm, "autoupload-free-space-test");
    try {
      VerifyReport report;
      try (UploadEngine engine = start("move-to:" + archive, "sha256")) {
        report = verifyAndFree(engine, library(new LocalFolderTarget(backup())));
      }

      assertThat(report.freed()).extracting(Freed::path).containsExactly("2024/far.jpg");
      assertThat(archive.resolve("2024/far.jpg")).hasBinaryContent(photo);
      assertThat(source().resolve("2024/far.jpg")).doesNotExist();
    } finally {
      try (Stream<Path> paths = Files.walk(archive)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  @Test
  void anMd5OnlyProofKeepsTheOriginalUnlessTheSettingAllowsMd5() throws Exception {
    write("koofr.jpg", 2_000);
    backUp();
    UploadTarget md5Only = new Reporting(new LocalFolderTarget(backup()), Reporting.md5Only());

    try (UploadEngine engine = start("delete-after:0", "sha256")) {
      VerifyReport report = verifyAndFree(engine, library(md5Only));
      assertThat(verdicts(report).get("koofr.jpg").mark()).isEqualTo(Mark.SAME);
      assertThat(((Outcome.Kept) outcomes(report).get("koofr.jpg")).why()).contains("weaker hash");
    }
    assertThat(source().resolve("koofr.jpg")).exists();

    try (UploadEngine engine = start("delete-after:0", "md5")) {
      VerifyReport report = verifyAndFree(engine, library(md5Only));
      assertThat(report.freed()).extracting(Freed::path).containsExactly("koofr.jpg");
    }
    assertThat(source().resolve("koofr.jpg")).doesNotExist();
  }

  @Test
  void aBackupYoungerThanDeleteAfterAndTheDefaultKeepTouchNothing() throws Exception {
    byte[] young = write("young.jpg", 2_000);
    backUp();

    try (UploadEngine engine = start("delete-after:30", "sha256")) {
      VerifyReport report = verifyAndFree(engine, library(new LocalFolderTarget(backup())));
      assertThat(report.freed()).isEmpty();
      assertThat(((Outcome.Kept) outcomes(report).get("young.jpg")).why()).contains("younger");
    }
    try (UploadEngine engine = UploadEngine.start(dir.resolve("data"))) {
      assertThat(engine.afterBackup().frees()).isFalse();
      assertThatThrownBy(() -> engine.verifyAndFreeSpace(library(new LocalFolderTarget(backup())), VerifyMode.HASHES, p -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("autoupload.after-backup is keep");
      VerifyReport report =
          engine.verify(library(new LocalFolderTarget(backup())), VerifyMode.HASHES, p -> {}).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(report.afterBackup()).isEmpty();
      assertThat(engine.freed(10).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    }
    assertThat(source().resolve("young.jpg")).hasBinaryContent(young);
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(Sha256.newDigest().digest(bytes));
  }

  /**
   * The local folder target, telling other hashes than the truth: a target that lies about one
   * file's sha256, or one that, like Koofr, reports only an MD5.
   */
  private static final class Reporting implements UploadTarget {

    interface Report {
      RemoteState of(String remotePath, RemoteState.Complete honest, UploadTarget target) throws UploadException;
    }

    static Report lyingAbout(String lie) {
      return (remotePath, honest, target) ->
          remotePath.equals(lie) ? new RemoteState.Complete(honest.size(), Optional.of("0".repeat(64))) : honest;
    }

    static Report md5Only() {
      return (remotePath, honest, target) -> {
        try (InputStream in = target.openRead(remotePath).orElseThrow()) {
          MessageDigest md5 = MessageDigest.getInstance("MD5");
          return new RemoteState.Complete(honest.size(), Optional.empty(), Optional.of(HexFormat.of().formatHex(md5.digest(in.readAllBytes()))));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      };
    }

    private final UploadTarget target;
    private final Report report;

    Reporting(UploadTarget target, Report report) {
      this.target = target;
      this.report = report;
    }

    @Override
    public String describe() {
      return target.describe();
    }

    @Override
    public RemoteState probe(String remotePath) throws UploadException {
      RemoteState state = target.probe(remotePath);
      return state instanceof RemoteState.Complete complete ? report.of(remotePath, complete, target) : state;
    }

    @Override
    public UploadSession open(String remotePath, long size) throws UploadException {
      return target.open(remotePath, size);
    }

    @Override
    public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
      target.discard(remotePath, resumeToken);
    }

    @Override
    public NameRules nameRules() {
      return target.nameRules();
    }

    @Override
    public void check() throws UploadException {
      target.check();
    }

    @Override
    public void close() {
      target.close();
    }
  }
}
