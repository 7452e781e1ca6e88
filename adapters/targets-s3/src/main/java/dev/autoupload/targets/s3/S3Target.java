package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.FolderListings;
import dev.autoupload.targets.S3Config;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.HttpClients;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link UploadTarget} that stores files as objects of an S3 bucket (AWS or an S3-compatible
 * server), under a key prefix.
 *
 * <p>Files below the multipart threshold are spooled to a temporary file and sent in one PutObject
 * at {@link UploadSession#complete}; they cannot be resumed, but nothing is visible before the
 * whole file was verified. Larger files go up as a multipart upload, one part per {@link
 * S3Config#partSize()} bytes. The upload id is not kept here: after a crash, {@link #probe} and
 * {@link #open} find the upload again through ListMultipartUploads and ListParts, so at most one
 * part is sent twice.
 *
 * <p>A probe for a new file costs no request of its own: the folder's listing (ListObjectsV2 and
 * ListMultipartUploads, once a folder every {@link FolderListings#FRESH_FOR_NANOS 30 s}) says it is
 * absent; a name the listing holds is looked up on its own (HeadObject). Publishing looks the key
 * up once more, so a file another client stored after the listing is never overwritten.
 *
 * <p>Every object carries its hex sha256 as user metadata ({@value #SHA256_METADATA}), so {@link
 * #probe} can tell an identical file from a different one. Each request that sends bytes carries
 * {@code x-amz-checksum-sha256}, so the server checks what it received; a server that refuses the
 * header (501 NotImplemented: S3Proxy by default, older Ceph and MinIO) is found out once, by the
 * write check or the first request that needs the header, and from then on requests carry {@code
 * Content-MD5} instead, which every S3 server checks, and {@link #notes} says so. A different object under the same key is
 * never replaced: publishing fails with {@link UploadError.Conflict}.
 *
 * <p>Keys are the remote path in Unicode NFC below the prefix, '/'-joined; empty, {@code .} and
 * {@code ..} segments are refused.
 */
public final class S3Target implements UploadTarget {

  /** User metadata key (sent as {@code x-amz-meta-sha256}) holding the object's hex sha256. */
  static final String SHA256_METADATA = "sha256";

  static final String CHECKSUM_REFUSED =
      "the S3 server refuses the x-amz-checksum-sha256 header (501 NotImplemented): files go up without it,"
          + " each checked by its Content-MD5 and size instead";

  /** The sha256 of no bytes, base64, as the checksum header carries it. */
  private static final String EMPTY_SHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

  private static final Logger log = LoggerFactory.getLogger(S3Target.class);

  private static final String WRITE_CHECK_PREFIX = ".autoupload-write-check-";
  private static final int MAX_KEY_BYTES = 1024;

  private final S3Client client;
  private final S3Config config;
  private final String prefix;
  private final Set<String> uploading = ConcurrentHashMap.newKeySet();
  /** One listing a folder answers the probes for the new files in it (see {@link FolderListings}). */
  private final FolderListings listings = new FolderListings();
  private final java.nio.file.Path spoolDir;
  private final TargetSettings.NameRulesSetting nameRules;
  private final AtomicReference<ChecksumHeader> checksumHeader;
  /** Held while the write check finds out whether the server takes the checksum header. */
  private final Object checksumProbe = new Object();
  /**
   * Whether the server refuses a PutObject with {@code If-None-Match: *} on a key that holds an
   * object (AWS since 2024, S3Proxy, MinIO), as the write check found out; null until it ran.
   */
  private volatile Boolean honoursIfNoneMatch;
  /** How a file's bytes are put when this target made its client; null on a client the caller gave. */
  private final ObjectPut objectPut;

  /** Whether the server takes {@code x-amz-checksum-sha256}, as far as this target found out. */
  private enum ChecksumHeader {
    UNKNOWN,
    ACCEPTED,
    REFUSED,
    /** Off by the configuration ({@code checksums=false}). */
    OFF
  }

  /**
   * A target talking to the server {@code config} names, with {@link TargetSettings#defaults()};
   * {@link #close()} closes its client.
   *
   * @param config the bucket, prefix, server and credentials
   * @return the target; no request is sent until it is used
   */
  public static S3Target connect(S3Config config) {
    return connect(config, TargetSettings.defaults());
  }

  /**
   * As {@link #connect(S3Config)}, with the timeouts and TLS trust of {@code settings}.
   *
   * @param config the bucket, prefix, server and credentials
   * @param settings timeouts, TLS trust, the spool folder and the name rules; its S3 key is not
   *     read here ({@link dev.autoupload.targets.TargetUris#s3Config} puts it in {@code config})
   * @return the target; no request is sent until it is used
   */
  public static S3Target connect(S3Config config, TargetSettings settings) {
    AwsCredentialsProvider credentials = credentials(config);
    S3Client client = client(config, settings, credentials);
    // Where the SDK's endpoint rules send an object, taken once: the address of a one-letter key
    // without that key.
    String bucketUrl =
        client.utilities().getUrl(b -> b.bucket(config.bucket()).key("k")).toString().replaceFirst("k$", "");
    ObjectPut objectPut = new ObjectPut(HttpClients.build(settings), credentials, config.region(), bucketUrl, settings);
    return new S3Target(client, objectPut, config, settings.spoolDir(), settings.nameRules());
  }

  /**
   * A target on a client the caller owns and closes, spooling to {@code java.io.tmpdir}. No code
   * of this project calls it; it is there for a host app that configures the SDK's client itself.
   *
   * @param client the SDK client, which should not retry (the engine does) and should send
   *     checksums only when asked, as {@code connect}'s does
   * @param config the bucket, prefix, multipart sizes and checksum setting; the client's own
   *     settings decide where requests go and how they are signed, and {@code config}'s endpoint
   *     only names the target in {@link #describe()}
   */
  public S3Target(S3Client client, S3Config config) {
    this(client, null, config, TargetSettings.defaults().spoolDir(), TargetSettings.defaults().nameRules());
  }

  /** {@code objectPut} null on a client the caller gave, which this target then neither goes around nor closes. */
  private S3Target(
      S3Client client,
      ObjectPut objectPut,
      S3Config config,
      java.nio.file.Path spoolDir,
      TargetSettings.NameRulesSetting nameRules) {
    this.client = client;
    this.objectPut = objectPut;
    this.config = config;
    this.spoolDir = spoolDir;
    this.nameRules = nameRules;
    this.prefix = normalisedPrefix(config.prefix());
    this.checksumHeader =
        new AtomicReference<>(config.checksumHeaders() ? ChecksumHeader.UNKNOWN : ChecksumHeader.OFF);
  }

  /**
   * A sync client on the Apache HTTP client, which reuses connections and reads a refusal the
   * server sends before the whole body. The SDK does not retry: the engine does, honouring
   * Retry-After. Checksums are sent only where this class asks for them (SHA-256), not the SDK's
   * default CRC trailers, which S3-compatible servers often lack.
   */
  static S3Client client(S3Config config) {
    return client(config, TargetSettings.defaults());
  }

  static S3Client client(S3Config config, TargetSettings settings) {
    return client(config, settings, credentials(config));
  }

  private static AwsCredentialsProvider credentials(S3Config config) {
    return config
        .key()
        .<AwsCredentialsProvider>map(
            k -> StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey())))
        .orElseGet(() -> DefaultCredentialsProvider.builder().build());
  }

  private static S3Client client(S3Config config, TargetSettings settings, AwsCredentialsProvider credentials) {
    var builder =
        S3Client.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(config.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .httpClientBuilder(
                ApacheHttpClient.builder()
                    .connectionTimeout(settings.connectTimeout())
                    .socketTimeout(settings.readTimeout())
                    .tlsTrustManagersProvider(
                        () -> HttpClients.trustManagers(settings).orElse(null)));
    config.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
  }

  @Override
  public String describe() {
    String where = "s3://" + config.bucket() + "/" + prefix;
    return config.endpoint().map(e -> where + " at " + e).orElse(where);
  }

  /**
   * Only the control characters and backslashes every target refuses: S3 takes any valid UTF-8 as
   * a key, up to 1024 bytes, and what rclone's S3 backend escapes besides (https://rclone.org/s3/:
   * NUL, '/', '.' and '..' names) never reaches a name here. Windows' rules as well when {@code
   * autoupload.target.name-rules} says so.
   */
  @Override
  public NameRules nameRules() {
    return nameRules.apply(NameRules.POSIX, false);
  }

  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    return probe(remotePath, Optional.empty());
  }

  /** {@code resumeToken} names the multipart upload a session of an earlier process began ({@link UploadToken}). */
  @Override
  public RemoteState probe(String remotePath, Optional<String> resumeToken) throws UploadException {
    String key = key(remotePath);
    // A recorded upload id means a session of this file began: ask about it on its own.
    if (resumeToken.isEmpty() && listings.absent(folderOf(key), nameOf(key), this::listFolder)) {
      return new RemoteState.Absent();
    }
    Optional<HeadObjectResponse> head = head(key);
    if (head.isPresent()) {
      return new RemoteState.Complete(
          head.get().contentLength(),
          Optional.ofNullable(head.get().metadata().get(SHA256_METADATA)));
    }
    return findUpload(key, resumeToken.map(t -> UploadToken.parse(t).uploadId()))
        .<RemoteState>map(upload -> new RemoteState.Partial(upload.offset(config.partSize())))
        .orElseGet(RemoteState.Absent::new);
  }

  /** A GetObject, streamed. */
  @Override
  public Optional<InputStream> openRead(String remotePath) throws UploadException {
    String key = key(remotePath);
    try {
      return Optional.of(
          client.getObject(b -> b.bucket(config.bucket()).key(key), ResponseTransformer.toInputStream()));
    } catch (SdkException e) {
      throw S3Errors.classify("read " + key, e);
    }
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, Optional.empty());
  }

  /**
   * Continues the multipart upload {@code resumeToken} names while the server still has it, else
   * the latest one the server lists for the key (a crash before the id reached the journal), else
   * starts one.
   */
  @Override
  public UploadSession open(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, resumeToken, false);
  }

  /** Publishing (PutObject, CompleteMultipartUpload) then goes without {@code If-None-Match}. */
  @Override
  public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, resumeToken, true);
  }

  /**
   * A file at or above the multipart threshold: its sha256 then rides on CreateMultipartUpload as
   * the object's metadata, so the finished object need not be copied onto itself to carry it (a
   * second write of every byte on the server).
   */
  @Override
  public boolean wantsSha256First(long size) {
    return size >= config.multipartThreshold();
  }

  @Override
  public UploadSession openKnowing(
      String remotePath, long size, Optional<String> resumeToken, boolean replace, String sha256)
      throws UploadException {
    return open(remotePath, size, resumeToken, replace, Optional.of(sha256));
  }

  private UploadSession open(String remotePath, long size, Optional<String> resumeToken, boolean replace)
      throws UploadException {
    return open(remotePath, size, resumeToken, replace, Optional.empty());
  }

  private UploadSession open(
      String remotePath, long size, Optional<String> resumeToken, boolean replace, Optional<String> sha256)
      throws UploadException {
    if (size < 0) {
      throw permanent("cannot upload " + remotePath + ": negative size " + size);
    }
    String path = normalisedPath(remotePath);
    String key = key(remotePath);
    if (!uploading.add(key)) {
      throw new UploadException(
          new UploadError.Transient(path + " is being uploaded by another session"));
    }
    listings.writing(folderOf(key), nameOf(key));
    Runnable closed =
        () -> {
          uploading.remove(key);
          listings.written(folderOf(key), nameOf(key));
        };
    try {
      if (size < config.multipartThreshold()) {
        return new SinglePutSession(this, path, key, size, replace, closed);
      }
      return MultipartSession.open(this, path, key, size, replace, resumeToken, sha256, closed);
    } catch (UploadException | RuntimeException e) {
      closed.run();
      throw e;
    }
  }

  /** The key's folder: its prefix up to and with its last '/', empty at the bucket's root. */
  private static String folderOf(String key) {
    return key.substring(0, key.lastIndexOf('/') + 1);
  }

  private static String nameOf(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  /**
   * The names in the folder {@code folder} (a key prefix ending in '/'): its objects and the keys
   * with a multipart upload in progress, so that a probe finds either by asking on its own.
   */
  private Optional<Set<String>> listFolder(String folder) throws UploadException {
    Set<String> names = new HashSet<>();
    try {
      for (ListObjectsV2Response page :
          client.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(folder).delimiter("/"))) {
        page.contents().forEach(object -> names.add(object.key().substring(folder.length())));
      }
      uploadsUnder(folder).forEach(upload -> names.add(upload.key().substring(folder.length())));
    } catch (SdkException e) {
      throw S3Errors.classify("list " + (folder.isEmpty() ? "the bucket" : folder), e);
    }
    return Optional.of(names);
  }

  /**
   * Aborts the multipart upload {@code resumeToken} names and every other one in progress for the
   * key, which {@link #open} would otherwise continue; the object under the key stays.
   */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    String key = key(remotePath);
    if (uploading.contains(key)) {
      throw new UploadException(
          new UploadError.Transient(normalisedPath(remotePath) + " is being uploaded by another session"));
    }
    Set<String> uploadIds = new LinkedHashSet<>();
    resumeToken.ifPresent(t -> uploadIds.add(UploadToken.parse(t).uploadId()));
    uploadsInProgress(key).forEach(upload -> uploadIds.add(upload.uploadId()));
    for (String uploadId : uploadIds) {
      try {
        client.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
      } catch (S3Exception e) {
        if (e.statusCode() != 404) {
          throw S3Errors.classify("discard the upload in progress for " + key, e);
        }
      } catch (SdkException e) {
        throw S3Errors.classify("discard the upload in progress for " + key, e);
      }
    }
  }

  @Override
  public void check() throws UploadException {
    Spool.sweepOnce(spoolDir);
    // A bodiless request first: a refusal of a PUT can arrive as a broken pipe instead.
    try {
      client.headBucket(b -> b.bucket(config.bucket()));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw permanent(
            "bucket " + config.bucket() + " does not exist (NoSuchBucket) at " + describe());
      }
      throw S3Errors.classify("reach " + describe(), e);
    } catch (SdkException e) {
      throw S3Errors.classify("reach " + describe(), e);
    }
    writeCheck();
  }

  /**
   * Writes an empty object and deletes it again; with the checksum header while it may be sent,
   * so a server that refuses it is found out here: its 501 comes cleanly, with no body in flight
   * that it would cut off. In between, writes it once more with {@code If-None-Match: *}: a server
   * that refuses that second write (412) keeps a PutObject from replacing what another client
   * stored, so a new small file needs no look-up before it (see {@link #honoursIfNoneMatch()}).
   */
  private void writeCheck() throws UploadException {
    String key = prefixed(WRITE_CHECK_PREFIX + UUID.randomUUID());
    sendWithChecksum(
        "write to " + describe(),
        checksum ->
            client.putObject(
                b -> b.bucket(config.bucket()).key(key).checksumSHA256(checksum ? EMPTY_SHA256 : null),
                RequestBody.empty()));
    honoursIfNoneMatch = refusesAWriteOver(key);
    call(
        "delete " + key + " from " + describe(),
        () -> onceMoreIfClosed(() -> client.deleteObject(b -> b.bucket(config.bucket()).key(key))));
  }

  /** Whether a PutObject with {@code If-None-Match: *} onto {@code key}, which holds an object, is refused. */
  private boolean refusesAWriteOver(String key) {
    try {
      client.putObject(b -> b.bucket(config.bucket()).key(key).ifNoneMatch("*"), RequestBody.empty());
      return false;
    } catch (S3Exception e) {
      return e.statusCode() == 412;
    } catch (SdkException e) {
      return false;
    }
  }

  /**
   * Whether a PutObject with {@code If-None-Match: *} never replaces an object on this server, so
   * it may go without a look-up before it: found out by the write check, run now if it has not.
   */
  boolean honoursIfNoneMatch() throws UploadException {
    if (honoursIfNoneMatch == null) {
      synchronized (checksumProbe) {
        if (honoursIfNoneMatch == null) {
          writeCheck();
        }
      }
    }
    return honoursIfNoneMatch;
  }

  /** Says so once the server refused the checksum header; nothing otherwise. */
  @Override
  public List<String> notes() {
    return checksumHeader.get() == ChecksumHeader.REFUSED ? List.of(CHECKSUM_REFUSED) : List.of();
  }

  @Override
  public void close() {
    if (objectPut != null) {
      // Made by connect, with its client; a client the caller gave is the caller's to close.
      client.close();
    }
  }

  // ---- shared with the sessions ----

  S3Client client() {
    return client;
  }

  /** A file's PutObject or UploadPart without the SDK's pipeline, when this target made its client. */
  Optional<ObjectPut> objectPut() {
    return Optional.ofNullable(objectPut);
  }

  S3Config config() {
    return config;
  }

  /**
   * A spool for a part or a small file until it is sent, keeping the digests its request will
   * carry: the sha256 for the checksum header while the server takes it or it is not known yet,
   * the MD5 for {@code Content-MD5} once the server refused the header or checksums are off (on a
   * strict server the sha256 of every part cost a pass over the bytes that nothing used).
   *
   * @param sha256 whether the session needs the sha256 whatever the server takes
   */
  Spool newSpool(boolean sha256) throws UploadException {
    Spool.Digests digests =
        switch (checksumHeader.get()) {
          case ACCEPTED -> Spool.Digests.SHA256;
          case UNKNOWN -> Spool.Digests.SHA256_AND_MD5;
          case REFUSED, OFF -> sha256 ? Spool.Digests.SHA256_AND_MD5 : Spool.Digests.MD5;
        };
    return new Spool(spoolDir, "s3", digests);
  }

  String bucket() {
    return config.bucket();
  }

  /** The object under {@code key}, if there is one. */
  Optional<HeadObjectResponse> head(String key) throws UploadException {
    try {
      return Optional.of(onceMoreIfClosed(() -> client.headObject(b -> b.bucket(config.bucket()).key(key))));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Errors.classify("look up " + key, e);
    } catch (SdkException e) {
      throw S3Errors.classify("look up " + key, e);
    }
  }

  /**
   * Before publishing {@code key}: the already stored file when an identical one is there, empty
   * when the key is free or its object is to be replaced.
   *
   * @throws UploadException a {@link UploadError.Conflict} when a different object holds the key
   *     and {@code replace} is false
   */
  Optional<RemoteFile> identicalOrFree(String path, String key, long size, String sha256, boolean replace)
      throws UploadException {
    Optional<HeadObjectResponse> head = head(key);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    String stored = head.get().metadata().get(SHA256_METADATA);
    if (head.get().contentLength() == size && sha256.equalsIgnoreCase(stored)) {
      return Optional.of(new RemoteFile(path, size, sha256.toLowerCase()));
    }
    if (replace) {
      return Optional.empty();
    }
    throw new UploadException(
        new UploadError.Conflict(
            "a different file already exists at "
                + path
                + " ("
                + head.get().contentLength()
                + " bytes, sha256 "
                + (stored == null ? "unknown" : stored)
                + "); it is left as it is"));
  }

  /**
   * The multipart upload {@code recordedUploadId} names, when the server still has it; else the
   * latest one in progress for {@code key}; with its parts.
   */
  Optional<PendingUpload> findUpload(String key, Optional<String> recordedUploadId) throws UploadException {
    if (recordedUploadId.isPresent()) {
      Optional<List<Part>> parts = parts(key, recordedUploadId.get());
      // Without parts there is nothing to keep; and some servers (S3Proxy) list no parts for an
      // upload id they do not know instead of answering NoSuchUpload.
      if (parts.isPresent() && !parts.get().isEmpty()) {
        return Optional.of(new PendingUpload(recordedUploadId.get(), parts.get()));
      }
    }
    Optional<MultipartUpload> latest =
        uploadsInProgress(key).stream()
            .max(
                Comparator.comparing(
                    (MultipartUpload u) -> u.initiated() == null ? Instant.MIN : u.initiated()));
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    String uploadId = latest.get().uploadId();
    return Optional.of(new PendingUpload(uploadId, parts(key, uploadId).orElse(List.of())));
  }

  /** The multipart uploads in progress for exactly {@code key}. */
  private List<MultipartUpload> uploadsInProgress(String key) throws UploadException {
    try {
      return uploadsUnder(key).stream().filter(upload -> upload.key().equals(key)).toList();
    } catch (SdkException e) {
      throw S3Errors.classify("list the uploads in progress for " + key, e);
    }
  }

  /** The multipart uploads in progress for every key that starts with {@code prefix}. */
  private List<MultipartUpload> uploadsUnder(String prefix) {
    List<MultipartUpload> found = new ArrayList<>();
    String keyMarker = null;
    String uploadIdMarker = null;
    while (true) {
      String km = keyMarker;
      String um = uploadIdMarker;
      ListMultipartUploadsResponse page =
          client.listMultipartUploads(
              b -> b.bucket(config.bucket()).prefix(prefix).keyMarker(km).uploadIdMarker(um));
      found.addAll(page.uploads());
      if (!Boolean.TRUE.equals(page.isTruncated())) {
        return found;
      }
      keyMarker = page.nextKeyMarker();
      uploadIdMarker = page.nextUploadIdMarker();
    }
  }

  /** The parts of the upload, in order; empty when the server no longer knows the upload. */
  private Optional<List<Part>> parts(String key, String uploadId) throws UploadException {
    List<Part> parts = new ArrayList<>();
    Integer marker = null;
    try {
      while (true) {
        Integer m = marker;
        ListPartsResponse page =
            client.listParts(
                b -> b.bucket(config.bucket()).key(key).uploadId(uploadId).partNumberMarker(m));
        parts.addAll(page.parts());
        if (!Boolean.TRUE.equals(page.isTruncated())) {
          break;
        }
        marker = page.nextPartNumberMarker();
      }
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw S3Errors.classify("list the parts uploaded to " + key, e);
    } catch (SdkException e) {
      throw S3Errors.classify("list the parts uploaded to " + key, e);
    }
    parts.sort(Comparator.comparing(Part::partNumber));
    return Optional.of(parts);
  }

  /** A multipart upload found on the server. */
  record PendingUpload(String uploadId, List<Part> parts) {

    /**
     * The parts a session can continue after: numbered 1, 2, … without a gap, each exactly {@code
     * partSize} long (part n holds the bytes from (n-1)·partSize).
     */
    List<CompletedPart> usableParts(long partSize) {
      List<CompletedPart> usable = new ArrayList<>();
      for (Part part : parts) {
        if (part.partNumber() != usable.size() + 1 || part.size() != partSize) {
          break;
        }
        usable.add(
            CompletedPart.builder()
                .partNumber(part.partNumber())
                .eTag(part.eTag())
                .checksumSHA256(part.checksumSHA256())
                .build());
      }
      return usable;
    }

    long offset(long partSize) {
      return usableParts(partSize).size() * partSize;
    }
  }

  interface Call<T> {
    T run();
  }

  /** A request that carries the checksum header when {@code checksum} is true, else Content-MD5. */
  interface ChecksumCall<T> {
    T run(boolean checksum);
  }

  /**
   * Runs {@code request} with the checksum header while the server takes it. When it is not known
   * yet, the write check finds out first, so the answer never depends on a request whose body the
   * server cut off. A 501 to the header switches it off for every later request of this target, and
   * the request is sent again without it at once: no file fails for it.
   */
  <T> T callWithChecksum(String what, ChecksumCall<T> request) throws UploadException {
    if (checksumHeader.get() == ChecksumHeader.UNKNOWN) {
      synchronized (checksumProbe) {
        if (checksumHeader.get() == ChecksumHeader.UNKNOWN) {
          writeCheck();
        }
      }
    }
    return sendWithChecksum(what, request);
  }

  private <T> T sendWithChecksum(String what, ChecksumCall<T> request) throws UploadException {
    ChecksumHeader before = checksumHeader.get();
    boolean checksum = before == ChecksumHeader.UNKNOWN || before == ChecksumHeader.ACCEPTED;
    try {
      T result = request.run(checksum);
      if (checksum) {
        checksumHeader.compareAndSet(ChecksumHeader.UNKNOWN, ChecksumHeader.ACCEPTED);
      }
      return result;
    } catch (S3Exception e) {
      if (!checksum || !S3Errors.refusesChecksumHeader(e)) {
        throw S3Errors.classify(what, e);
      }
      if (checksumHeader.getAndSet(ChecksumHeader.REFUSED) != ChecksumHeader.REFUSED) {
        log.warn("{} at {}: {}", CHECKSUM_REFUSED, describe(), e.getMessage());
      }
    } catch (SdkException e) {
      throw S3Errors.classify(what, e);
    } catch (UncheckedIOException e) {
      throw S3Errors.io(what, e);
    }
    try {
      return request.run(false);
    } catch (SdkClientException e) {
      // S3Proxy closes the connection it answered the 501 on; the client may take that connection
      // for the resend and find it closed only then. Once more, on a fresh one.
      return call(what, () -> request.run(false));
    } catch (SdkException e) {
      throw S3Errors.classify(what, e);
    } catch (UncheckedIOException e) {
      throw S3Errors.io(what, e);
    }
  }


  <T> T call(String what, Call<T> call) throws UploadException {
    try {
      return call.run();
    } catch (SdkException e) {
      throw S3Errors.classify(what, e);
    }
  }

  /**
   * Sends a request that may go twice (a look-up, a delete) once more when it failed on the way,
   * before any answer: a pooled connection the server had closed. S3Proxy closes one now and then
   * after refusing a conditional PutObject (412), without saying so. The SDK retries nothing here
   * (the engine does, with its backoff), and a whole upload's backoff for a connection that was
   * only stale would be waste.
   */
  private static <T> T onceMoreIfClosed(Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkClientException e) {
      if (!failedOnTheWay(e)) {
        throw e;
      }
      return request.get();
    }
  }

  /** Whether {@code e} came of a request that failed on the way (an I/O error), not of an answer. */
  static boolean failedOnTheWay(Throwable e) {
    return S3Errors.causeOf(e, java.io.IOException.class).isPresent();
  }

  static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }

  // ---- keys ----

  private String key(String remotePath) throws UploadException {
    String key = prefixed(normalisedPath(remotePath));
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw invalid(remotePath, "S3 keys are at most " + MAX_KEY_BYTES + " bytes long");
    }
    return key;
  }

  private String prefixed(String path) {
    return prefix.isEmpty() ? path : prefix + "/" + path;
  }

  private static String normalisedPath(String remotePath) throws UploadException {
    if (remotePath == null || remotePath.isEmpty()) {
      throw invalid("", "it is empty");
    }
    String path = Normalizer.normalize(remotePath, Normalizer.Form.NFC);
    if (path.startsWith("/")) {
      throw invalid(remotePath, "it is absolute");
    }
    if (path.indexOf('\\') >= 0) {
      throw invalid(remotePath, "it contains a backslash");
    }
    if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw invalid(remotePath, "it contains a control character");
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw invalid(remotePath, "it has an empty, \".\" or \"..\" segment");
      }
    }
    return path;
  }

  private static String normalisedPrefix(String prefix) {
    String trimmed = Normalizer.normalize(prefix, Normalizer.Form.NFC);
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    if (trimmed.isEmpty()) {
      return trimmed;
    }
    for (String segment : trimmed.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            "invalid S3 prefix \"" + prefix + "\": it has an empty, \".\" or \"..\" segment");
      }
    }
    return trimmed;
  }

  private static UploadException invalid(String remotePath, String why) {
    return permanent("invalid remote path \"" + remotePath.replace("\0", "\\0") + "\": " + why);
  }
}
