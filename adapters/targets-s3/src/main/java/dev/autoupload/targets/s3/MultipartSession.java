package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import dev.autoupload.targets.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * A file at or above the multipart threshold, sent as an S3 multipart upload. Part n holds the
 * bytes from (n-1)·partSize; appended bytes are spooled until a part is full, so a crash loses at
 * most one part. A new session finds the upload on the server and continues after its last full
 * part.
 *
 * <p>The object carries its sha256 as metadata. When the engine gives the hash before the first
 * byte, the upload is created with it; otherwise it is attached after completing, by copying the
 * object onto itself, which writes every byte once more on the server.
 */
final class MultipartSession implements UploadSession {

  /** CopyObject, used to attach the sha256 to a finished object, stops at 5 GiB. */
  private static final long MAX_COPY_SIZE = 5L * 1024 * 1024 * 1024;

  private final S3Target target;
  private final String path;
  private final String key;
  private final long size;
  private final long partSize;
  private final boolean replace;
  private final String uploadId;
  private final List<CompletedPart> parts;
  private final Runnable onClose;
  private final Spool spool;

  /** The sha256 the upload was created with, as its metadata; empty when none or not known. */
  private final Optional<String> createdWith;

  /** The sha256 the engine gave before the first byte; empty when it did not. */
  private final Optional<String> announced;

  /** Whether this session was given every byte, from byte 0: false after a resume. */
  private final boolean fromByteZero;

  /** The parts an earlier attempt sent, checked against the source's bytes the engine reads again. */
  private final EarlierParts earlier;

  /**
   * The sha256 of the bytes this session was given, from byte 0 (after a resume, those before the
   * offset too: see {@link #alreadySent}): when they are the whole file, the hash given to {@link
   * #complete}, and the one announced, must be this one, so nothing is published under a hash its
   * bytes do not have, whoever computed it.
   */
  private final MessageDigest whole = Sha256.newDigest();

  /** How far {@link #whole} covers the file without a gap; -1 once bytes came with one. */
  private long hashedUpTo;

  private MultipartSession(
      S3Target target,
      String path,
      String key,
      long size,
      boolean replace,
      String uploadId,
      Optional<String> createdWith,
      List<CompletedPart> parts,
      Optional<String> announced,
      Runnable onClose)
      throws UploadException {
    this.createdWith = createdWith;
    this.replace = replace;
    this.target = target;
    this.path = path;
    this.key = key;
    this.size = size;
    this.partSize = target.config().partSize();
    this.uploadId = uploadId;
    this.parts = new ArrayList<>(parts);
    this.onClose = onClose;
    this.announced = announced;
    this.fromByteZero = parts.isEmpty();
    this.earlier = new EarlierParts(parts, partSize);
    this.spool = target.newSpool(false);
  }

  /**
   * Continues the upload in progress for {@code key}, preferring the recorded one, or starts one,
   * with {@code sha256} as its metadata when given.
   *
   * <p>Given the hash, only an upload known to have been created with the same hash, or with none
   * (see {@link UploadToken}), is continued: completing it publishes at once what it was created
   * with, and an object must never claim a hash it does not have, not even until it is checked.
   * Another one (the server lists it, but the journal did not record it) is aborted and the file
   * starts over. Without the hash, whatever upload the server has for the key is continued.
   */
  static MultipartSession open(
      S3Target target,
      String path,
      String key,
      long size,
      boolean replace,
      Optional<String> recordedToken,
      Optional<String> sha256,
      Runnable onClose)
      throws UploadException {
    long partSize = target.config().partSize();
    Optional<UploadToken> recorded = recordedToken.map(UploadToken::parse);
    Optional<S3Target.PendingUpload> pending = target.findUpload(key, recorded.map(UploadToken::uploadId));
    if (pending.isPresent()) {
      String pendingId = pending.get().uploadId();
      List<CompletedPart> usable = pending.get().usableParts(partSize);
      Optional<UploadToken> known = recorded.filter(token -> token.uploadId().equals(pendingId));
      boolean claimsNoOtherHash =
          sha256.isEmpty()
              || known.map(token -> token.sha256().map(sha256.get()::equalsIgnoreCase).orElse(true)).orElse(false);
      if (usable.size() * partSize <= size && claimsNoOtherHash) {
        return new MultipartSession(
            target, path, key, size, replace, pendingId, known.flatMap(UploadToken::sha256), usable, sha256, onClose);
      }
      // Parts of a bigger file, cut at another part size, or created with a hash not this file's.
      abort(target, key, pendingId);
    }
    String uploadId =
        target.callWithChecksum(
            "start uploading " + path,
            checksum ->
                target
                    .client()
                    .createMultipartUpload(
                        b -> {
                          b.bucket(target.bucket())
                              .key(key)
                              .checksumAlgorithm(checksum ? ChecksumAlgorithm.SHA256 : null);
                          sha256.ifPresent(h -> b.metadata(Map.of(S3Target.SHA256_METADATA, h.toLowerCase())));
                        })
                    .uploadId());
    return new MultipartSession(target, path, key, size, replace, uploadId, sha256, List.of(), sha256, onClose);
  }

