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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * A file at or above the multipart threshold, sent as an S3 multipart upload. Part n holds the
 * bytes from (n-1)·partSize; appended bytes are spooled until a part is full, so a crash loses at
 * most one part. A new session finds the upload on the server and continues after its last full
 * part.
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

  /** The sha256 of the whole file, when this session saw it from byte 0; empty after a resume. */
  private final Optional<MessageDigest> whole;

  private MultipartSession(
      S3Target target,
      String path,
      String key,
      long size,
      boolean replace,
      String uploadId,
      List<CompletedPart> parts,
      Runnable onClose)
      throws UploadException {
    this.replace = replace;
    this.target = target;
    this.path = path;
    this.key = key;
    this.size = size;
    this.partSize = target.config().partSize();
    this.uploadId = uploadId;
    this.parts = new ArrayList<>(parts);
    this.onClose = onClose;
    this.whole = parts.isEmpty() ? Optional.of(Sha256.newDigest()) : Optional.empty();
    this.spool = target.newSpool(false);
  }

  /** Continues the upload in progress for {@code key}, preferring the recorded one, or starts one. */
  static MultipartSession open(
      S3Target target,
      String path,
      String key,
      long size,
      boolean replace,
      Optional<String> recordedUploadId,
      Runnable onClose)
      throws UploadException {
    long partSize = target.config().partSize();
    Optional<S3Target.PendingUpload> pending = target.findUpload(key, recordedUploadId);
    if (pending.isPresent()) {
      List<CompletedPart> usable = pending.get().usableParts(partSize);
      if (usable.size() * partSize <= size) {
        return new MultipartSession(
            target, path, key, size, replace, pending.get().uploadId(), usable, onClose);
      }
      // Parts of a bigger file, or cut at another part size: nothing to continue from.
      abort(target, key, pending.get().uploadId());
    }
    String uploadId =
        target.callWithChecksum(
            "start uploading " + path,
            checksum ->
                target
                    .client()
                    .createMultipartUpload(
                        b ->
                            b.bucket(target.bucket())
                                .key(key)
                                .checksumAlgorithm(checksum ? ChecksumAlgorithm.SHA256 : null))
                    .uploadId());
    return new MultipartSession(target, path, key, size, replace, uploadId, List.of(), onClose);
  }

  /** The multipart upload id, which the engine keeps in its journal. */
  @Override
  public Optional<String> resumeToken() {
    return Optional.of(uploadId);
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
      whole.ifPresent(d -> d.update(slice.duplicate()));
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
              String sha256 = checksum ? Base64.getEncoder().encodeToString(spool.sha256Digest()) : null;
              String eTag =
                  target
                      .client()
                      .uploadPart(
                          b ->
                              b.bucket(target.bucket())
                                  .key(key)
                                  .uploadId(uploadId)
                                  .partNumber(number)
                                  .contentLength(length)
                                  .checksumSHA256(sha256)
                                  .contentMD5(checksum ? null : ContentMd5.of(spool)),
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
    Optional<String> sent = whole.map(d -> HexFormat.of().formatHex(d.digest()));
    if (sent.isPresent() && !sent.get().equalsIgnoreCase(sha256)) {
      abort(target, key, uploadId);
      throw S3Errors.startingOver(path, expectedSize + " bytes with sha256 " + sent.get(), expectedSize, sha256);
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
    verify(expectedSize, sha256, sent.isPresent());
    return new RemoteFile(path, expectedSize, sha256.toLowerCase());
  }

  /**
   * Checks the published object and attaches its sha256. The port gives the hash only now, after
   * the upload was created, so it cannot ride on CreateMultipartUpload; it is set by copying the
   * object onto itself with new metadata. After a resume this session has not seen the first parts,
   * so it reads the object back to hash it.
   */
  private void verify(long expectedSize, String sha256, boolean hashedHere) throws UploadException {
    long stored =
        target.call(
            "check " + path,
            () ->
                target
                    .client()
                    .headObject(b -> b.bucket(target.bucket()).key(key))
                    .contentLength());
    String found = hashedHere ? sha256 : readBackSha256();
    if (stored != expectedSize || !found.equalsIgnoreCase(sha256)) {
      target.call(
          "discard the damaged " + path,
          () -> target.client().deleteObject(b -> b.bucket(target.bucket()).key(key)));
      throw S3Errors.startingOver(path, stored + " bytes with sha256 " + found, expectedSize, sha256);
    }
    if (expectedSize <= MAX_COPY_SIZE) {
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
