package dev.autoupload.targets.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.SpoolDamage;
import dev.autoupload.targets.TargetSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

class S3TargetTest {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;
  private static final long PART = S3Config.MIN_PART_SIZE;

  private static S3ProxyServer server;
  private static int buckets;

  private S3Config config;
  private S3Target target;
  private S3Client client;

  @BeforeAll
  static void startServer() throws Exception {
    server = new S3ProxyServer();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    String bucket = "photos-" + ++buckets;
    server.createBucket(bucket);
    config =
        S3Config.of(bucket, "backup/phone")
            .withEndpoint(server.endpoint(), true)
            .withKey(new S3Config.AccessKey(server.accessKeyId, server.secretAccessKey))
            .withMultipart(6 * MIB, PART);
    target = S3Target.connect(config);
    client = S3Target.client(config);
  }

  @AfterEach
  void closeClients() {
    target.close();
    client.close();
  }

  @Test
  void storesASmallFileThatReadsBackWithTheSameSha256() throws Exception {
    byte[] content = random(100 * KIB + 7, 1);
    assertThat(target.probe("2024/IMG_0001.jpg")).isEqualTo(new RemoteState.Absent());

    RemoteFile file = upload(target, "2024/IMG_0001.jpg", content, 16 * KIB);

    assertThat(file)
        .isEqualTo(new RemoteFile("2024/IMG_0001.jpg", content.length, sha256(content)));
    assertThat(stored("backup/phone/2024/IMG_0001.jpg")).isEqualTo(sha256(content));
    assertThat(target.probe("2024/IMG_0001.jpg"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  @Test
  void storesAnEmptyFile() throws Exception {
    RemoteFile file = upload(target, "empty.txt", new byte[0], KIB);

    assertThat(file.size()).isZero();
    assertThat(stored("backup/phone/empty.txt")).isEqualTo(sha256(new byte[0]));
    assertThat(target.probe("empty.txt"))
        .isEqualTo(new RemoteState.Complete(0, Optional.of(sha256(new byte[0]))));
  }

  /**
   * A host app's own client (the public constructor) carries the small files' PutObject too: only
   * a target that made its client puts them without the SDK ({@link ObjectPut}), so what a client
   * was set up with (its credentials, its interceptors) is never gone around.
   */
  @Test
  void aTargetOnTheCallersClientPutsSmallFilesThroughThatClient() throws Exception {
    List<String> putKeys = new CopyOnWriteArrayList<>();
    ExecutionInterceptor recordPuts =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutObjectRequest put) {
              putKeys.add(put.key());
            }
          }
        };
    byte[] content = random(40 * KIB, 2);
    try (S3Client own =
            S3Client.builder()
                .region(Region.of(config.region()))
                .endpointOverride(server.endpoint())
                .forcePathStyle(true)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKeyId, server.secretAccessKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.addExecutionInterceptor(recordPuts))
                .build();
        S3Target onOwnClient = new S3Target(own, config)) {
      upload(onOwnClient, "2024/IMG_0002.jpg", content, 16 * KIB);
    }