  /** The multipart upload id and the hash it was created with, which the engine keeps in its journal. */
  @Override
  public Optional<String> resumeToken() {
    return Optional.of(new UploadToken(uploadId, createdWith).toString());
  }

  /** A part that holds other bytes than the file's there: the upload is aborted, to start over. */
  @Override
  public void alreadySent(long offset, ByteBuffer bytes) throws UploadException {
    hash(offset, bytes);
    OptionalInt differing = earlier.feed(offset, bytes);
    if (differing.isPresent()) {
      abort(target, key, uploadId);
      throw new UploadException(
          new UploadError.Transient(
              "part " + differing.getAsInt() + " of the upload of " + path
                  + " that an earlier attempt sent holds other bytes than the file; starting over"));
    }
  }

  /** Adds {@code bytes}, which start at {@code offset} in the file, to {@link #whole} while it has no gap. */
  private void hash(long offset, ByteBuffer bytes) {
    if (hashedUpTo >= 0 && offset == hashedUpTo) {
      whole.update(bytes.duplicate());
      hashedUpTo += bytes.remaining();
    } else {
      hashedUpTo = -1;
    }
  }

  @Override
  public long offset() {
    return parts.size() * partSize + spool.size();
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    Appends.require(path, offset(), offset, bytes.remaining(), size);
    while (bytes.hasRemaining()) {
      if (spool.size() == partSize) {
        // A full part whose upload failed in an earlier call.
        sendPart();
      }
      int room = (int) Math.min(bytes.remaining(), partSize - spool.size());
      ByteBuffer slice = bytes.slice().limit(room);
      hash(offset(), slice);
      spool.write(slice);
      bytes.position(bytes.position() + room);
      if (spool.size() == partSize) {
        sendPart();
      }
    }
    return offset();
  }

