package dev.autoupload.targets.s3;

import java.util.Optional;

/**
 * What the engine keeps of a multipart upload: its id and, when the upload was created carrying a
 * sha256 as metadata, that hash, which the server tells nowhere before the upload completes. A
 * later session needs it to know what the object would claim once completed.
 *
 * @param uploadId the server's id of the multipart upload
 * @param sha256 lowercase hex sha256 the upload was created with; empty when created without one
 */
record UploadToken(String uploadId, Optional<String> sha256) {

  private static final String SHA256_MARK = "#sha256=";

  /** Reads a token as {@link #toString()} wrote it; a bare upload id (earlier versions) carries no hash. */
  static UploadToken parse(String token) {
    int mark = token.lastIndexOf(SHA256_MARK);
    return mark < 0
        ? new UploadToken(token, Optional.empty())
        : new UploadToken(token.substring(0, mark), Optional.of(token.substring(mark + SHA256_MARK.length())));
  }

  /** The upload id, followed by the hash when there is one. */
  @Override
  public String toString() {
    return uploadId + sha256.map(h -> SHA256_MARK + h).orElse("");
  }
}