    assertThat(putKeys).contains("backup/phone/2024/IMG_0002.jpg");
    assertThat(stored("backup/phone/2024/IMG_0002.jpg")).isEqualTo(sha256(content));
  }

  @Test
  void sendsALargeFileInPartsThatReadsBackWithTheSameSha256() throws Exception {
    byte[] content = random(12 * MIB + 123, 2);

    RemoteFile file = upload(target, "video/clip.mp4", content, MIB + 17);

    assertThat(file).isEqualTo(new RemoteFile("video/clip.mp4", content.length, sha256(content)));
    assertThat(stored("backup/phone/video/clip.mp4")).isEqualTo(sha256(content));
    assertThat(target.probe("video/clip.mp4"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  @Test
  void resumesAMultipartUploadFromTheServerAfterTheSessionWasDropped() throws Exception {
    byte[] content = random(13 * MIB, 3);
    long dropped = PART + PART / 2;
    UploadSession first = target.open("video/long.mp4", content.length);
    first.append(0, ByteBuffer.wrap(content, 0, (int) dropped));
    first.close();
    target.close();

    // A new process: nothing but the server remembers the upload.
    target = S3Target.connect(config);
    assertThat(target.probe("video/long.mp4")).isEqualTo(new RemoteState.Partial(PART));
    UploadSession second = target.open("video/long.mp4", content.length);
    long resumedAt = second.offset();
    sendRest(second, content, MIB);
    RemoteFile file = second.complete(content.length, sha256(content));
    second.close();

    assertThat(resumedAt).isEqualTo(PART);
    assertThat(dropped - resumedAt).as("bytes sent twice").isLessThanOrEqualTo(PART);
    assertThat(file.sha256()).isEqualTo(sha256(content));
    assertThat(stored("backup/phone/video/long.mp4")).isEqualTo(sha256(content));
    assertThat(target.probe("video/long.mp4"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  /**
   * Given the sha256 before the first byte, a multipart upload is created with it as metadata: the
   * finished object carries it without being copied onto itself (a PUT of the key with no part
   * number), which would write every byte once more on the server.
   */
  @Test
  void aLargeFileOpenedWithItsSha256CarriesItWithoutACopyOntoItself() throws Exception {
    byte[] content = random(13 * MIB, 4);
    assertThat(target.wantsSha256First(content.length)).isTrue();
    assertThat(target.wantsSha256First(6 * MIB - 1)).as("below the multipart threshold").isFalse();
    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target counted = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      RemoteFile file = uploadKnowing(counted, "video/known.mp4", content, sha256(content));

      assertThat(file).isEqualTo(new RemoteFile("video/known.mp4", content.length, sha256(content)));
      List<String> requests =
          proxy.exchanges().stream()
              .filter(e -> e.target().contains("known.mp4"))
              .map(e -> e.method() + " " + e.target().replaceAll("\\?.*", "") + (e.target().contains("partNumber=") ? " (part)" : ""))
              .toList();
      assertThat(requests).as("requests for the file").noneMatch(r -> r.startsWith("PUT ") && !r.endsWith("(part)"));
      assertThat(requests).filteredOn(r -> r.endsWith("(part)")).hasSize(3);
    }
    assertCarries("video/known.mp4", content);
    assertThat(target.probe("video/known.mp4"))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  /**
   * A file that changed after it was hashed: what was sent does not hash to what the upload was
   * created with, so nothing is published and no upload is left in progress.
   */
  @Test
  void aLargeFileWhoseBytesAreNotTheAnnouncedSha256IsNotPublished() throws Exception {
    byte[] content = random(7 * MIB, 5);

    Throwable thrown =
        catchThrowable(() -> uploadKnowing(target, "video/changed.mp4", content, sha256(random(7 * MIB, 6))));

    assertThat(thrown).isInstanceOf(UploadException.class).hasMessageContaining("starting over");
    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Transient.class);
    assertThat(target.probe("video/changed.mp4")).isEqualTo(new RemoteState.Absent());
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();

    // Nor when the hash given at the end is the announced one: the session hashes what it was given.
    String other = sha256(random(7 * MIB, 6));
    Throwable sameWrongHash =
        catchThrowable(
            () -> {
              try (UploadSession session = target.openKnowing("video/changed.mp4", content.length, Optional.empty(), false, other)) {
                session.append(0, ByteBuffer.wrap(content));
                session.complete(content.length, other);
              }
            });
    assertThat(sameWrongHash).isInstanceOf(UploadException.class).hasMessageContaining("starting over");
    assertThat(target.probe("video/changed.mp4")).isEqualTo(new RemoteState.Absent());
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();
  }

  /**
   * An upload created with the file's sha256 and dropped is continued with it by the token the
   * journal kept. The parts sent before are checked against the file's bytes as the engine reads
   * them again (their checksums or ETags, from ListParts), so the finished object is neither read
   * back nor copied onto itself.
   */
  @Test
  void anUploadCreatedWithItsSha256IsContinuedByItsTokenWithoutReadingItBackOrCopyingIt() throws Exception {
    byte[] content = random(13 * MIB, 7);
    Optional<String> token = dropAfterOneAndAHalfParts("video/resumed.mp4", content, sha256(content));
    assertThat(token).hasValueSatisfying(t -> assertThat(t).endsWith("#sha256=" + sha256(content)));

    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target counted = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      assertThat(finishKnowing(counted, "video/resumed.mp4", content, token, true)).as("resumed at").isEqualTo(PART);
      List<String> requests =
          proxy.exchanges().stream()
              .filter(e -> e.target().contains("resumed.mp4"))
              .map(e -> e.method() + (e.target().contains("?") ? " ?" : " object"))
              .toList();
      assertThat(requests).as("two parts, no PutObject, CopyObject nor GetObject: %s", requests)
          .doesNotContain("PUT object", "GET object")
          .filteredOn("PUT ?"::equals)
          .hasSize(2);
    }
    assertCarries("video/resumed.mp4", content);
  }

  /**
   * Parts an earlier attempt sent of other bytes (the file was rewritten in place, its size and
   * times kept): found as the engine reads the file again, before a byte more is sent; the upload
   * is aborted and the next attempt starts over.
   */
  @Test
  void earlierPartsOfOtherBytesAreFoundBeforeAnyIsSentAndTheUploadStartsOver() throws Exception {
    byte[] content = random(13 * MIB, 10);
    byte[] before = content.clone();
    before[(int) PART - 1] ^= 1; // the last byte of part 1
    Optional<String> token = dropAfterOneAndAHalfParts("video/rewritten.mp4", before, sha256(content));

    Throwable thrown = catchThrowable(() -> finishKnowing(target, "video/rewritten.mp4", content, token, true));

    assertThat(thrown).isInstanceOf(UploadException.class).hasMessageContaining("part 1 of the upload");
    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Transient.class);
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();
    assertThat(target.probe("video/rewritten.mp4")).isEqualTo(new RemoteState.Absent());
    assertThat(finishKnowing(target, "video/rewritten.mp4", content, token, true)).as("resumed at").isZero();
    assertCarries("video/rewritten.mp4", content);
  }

  /**
   * The token says the upload was created with another hash (an earlier version of the file was
   * hashed, then the process stopped): completing it would publish an object claiming that hash,
   * so it is aborted and the file starts over.
   */
  @Test
  void anUploadCreatedWithAnotherSha256IsAbortedAndTheFileStartsOver() throws Exception {
    byte[] content = random(13 * MIB, 7);
    Optional<String> token = dropAfterOneAndAHalfParts("video/edited.mp4", content, sha256(random(13 * MIB, 8)));

    assertThat(finishKnowing(target, "video/edited.mp4", content, token)).as("resumed at").isZero();

    assertCarries("video/edited.mp4", content);
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();
  }

  /**
   * An upload created with a hash its bytes do not have (the file changed while an earlier process
   * hashed and sent it), resumed with that hash again: the session hashes the bytes before its
   * offset, which the engine gives it, with its own, so it refuses before completing anything.
   */
  @Test
  void aResumedUploadWhoseBytesAreNotTheHashItWasCreatedWithIsNeverCompleted() throws Exception {
    byte[] content = random(13 * MIB, 11);
    String other = sha256(random(13 * MIB, 12));
    Optional<String> token = dropAfterOneAndAHalfParts("video/claimed.mp4", content, other);

    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target counted = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      Throwable thrown =
          catchThrowable(
              () -> {
                try (UploadSession session = counted.openKnowing("video/claimed.mp4", content.length, token, false, other)) {
                  assertThat(session.offset()).isEqualTo(PART);
                  session.alreadySent(0, ByteBuffer.wrap(content, 0, (int) PART));
                  session.append(PART, ByteBuffer.wrap(content, (int) PART, (int) (content.length - PART)));
                  session.complete(content.length, other);
                }
              });

      assertThat(thrown).isInstanceOf(UploadException.class).hasMessageContaining("starting over");
      assertThat(proxy.exchanges())
          .as("no CompleteMultipartUpload")
          .noneMatch(e -> e.method().equals("POST") && e.target().contains("uploadId="));
    }
    assertThat(target.probe("video/claimed.mp4")).isEqualTo(new RemoteState.Absent());
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();
  }

  /**
   * An upload the server lists but the journal did not record (another process's, whose hash is
   * not known) is not continued by a session given the hash; one recorded by a version that kept
   * no hash in its token was created without one, and is.
   */
  @Test
  void onlyAnUploadKnownToClaimNoOtherSha256IsContinued() throws Exception {
    byte[] content = random(13 * MIB, 9);
    dropAfterOneAndAHalfParts("video/listed.mp4", content, sha256(content));
    assertThat(finishKnowing(target, "video/listed.mp4", content, Optional.empty())).as("resumed at").isZero();
    assertCarries("video/listed.mp4", content);
    assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();

    UploadSession old = target.open("video/old.mp4", content.length);
    old.append(0, ByteBuffer.wrap(content, 0, (int) (PART + PART / 2)));
    old.close();
    assertThat(old.resumeToken()).hasValueSatisfying(t -> assertThat(t).doesNotContain("#"));
    assertThat(finishKnowing(target, "video/old.mp4", content, old.resumeToken())).as("resumed at").isEqualTo(PART);
    assertCarries("video/old.mp4", content);
  }

  /** Opens {@code path} given {@code sha256}, sends one and a half parts of {@code content}, and drops the session. */
  private Optional<String> dropAfterOneAndAHalfParts(String path, byte[] content, String sha256) throws Exception {
    UploadSession first = target.openKnowing(path, content.length, Optional.empty(), false, sha256);
    first.append(0, ByteBuffer.wrap(content, 0, (int) (PART + PART / 2)));
    first.close();
    return first.resumeToken();
  }

  private static long finishKnowing(S3Target target, String path, byte[] content, Optional<String> token) throws Exception {
    return finishKnowing(target, path, content, token, false);
  }

  /**
   * Opens {@code path} knowing the sha256 of {@code content}, gives it the bytes before its offset
   * when {@code rereads} (as the engine does), sends the rest and completes; the offset it resumed at.
   */
  private static long finishKnowing(S3Target target, String path, byte[] content, Optional<String> token, boolean rereads)
      throws Exception {
    try (UploadSession session = target.openKnowing(path, content.length, token, false, sha256(content))) {
      long resumedAt = session.offset();
      for (long at = 0; rereads && at < resumedAt; at += MIB) {
        session.alreadySent(at, ByteBuffer.wrap(content, (int) at, (int) Math.min(MIB, resumedAt - at)));
      }
      sendRest(session, content, MIB);
      assertThat(session.complete(content.length, sha256(content)).sha256()).isEqualTo(sha256(content));
      return resumedAt;
    }
  }

  /** The object under {@code path} holds {@code content} and carries its sha256. */
  private void assertCarries(String path, byte[] content) throws Exception {
    assertThat(client.headObject(b -> b.bucket(config.bucket()).key("backup/phone/" + path)).metadata())
        .containsEntry(S3Target.SHA256_METADATA, sha256(content));
    assertThat(stored("backup/phone/" + path)).isEqualTo(sha256(content));
  }

  @Test
  void continuesTheUploadWhoseIdTheJournalKeptEvenWhenANewerOneIsListed() throws Exception {
    byte[] content = random(13 * MIB, 8);
    UploadSession first = target.open("video/kept.mp4", content.length);
    first.append(0, ByteBuffer.wrap(content, 0, (int) (2 * PART)));
    Optional<String> recorded = first.resumeToken();
    first.close();
    target.close();
    // Another upload of the same key started later (say, by a second device) and holds nothing.
    String newer =
        client.createMultipartUpload(b -> b.bucket(config.bucket()).key("backup/phone/video/kept.mp4")).uploadId();

    target = S3Target.connect(config);
    assertThat(recorded).isPresent().get().isNotEqualTo(newer);
    assertThat(target.probe("video/kept.mp4", recorded)).isEqualTo(new RemoteState.Partial(2 * PART));
    UploadSession second = target.open("video/kept.mp4", content.length, recorded);
    long resumedAt = second.offset();
    sendRest(second, content, MIB);
    second.complete(content.length, sha256(content));
    second.close();

    assertThat(resumedAt).isEqualTo(2 * PART);
    assertThat(second.resumeToken()).isEqualTo(recorded);
    assertThat(stored("backup/phone/video/kept.mp4")).isEqualTo(sha256(content));
  }

  @Test
  void anUploadIdTheServerNoLongerKnowsFallsBackToWhatItLists() throws Exception {
    byte[] content = random(7 * MIB, 9);
    UploadSession first = target.open("video/gone.mp4", content.length);
    first.append(0, ByteBuffer.wrap(content, 0, (int) PART));
    first.close();

    UploadSession second = target.open("video/gone.mp4", content.length, Optional.of("no-such-upload-id"));
    long resumedAt = second.offset();
    second.close();

    assertThat(resumedAt).isEqualTo(PART);
  }

  @Test
  void refusesToReplaceADifferentFileAndLeavesItIntact() throws Exception {
    byte[] original = random(10 * KIB, 4);
    upload(target, "IMG_0002.jpg", original, 4 * KIB);

    Throwable small =
        catchThrowable(() -> upload(target, "IMG_0002.jpg", random(10 * KIB, 5), KIB));
    Throwable large = catchThrowable(() -> upload(target, "IMG_0002.jpg", random(7 * MIB, 6), MIB));

    assertThat(small).isInstanceOf(UploadException.class);
    assertThat(((UploadException) small).error()).isInstanceOf(UploadError.Conflict.class);
    assertThat(((UploadException) large).error()).isInstanceOf(UploadError.Conflict.class);
    assertThat(stored("backup/phone/IMG_0002.jpg")).isEqualTo(sha256(original));
    assertThat(target.probe("IMG_0002.jpg"))
        .isEqualTo(new RemoteState.Complete(original.length, Optional.of(sha256(original))));
  }

  /**
   * A server that says 200 to every part and to the completion but then reports another size for
   * the object: the upload starts over, nothing stays under the name, nothing is left open, and
   * once the server tells the truth the file goes up whole. (A single PUT carries a checksum the
   * server checks itself, and its answer has no size to lie about.)
   */
  @Test
  void aServerThatReportsAnotherSizeForTheFinishedObjectGetsTheUploadStartedOver() throws Exception {
    byte[] video = random(7 * MIB + 5, 12);
    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target lied = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      proxy.failEvery(request -> request.method().equals("HEAD"), FaultProxy.Fault.lieInHeader("Content-Length", "999"));

      Throwable thrown = catchThrowable(() -> upload(lied, "clip.mov", video, MIB));

      assertThat(thrown).isInstanceOf(UploadException.class);
      assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Transient.class);
      assertThat(((UploadException) thrown).error().message()).contains("received 999 bytes", "starting over");
      assertThat(client.listObjectsV2(b -> b.bucket(config.bucket())).contents()).isEmpty();
      assertThat(client.listMultipartUploads(b -> b.bucket(config.bucket())).uploads()).isEmpty();

      proxy.passThrough();
      RemoteFile file = upload(lied, "clip.mov", video, MIB);

      assertThat(file).isEqualTo(new RemoteFile("clip.mov", video.length, sha256(video)));
      assertThat(stored("backup/phone/clip.mov")).isEqualTo(sha256(video));
    }
  }

  @Test
  void acceptsTheSameFileAgainWithoutChangingIt() throws Exception {
    byte[] content = random(10 * KIB, 7);
    upload(target, "IMG_0003.jpg", content, 4 * KIB);

    RemoteFile again = upload(target, "IMG_0003.jpg", content, 4 * KIB);

    assertThat(again).isEqualTo(new RemoteFile("IMG_0003.jpg", content.length, sha256(content)));
  }

  @ParameterizedTest
  @ValueSource(ints = {10 * KIB, 7 * MIB})
  void publishesNothingWhenTheBytesDoNotMatchTheExpectedHash(int size) throws Exception {
    byte[] content = random(size, 8);
    Throwable thrown;
    try (UploadSession session = target.open("IMG_0004.jpg", size)) {
      session.append(0, ByteBuffer.wrap(content));
      thrown = catchThrowable(() -> session.complete(size, sha256(random(size, 9))));
    }

    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Transient.class);
    assertThat(target.probe("IMG_0004.jpg")).isEqualTo(new RemoteState.Absent());
    assertThat(client.listObjectsV2(b -> b.bucket(config.bucket())).contents()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "with space/a b.jpg",
        "hash#tag.jpg",
        "percent%20sign.jpg",
        "question?.jpg",
        "plus+sign.jpg",
        "Cafe\u0301/e\u0301te\u0301.jpg",
        "emoji \uD83D\uDCF7.jpg"
      })
  void storesAwkwardNamesUnderTheirNfcKey(String name) throws Exception {
    byte[] content = random(3 * KIB, name.hashCode());
    String nfc = Normalizer.normalize(name, Normalizer.Form.NFC);

    RemoteFile file = upload(target, name, content, KIB);

    assertThat(file.remotePath()).isEqualTo(nfc);
    assertThat(stored("backup/phone/" + nfc)).isEqualTo(sha256(content));
    assertThat(target.probe(nfc))
        .isEqualTo(new RemoteState.Complete(content.length, Optional.of(sha256(content))));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../escape.jpg", "a/../../b.jpg", "a/./b.jpg", "/absolute.jpg", "a//b", ""})
  void refusesPathsThatLeaveThePrefix(String path) {
    Throwable thrown = catchThrowable(() -> target.open(path, 1));

    assertThat(thrown).isInstanceOf(UploadException.class);
    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Permanent.class);
    assertThat(client.listObjectsV2(b -> b.bucket(config.bucket())).contents()).isEmpty();
  }

  @Test
  void reportsAWrongSecretAsUnauthorizedWithoutShowingIt() throws Exception {
    String wrong = "not-the-secret-" + server.secretAccessKey.hashCode();
    try (S3Target bad =
        S3Target.connect(config.withKey(new S3Config.AccessKey(server.accessKeyId, wrong)))) {
      Throwable probe = catchThrowable(() -> bad.probe("IMG_0001.jpg"));
      Throwable check = catchThrowable(bad::check);

      assertThat(((UploadException) probe).error()).isInstanceOf(UploadError.Unauthorized.class);
      assertThat(((UploadException) check).error()).isInstanceOf(UploadError.Unauthorized.class);
      assertThat(((UploadException) check).error().message()).doesNotContain(wrong);
      assertThat(bad.describe()).doesNotContain(wrong).doesNotContain(server.accessKeyId);
    }
  }

  @Test
  void checksThatTheBucketIsWritable() throws Exception {
    target.check();

    assertThat(client.listObjectsV2(b -> b.bucket(config.bucket())).contents()).isEmpty();
  }

  @Test
  void reportsAMissingBucketAsPermanent() {
    try (S3Target missing =
        S3Target.connect(
            new S3Config(
                "no-such-bucket",
                "",
                config.endpoint(),
                config.region(),
                true,
                config.key(),
                config.multipartThreshold(),
                config.partSize(),
                true))) {
      Throwable thrown = catchThrowable(missing::check);

      assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Permanent.class);
      assertThat(((UploadException) thrown).error().message()).contains("NoSuchBucket");
    }
  }

  /** A bucket on a server in S3Proxy's default configuration, which refuses the checksum header. */
  private static S3Config strictBucket(S3ProxyServer strict, String bucket) {
    strict.createBucket(bucket);
    return S3Config.of(bucket, "")
        .withEndpoint(strict.endpoint(), true)
        .withKey(new S3Config.AccessKey(strict.accessKeyId, strict.secretAccessKey))
        .withMultipart(6 * MIB, PART);
  }

  @Test
  void aServerThatRefusesTheChecksumHeaderIsFoundOutOnceAndNoFileFailsForIt() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger targetLog = (Logger) LoggerFactory.getLogger(S3Target.class);
    targetLog.addAppender(log);
    try (S3ProxyServer strict = S3ProxyServer.strict();
        S3Target target = S3Target.connect(strictBucket(strict, "strict"))) {
      target.check();
      assertThat(target.notes()).containsExactly(S3Target.CHECKSUM_REFUSED);

      for (int i = 0; i < 41; i++) {
        byte[] photo = random(20 * KIB + i, 100 + i);
        upload(target, "IMG_%04d.JPG".formatted(i), photo, 4 * KIB);
        assertThat(target.probe("IMG_%04d.JPG".formatted(i)))
            .isEqualTo(new RemoteState.Complete(photo.length, Optional.of(sha256(photo))));
      }
      byte[] video = random(7 * MIB, 11);
      upload(target, "clip.mov", video, MIB);
      assertThat(target.probe("clip.mov"))
          .isEqualTo(new RemoteState.Complete(video.length, Optional.of(sha256(video))));
    } finally {
      targetLog.detachAppender(log);
    }
    assertThat(log.list)
        .filteredOn(event -> event.getFormattedMessage().contains("x-amz-checksum-sha256"))
        .hasSize(1);
  }

  @Test
  void withoutAWriteCheckTheFirstUploadFindsOutBeforeItSendsAByte() throws Exception {
    try (S3ProxyServer strict = S3ProxyServer.strict();
        S3Target target = S3Target.connect(strictBucket(strict, "unchecked"))) {
      byte[] video = random(7 * MIB, 12);

      upload(target, "clip.mov", video, MIB);

      assertThat(target.notes()).containsExactly(S3Target.CHECKSUM_REFUSED);
      assertThat(target.probe("clip.mov"))
          .isEqualTo(new RemoteState.Complete(video.length, Optional.of(sha256(video))));
    }
  }

  @Test
  void aServerThatTakesTheChecksumHeaderGetsItAndNoNote() throws Exception {
    target.check();
    upload(target, "a.jpg", random(10 * KIB, 13), KIB);

    assertThat(target.notes()).isEmpty();
  }

  @Test
  void checksumsOffSendsNoChecksumHeaderAndNeedsNoNote() throws Exception {
    try (S3ProxyServer strict = S3ProxyServer.strict();
        S3Target target = S3Target.connect(strictBucket(strict, "plain").withChecksumHeaders(false))) {
      byte[] small = random(10 * KIB, 10);
      target.check();
      upload(target, "small.jpg", small, KIB);

      // Its parts carry Content-MD5 taken as they were spooled, which the server checks.
      byte[] video = random(7 * MIB, 14);
      upload(target, "clip.mov", video, MIB);

      assertThat(target.notes()).isEmpty();
      assertThat(target.probe("small.jpg"))
          .isEqualTo(new RemoteState.Complete(small.length, Optional.of(sha256(small))));
      assertThat(target.probe("clip.mov"))
          .isEqualTo(new RemoteState.Complete(video.length, Optional.of(sha256(video))));
    }
  }

  /**
   * A spool damaged on the disk between its writing and its request (a bad sector, another
   * process) never reaches the server whole: the request's body checks what it reads against the
   * spool's CRC32C and ends the request short, and the server would refuse it anyway, as its
   * Content-MD5 or sha256 is of the bytes as they were appended, not as the file now holds them.
   * Nothing damaged is published, and a new session stores the file whole. While the MD5 was read
   * from the spool file (before 2026-12-06), the server took the damaged bytes; from then until
   * the requests left the SDK (2026-12-08), the strict server refused them (400 BadDigest).
   */
  @ParameterizedTest
  @ValueSource(ints = {20 * KIB, 7 * MIB}) // one PutObject; a multipart upload, its last part damaged
  void aSpoolDamagedOnTheDiskIsRefusedByAStrictServerAndNothingDamagedIsPublished(int size, @TempDir Path spoolDir)
      throws Exception {
    try (S3ProxyServer strict = S3ProxyServer.strict();
        S3Target target =
            S3Target.connect(strictBucket(strict, "damaged"), TargetSettings.defaults().withSpoolDir(spoolDir));
        S3Client reader = S3Target.client(strictBucket(strict, "damaged"))) {
      target.check();
      byte[] content = random(size, 15);

      Throwable refused;
      try (UploadSession session = target.open("clip.mov", size)) {
        session.append(0, ByteBuffer.wrap(content));
        SpoolDamage.flipABitOfTheOnlySpoolFile(spoolDir);
        refused = catchThrowable(() -> session.complete(size, sha256(content)));
      }

      assertThat(refused).isInstanceOf(UploadException.class).hasMessageContaining("no longer holds the bytes written to it");
      // Our own spool, not the server: transient, and the next attempt spools the file anew.
      assertThat(((UploadException) refused).error()).isInstanceOf(UploadError.Transient.class);
      assertThat(target.probe("clip.mov")).isNotInstanceOf(RemoteState.Complete.class);
      upload(target, "clip.mov", content, MIB);
      assertThat(target.probe("clip.mov")).isEqualTo(new RemoteState.Complete(size, Optional.of(sha256(content))));
      assertThat(reader.getObjectAsBytes(b -> b.bucket("damaged").key("clip.mov")).asByteArray()).isEqualTo(content);
    }
  }

  // ---- requests per file ----

  /**
   * What a steady upload of new small files costs: the folder is listed once for all their probes
   * (its objects and its uploads in progress), and each file its PutObject alone, as S3Proxy refuses
   * to write over an object with {@code If-None-Match: *} (the write check found that out).
   */
  @Test
  void newFilesInOneFolderCostOneListingAndOneRequestEach() throws Exception {
    upload(target, "2026/12/before.jpg", random(100, 1), KIB);
    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target counted = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      // The write check finds out whether the server takes the checksum header: then no request is tried twice.
      counted.check();
      int checked = proxy.exchanges().size();
      for (int i = 0; i < 10; i++) {
        assertThat(counted.probe("2026/12/IMG_" + i + ".jpg")).isEqualTo(new RemoteState.Absent());
        upload(counted, "2026/12/IMG_" + i + ".jpg", random(1000 + i, i), KIB);
      }
      List<String> requests =
          proxy.exchanges().subList(checked, proxy.exchanges().size()).stream().map(e -> e.method() + " " + e.target()).toList();
      assertThat(requests.stream().filter(r -> r.startsWith("GET ") && r.contains("list-type=2")))
          .as("object listings in %s", requests)
          .hasSize(1);
      assertThat(requests.stream().filter(r -> r.startsWith("GET ") && r.contains("uploads")))
          .as("listings of uploads in progress in %s", requests)
          .hasSize(1);
      assertThat(requests).as("the listing, then a PutObject a file: %s", requests).hasSize(2 + 10);
      assertThat(requests.stream().filter(r -> r.contains("IMG_9.jpg")).map(r -> r.substring(0, r.indexOf(' '))))
          .containsExactly("PUT");

      // A name the listing holds is looked up on its own, and so is one this target wrote since.
      int before = proxy.exchanges().size();
      assertThat(counted.probe("2026/12/before.jpg"))
          .isEqualTo(new RemoteState.Complete(100, Optional.of(sha256(random(100, 1)))));
      assertThat(counted.probe("2026/12/IMG_3.jpg"))
          .isEqualTo(new RemoteState.Complete(1003, Optional.of(sha256(random(1003, 3)))));
      assertThat(proxy.exchanges().subList(before, proxy.exchanges().size()).stream().map(e -> e.method()))
          .containsExactly("HEAD", "HEAD");
    }
    for (int i = 0; i < 10; i++) {
      assertThat(stored("backup/phone/2026/12/IMG_" + i + ".jpg")).isEqualTo(sha256(random(1000 + i, i)));
    }
  }

  /**
   * A server that writes over an object in spite of {@code If-None-Match: *} (here the proxy says
   * 200 to the write check's second PutObject without passing it on): each new file is looked up
   * before its PutObject, and a file another client stored since the listing is left as it is.
   */
  @Test
  void aServerThatIgnoresIfNoneMatchGetsALookUpBeforeEachPutObject() throws Exception {
    AtomicInteger checkWrites = new AtomicInteger();
    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target counted = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      proxy.failEvery(
          request ->
              request.method().equals("PUT")
                  && request.target().contains(".autoupload-write-check-")
                  && checkWrites.incrementAndGet() == 2,
          FaultProxy.Fault.status(200));
      counted.check();
      assertThat(checkWrites).as("the write check's PutObjects").hasValue(2);
      int checked = proxy.exchanges().size();

      assertThat(counted.probe("2026/12/IMG_1.jpg")).isEqualTo(new RemoteState.Absent());
      assertThat(counted.probe("2026/12/theirs.jpg")).isEqualTo(new RemoteState.Absent());
      byte[] theirs = random(500, 2);
      client.putObject(b -> b.bucket(config.bucket()).key("backup/phone/2026/12/theirs.jpg"), RequestBody.fromBytes(theirs));
      upload(counted, "2026/12/IMG_1.jpg", random(1000, 1), KIB);
      Throwable thrown = catchThrowable(() -> upload(counted, "2026/12/theirs.jpg", random(500, 3), KIB));

      assertThat(proxy.exchanges().subList(checked, proxy.exchanges().size()).stream()
              .filter(e -> e.target().contains("IMG_1.jpg"))
              .map(e -> e.method()))
          .containsExactly("HEAD", "PUT");
      assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Conflict.class);
      assertThat(stored("backup/phone/2026/12/theirs.jpg")).isEqualTo(sha256(theirs));
      assertThat(stored("backup/phone/2026/12/IMG_1.jpg")).isEqualTo(sha256(random(1000, 1)));
    }
  }

  /**
   * A PutObject whose answer is lost after the server stored it (the proxy forwards it, then resets
   * the connection): the file there is this one, so the upload is done, once; a PutObject cut off
   * before the server had it leaves nothing, and the upload fails to be tried again.
   */
  @Test
  void aPutObjectCutOffOnTheWayIsTheBackupWhenItArrivedAndTriedAgainWhenNot() throws Exception {
    byte[] arrived = random(3000, 31);
    byte[] lost = random(3000, 32);
    try (FaultProxy proxy = FaultProxy.start(server.endpoint());
        S3Target cut = S3Target.connect(config.withEndpoint(proxy.uri(), true))) {
      cut.check();
      proxy.failNext("PUT", FaultProxy.Fault.forwardThenReset());
      RemoteFile file = upload(cut, "2026/arrived.jpg", arrived, KIB);

      proxy.failNext("PUT", FaultProxy.Fault.reset());
      Throwable thrown = catchThrowable(() -> upload(cut, "2026/lost.jpg", lost, KIB));

      assertThat(file).isEqualTo(new RemoteFile("2026/arrived.jpg", arrived.length, sha256(arrived)));
      assertThat(stored("backup/phone/2026/arrived.jpg")).isEqualTo(sha256(arrived));
      assertThat(proxy.exchanges().stream().filter(e -> e.target().contains("arrived.jpg")).map(e -> e.method()))
          .containsExactly("PUT", "HEAD");
      assertThat(((UploadException) thrown).error()).isNotInstanceOf(UploadError.Conflict.class);
      assertThat(((UploadException) thrown).error().retryable()).isTrue();
      assertThat(client.listObjectsV2(b -> b.bucket(config.bucket()).prefix("backup/phone/2026/lost")).contents()).isEmpty();
      assertThat(upload(cut, "2026/lost.jpg", lost, KIB)).isEqualTo(new RemoteFile("2026/lost.jpg", lost.length, sha256(lost)));
    }
  }

  /** A listing may be older than a file another client stores: publishing never overwrites it. */
  @Test
  void aFileStoredByAnotherClientAfterTheListingIsNeitherOverwrittenNorTakenForOurs() throws Exception {
    upload(target, "2026/first.jpg", random(100, 1), KIB);
    assertThat(target.probe("2026/other.jpg")).isEqualTo(new RemoteState.Absent());
    byte[] theirs = random(500, 2);
    client.putObject(b -> b.bucket(config.bucket()).key("backup/phone/2026/other.jpg"), RequestBody.fromBytes(theirs));

    Throwable thrown = catchThrowable(() -> upload(target, "2026/other.jpg", random(500, 3), KIB));

    assertThat(thrown).isInstanceOf(UploadException.class);
    assertThat(((UploadException) thrown).error()).isInstanceOf(UploadError.Conflict.class);
    assertThat(stored("backup/phone/2026/other.jpg")).isEqualTo(sha256(theirs));
    assertThat(target.probe("2026/other.jpg")).as("written since the listing: looked up").isInstanceOf(RemoteState.Complete.class);
  }

  /** An upload in progress (a big file's, interrupted) is in the listing: its probe finds it. */
  @Test
  void aFolderWithAnUploadInProgressSendsItsProbeToTheUpload() throws Exception {
    byte[] video = random(7 * MIB + 5, 21);
    try (UploadSession session = target.open("2026/clip.mov", video.length)) {
      session.append(0, ByteBuffer.wrap(video, 0, (int) PART));
    }
    S3Target fresh = S3Target.connect(config);
    try {
      assertThat(fresh.probe("2026/clip.mov")).isEqualTo(new RemoteState.Partial(PART));
      assertThat(fresh.probe("2026/other.mov")).isEqualTo(new RemoteState.Absent());
    } finally {
      fresh.close();
    }
  }

  private static RemoteFile upload(S3Target target, String path, byte[] content, int chunk)
      throws UploadException {
    try (UploadSession session = target.open(path, content.length)) {
      sendRest(session, content, chunk);
      return session.complete(content.length, sha256(content));
    }
  }

  private static RemoteFile uploadKnowing(S3Target target, String path, byte[] content, String sha256)
      throws UploadException {
    try (UploadSession session = target.openKnowing(path, content.length, Optional.empty(), false, sha256)) {
      sendRest(session, content, MIB + 17);
      return session.complete(content.length, sha256(content));
    }
  }

  /** Appends {@code content} from the session's offset to its end, {@code chunk} bytes at a time. */
  private static void sendRest(UploadSession session, byte[] content, int chunk) throws UploadException {
    long offset = session.offset();
    while (offset < content.length) {
      int n = (int) Math.min(chunk, content.length - offset);
      offset = session.append(offset, ByteBuffer.wrap(content, (int) offset, n));
    }
  }

  /** The sha256 of the object as the server returns it. */
  private String stored(String key) throws Exception {
    return sha256(client.getObjectAsBytes(b -> b.bucket(config.bucket()).key(key)).asByteArray());
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
