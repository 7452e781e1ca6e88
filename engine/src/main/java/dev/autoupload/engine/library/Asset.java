package dev.autoupload.engine.library;

import dev.autoupload.engine.serialization.CborSerializable;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One photo or video of a library, as its source describes it.
 *
 * @param id stable identity within the library: the same file gets the same id on every scan, so
 *     a restart or rescan never uploads a completed asset again
 * @param libraryId the library this asset belongs to
 * @param relativePath path inside the library, '/'-separated, never absolute, never containing
 *     {@code ..}
 * @param size length in bytes
 * @param createdAt when the photo or video was taken, as well as the source can tell
 * @param createdAtSource where {@code createdAt} came from
 * @param modifiedAt last modification time of the content
 * @param contentHash lowercase hex sha256 of the content, when the source already knows it
 */
public record Asset(
    String id,
    String libraryId,
    String relativePath,
    long size,
    Instant createdAt,
    CreationDateSource createdAtSource,
    Instant modifiedAt,
    Optional<String> contentHash)
    implements CborSerializable {

  public Asset {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(libraryId, "libraryId");
    Objects.requireNonNull(relativePath, "relativePath");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdAtSource, "createdAtSource");
    Objects.requireNonNull(modifiedAt, "modifiedAt");
    Objects.requireNonNull(contentHash, "contentHash");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + relativePath);
    }
  }

  /** This asset, its content known to hash to {@code sha256}. */
  public Asset withContentHash(String sha256) {
    return new Asset(id, libraryId, relativePath, size, createdAt, createdAtSource, modifiedAt, Optional.of(sha256));
  }
}
