package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.RemoteFile;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.targets.Appends;
import dev.autoupload.targets.Spool;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * A file below the multipart threshold: spooled locally while appended, sent in one PutObject at
 * {@link #complete} after its size and sha256 were checked. Nothing is left on the server by an
 * interrupted session, so it always starts at offset 0.
 */
final class SinglePutSession implements UploadSession {

  private final S3Target target;
  private final String path;
  private final String key;
  private final long size;
  private final boolean replace;
  private final Runnable onClose;
  private final Spool spool;

  SinglePutSession(S3Target target, String path, String key, long size, boolean replace, Runnable onClose)
      throws UploadException {
    this.target = target;
    this.path = path;
    this.key = key;
    this.size = size;
    this.replace = replace;
    this.onClose = onClose;
    this.spool = target.newSpool(true);
  }

  @Override
  public long offset() {
    return spool.size();
  }

  @Override
  public long append(long offset, ByteBuffer bytes) throws UploadException {
    Appends.require(path, spool.size(), offset, bytes.remaining(), size);
    spool.write(bytes);
    return spool.size();
  }

  @Override
  public RemoteFile complete(long expectedSize, String sha256) throws UploadException {
    byte[] digest = spool.sha256Digest();
    String hex = HexFormat.of().formatHex(digest);
    if (spool.size() != expectedSize || !hex.equalsIgnoreCase(sha256)) {
      String got = spool.size() + " bytes with sha256 " + hex;
      spool.clear();
      throw S3Errors.startingOver(path, got, expectedSize, sha256);
    }
    if (!replace && target.honoursIfNoneMatch()) {
      // The server refuses to write over an object: put first, and look only when it refused (412,
      // or 409 for a conditional write under way), which the probe before made rare: one request a
      // new file instead of two. S3Proxy may close the connection on its refusal while the body
      // still goes, so a put cut off on the way is looked after too: our own file there (the put
      // arrived, its answer did not) or an identical one is the backup, another is a conflict, and
      // nothing there means the put did not arrive.
      try {
        put(digest, hex, expectedSize);
        return new RemoteFile(path, expectedSize, hex);
      } catch (UploadException e) {
        boolean refused = e.error() instanceof UploadError.Conflict;
        if (!refused && !S3Target.failedOnTheWay(e)) {
          throw e;
        }
        Optional<RemoteFile> identical = target.identicalOrFree(path, key, expectedSize, hex, false);
        if (identical.isPresent()) {
          return identical.get();
        }
        if (!refused) {
          throw e;
        }
        // What refused it is gone again: put once more, on the same condition.
        put(digest, hex, expectedSize);
        return new RemoteFile(path, expectedSize, hex);
      }
    }
    Optional<RemoteFile> identical = target.identicalOrFree(path, key, expectedSize, hex, replace);
    if (identical.isPresent()) {
      return identical.get();
    }
    // Check-then-put: between the HeadObject above and this PutObject another writer could slip
    // in; If-None-Match: * closes that gap where the server honours it (AWS and S3Proxy do).
    put(digest, hex, expectedSize);
    return new RemoteFile(path, expectedSize, hex);
  }

  /**
   * The PutObject of the spool, never over another object unless replacing: without the SDK's
   * pipeline when the target made its client ({@link ObjectPut}), else through the caller's client.
   */
  private void put(byte[] digest, String hex, long expectedSize) throws UploadException {
    Optional<ObjectPut> direct = target.objectPut();
    target.callWithChecksum(
        "upload " + path,
        checksum -> {
          String sha256 = checksum ? Base64.getEncoder().encodeToString(digest) : null;
          String md5 = checksum ? null : ContentMd5.of(spool);
          if (direct.isPresent()) {
            Map<String, String> headers = new HashMap<>();
            headers.put("x-amz-meta-" + S3Target.SHA256_METADATA, hex);
            headers.put(checksum ? "x-amz-checksum-sha256" : "content-md5", checksum ? sha256 : md5);
            if (!replace) {
              headers.put("if-none-match", "*");
            }
            direct.get().put(key, spool, headers, hex);
            return null;
          }
          return target
              .client()
              .putObject(
                  b ->
                      b.bucket(target.bucket())
                          .key(key)
                          .contentLength(expectedSize)
                          .checksumSHA256(sha256)
                          .contentMD5(md5)
                          .metadata(Map.of(S3Target.SHA256_METADATA, hex))
                          .ifNoneMatch(replace ? null : "*"),
                  RequestBody.fromFile(spool.file()));
        });
  }

  @Override
  public void close() {
    spool.close();
    onClose.run();
  }
}