  private void sendPart() throws UploadException {
    int number = parts.size() + 1;
    long length = spool.size();
    CompletedPart part =
        target.callWithChecksum(
            "upload part " + number + " of " + path,
            checksum -> {
              byte[] digest = checksum ? spool.sha256Digest() : null;
              String sha256 = checksum ? Base64.getEncoder().encodeToString(digest) : null;
              String md5 = checksum ? null : ContentMd5.of(spool);
              Optional<ObjectPut> direct = target.objectPut();
              String eTag =
                  direct.isPresent()
                      ? direct
                          .get()
                          .putPart(
                              key,
                              uploadId,
                              number,
                              spool,
                              checksum ? Map.of("x-amz-checksum-sha256", sha256) : Map.of("content-md5", md5),
                              checksum ? Optional.of(HexFormat.of().formatHex(digest)) : Optional.empty())
                      : target
                          .client()
                          .uploadPart(
                              b ->
                                  b.bucket(target.bucket())
                                      .key(key)
                                      .uploadId(uploadId)
                                      .partNumber(number)
                                      .contentLength(length)
                                      .checksumSHA256(sha256)
                                      .contentMD5(md5),
                              RequestBody.fromFile(spool.file()))
                          .eTag();
              return CompletedPart.builder()
                  .partNumber(number)
                  .eTag(eTag)
                  .checksumSHA256(sha256)
                  .build();
            });
    parts.add(part);
    spool.clear();
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    if (offset() != expectedSize) {
      abort(target, key, uploadId);
      throw S3Errors.startingOver(path, offset() + " bytes", expectedSize, sha256);
    }
    Optional<String> sent =
        hashedUpTo == expectedSize ? Optional.of(HexFormat.of().formatHex(whole.digest())) : Optional.empty();
    if (sent.isPresent() && !sent.get().equalsIgnoreCase(sha256)) {
      abort(target, key, uploadId);
      throw S3Errors.startingOver(path, expectedSize + " bytes with sha256 " + sent.get(), expectedSize, sha256);
    }
    if (announced.isPresent() && !announced.get().equalsIgnoreCase(sha256)) {
      // The file changed after it was hashed: the upload was created with a hash it does not have.
      abort(target, key, uploadId);
      throw S3Errors.startingOver(path, expectedSize + " bytes with sha256 " + sha256, expectedSize, announced.get());
    }
    Optional<RemoteFile> identical;
    try {
      identical = target.identicalOrFree(path, key, expectedSize, sha256, replace);
    } catch (UploadException e) {
      if (e.error() instanceof UploadError.Conflict) {
        abort(target, key, uploadId);
      }
      throw e;
    }
    if (identical.isPresent()) {
      abort(target, key, uploadId);
      return identical.get();
    }
    if (spool.size() > 0 || parts.isEmpty()) {
      sendPart();
    }
    // Check-then-complete: AWS also honours If-None-Match: * here and refuses an object that
    // appeared since the HeadObject above; S3Proxy 2.9.0 ignores it on CompleteMultipartUpload
    // (it does honour it on PutObject), so there the gap stays open.
    target.call(
        "finish uploading " + path,
        () ->
            target
                .client()
                .completeMultipartUpload(
                    b ->
                        b.bucket(target.bucket())
                            .key(key)
                            .uploadId(uploadId)
                            .ifNoneMatch(replace ? null : "*")
                            .multipartUpload(m -> m.parts(parts))));
    verify(expectedSize, sha256, sent.isPresent() && (fromByteZero || earlier.allMatch()));
    return new RemoteFile(path, expectedSize, sha256.toLowerCase());
  }

  /**
   * Checks the published object and makes sure it carries its sha256. Unless every byte it holds
   * is known to be the file's ({@code checkedHere}: sent by this session, or in an earlier part
   * found the same as the file, see {@link #alreadySent}), it reads the object back to hash it. An
   * object created without the hash (none was given before the first byte), or with another one,
   * gets it by being copied onto itself with new metadata.
   */
  private void verify(long expectedSize, String sha256, boolean checkedHere) throws UploadException {
    HeadObjectResponse head =
        target.call(
            "check " + path, () -> target.client().headObject(b -> b.bucket(target.bucket()).key(key)));
    long stored = head.contentLength();
    String found = checkedHere ? sha256 : readBackSha256();
    if (stored != expectedSize || !found.equalsIgnoreCase(sha256)) {
      target.call(
          "discard the damaged " + path,
          () -> target.client().deleteObject(b -> b.bucket(target.bucket()).key(key)));
      throw S3Errors.startingOver(path, stored + " bytes with sha256 " + found, expectedSize, sha256);
    }
    boolean carriesIt = sha256.equalsIgnoreCase(head.metadata().get(S3Target.SHA256_METADATA));
    if (!carriesIt && expectedSize <= MAX_COPY_SIZE) {
      target.call(
          "record the sha256 of " + path,
          () ->
              target
                  .client()
                  .copyObject(
                      b ->
                          b.sourceBucket(target.bucket())
                              .sourceKey(key)
                              .destinationBucket(target.bucket())
                              .destinationKey(key)
                              .metadataDirective(MetadataDirective.REPLACE)
                              .metadata(Map.of(S3Target.SHA256_METADATA, sha256.toLowerCase()))));
    }
  }

  private String readBackSha256() throws UploadException {
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = target.client().getObject(b -> b.bucket(target.bucket()).key(key))) {
      byte[] buffer = new byte[64 * 1024];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        digest.update(buffer, 0, n);
      }
    } catch (SdkException e) {
      throw S3Errors.classify("read back " + path, e);
    } catch (UncheckedIOException e) {
      throw S3Errors.io("read back " + path, e);
    } catch (IOException e) {
      throw S3Errors.io("read back " + path, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void abort(S3Target target, String key, String uploadId) throws UploadException {
    target.call(
        "discard the upload in progress for " + key,
        () ->
            target
                .client()
                .abortMultipartUpload(b -> b.bucket(target.bucket()).key(key).uploadId(uploadId)));
  }

  @Override
  public void close() {
    spool.close();
    onClose.run();
  }
}
