package dev.autoupload.engine.library;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.autoupload.engine.internal.serialization.CborSerializable;
import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * One photo or video of a library, as its source describes it. A source of its own makes its
 * assets with {@link #of}, leaving the library id to the engine:
 *
 * <pre>{@code
 * Asset photo = Asset.of("A1B2-C3", "DCIM/IMG_0001.JPG", 2_481_152, takenAt, modifiedAt)
 *     .withContentHash(sha256Hex); // when the host knows it; else the engine hashes the content
 * }</pre>
 *
 * @param id stable identity within the library: the same file gets the same id on every scan, so
 *     a restart or rescan never uploads a completed asset again
 * @param libraryId the library this asset belongs to; empty when its source leaves it to the engine
 *     (an asset made by {@link #of}): the engine gives it its library's id as the source hands it
 *     over. A non-empty id that is not its library's fails the library's scan
 * @param relativePath path inside the library, '/'-separated, never absolute, never containing
 *     {@code ..}
 * @param size length in bytes
 * @param createdAt when the photo or video was taken, as well as the source can tell
 * @param createdAtSource where {@code createdAt} came from
 * @param modifiedAt last modification time of the content
 * @param changeStamp what else the source knows that moves whenever the content may have changed,
 *     beyond size and modification time: for a file its device, inode and status-change time
 *     (ctime), which an edit that restores the old modification time still moves; empty when the
 *     source knows nothing more
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
    Optional<String> changeStamp,
    Optional<String> contentHash)
    implements CborSerializable {

  /**
   * An asset whose source knows nothing beyond size and modification time to tell a change.
   *
   * @param id stable identity within the library
   * @param libraryId the library this asset belongs to; empty for the engine to fill
   * @param relativePath path inside the library, '/'-separated
   * @param size length in bytes
   * @param createdAt when the photo or video was taken
   * @param createdAtSource where {@code createdAt} came from
   * @param modifiedAt last modification time of the content
   * @param contentHash lowercase hex sha256 of the content, when the source already knows it
   */
  public Asset(
      String id,
      String libraryId,
      String relativePath,
      long size,
      Instant createdAt,
      CreationDateSource createdAtSource,
      Instant modifiedAt,
      Optional<String> contentHash) {
    this(id, libraryId, relativePath, size, createdAt, createdAtSource, modifiedAt, Optional.empty(), contentHash);
  }

  /**
   * Checks the components.
   *
   * @param id stable identity within the library: the same file gets the same id on every scan, so
   *     a restart or rescan never uploads a completed asset again
   * @param libraryId the library this asset belongs to; empty for the engine to fill
   * @param relativePath path inside the library, '/'-separated, never absolute, never containing
   *     {@code ..}
   * @param size length in bytes
   * @param createdAt when the photo or video was taken, as well as the source can tell
   * @param createdAtSource where {@code createdAt} came from
   * @param modifiedAt last modification time of the content
   * @param changeStamp what else the source knows that moves whenever the content may have changed,
   *     beyond size and modification time: for a file its device, inode and status-change time
   *     (ctime), which an edit that restores the old modification time still moves; empty when the
   *     source knows nothing more
   * @param contentHash lowercase hex sha256 of the content, when the source already knows it
   * @throws NullPointerException when an object component is null
   * @throws IllegalArgumentException when {@code size} is negative
   */
  public Asset {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(libraryId, "libraryId");
    Objects.requireNonNull(relativePath, "relativePath");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(createdAtSource, "createdAtSource");
    Objects.requireNonNull(modifiedAt, "modifiedAt");
    Objects.requireNonNull(changeStamp, "changeStamp");
    Objects.requireNonNull(contentHash, "contentHash");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + relativePath);
    }
  }

  /**
   * An asset as a host app describes it, without its library's id: the engine fills it in when the
   * library's source hands the asset over. Its creation date counts as the host's own record
   * ({@link CreationDateSource#HOST_APP}); add what else the host knows with {@link
   * #withContentHash} and {@link #withChangeStamp}.
   *
   * @param id the host's stable id of the asset (the OS photo library's id), the same on every scan
   *     and after a restart, so that what is backed up is never uploaded again
   * @param relativePath where it sits in the library, '/'-separated, never absolute, never
   *     containing {@code ..}; the target's layout uses its name
   * @param size length in bytes
   * @param createdAt when the photo or video was taken, as the host's library records it
   * @param modifiedAt last modification time of the content: another time is another version,
   *     backed up again
   * @return the asset, with no change stamp, no content hash and an empty library id
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when {@code size} is negative
   */
  public static Asset of(String id, String relativePath, long size, Instant createdAt, Instant modifiedAt) {
    return new Asset(
        id, "", relativePath, size, createdAt, CreationDateSource.HOST_APP, modifiedAt, Optional.empty(), Optional.empty());
  }

  /**
   * This asset, with {@code changeStamp} telling its versions apart beyond size and modification
   * time (a revision counter, an edit date of the host's library).
   *
   * @param changeStamp what moves whenever the content may have changed
   * @return a copy with {@code changeStamp} set
   */
  public Asset withChangeStamp(String changeStamp) {
    return new Asset(
        id, libraryId, relativePath, size, createdAt, createdAtSource, modifiedAt, Optional.of(changeStamp), contentHash);
  }

  /**
   * This asset, its content known to hash to {@code sha256}.
   *
   * @param sha256 lowercase hex sha256 of the content
   * @return a copy with {@code contentHash} set
   */
  public Asset withContentHash(String sha256) {
    return new Asset(
        id, libraryId, relativePath, size, createdAt, createdAtSource, modifiedAt, changeStamp, Optional.of(sha256));
  }

  /**
   * Which version of the asset this is: 16 hex digits fingerprinting size, modification time and
   * change stamp. A path seen before with another version may hold other content, so it is
   * identified by content again; the same version is the same content.
   *
   * @return the 16 hex digits
   */
  @JsonIgnore
  public String version() {
    return HexFormat.of().toHexDigits(versionNumber());
  }

  /**
   * {@link #version()} as the number its 16 hex digits write, as the engine compares versions: a
   * scan of a library of a million assets asks each of them.
   *
   * @return the version's 64 bits
   */
  @JsonIgnore
  public long versionNumber() {
    return VERSION_DIGEST.get().of(size, modifiedAt, changeStamp);
  }

  /** A scan asks every asset its version: a digest and a buffer a thread, rather than new ones each time. */
  private static final ThreadLocal<VersionDigest> VERSION_DIGEST = ThreadLocal.withInitial(VersionDigest::new);

  /**
   * The first 8 bytes of the sha256 of {@code size|modifiedAt|changeStamp} (decimal size, {@link
   * Instant#toString()}, UTF-8), written into one buffer and hashed from there: versions are
   * stored, so these bytes must never change ({@code InstantTextTest} compares them with the text).
   */
  private static final class VersionDigest {
    private final MessageDigest digest = Sha256.newDigest();
    private byte[] text = new byte[128];

    long of(long size, Instant modifiedAt, Optional<String> changeStamp) {
      byte[] stamp = changeStamp.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(NO_BYTES);
      int longest = 20 + 1 + InstantText.LONGEST + 1 + stamp.length;
      if (text.length < longest) {
        text = new byte[longest];
      }
      int at = decimal(size, text);
      text[at++] = '|';
      at = InstantText.write(modifiedAt, text, at);
      text[at++] = '|';
      System.arraycopy(stamp, 0, text, at, stamp.length);
      digest.update(text, 0, at + stamp.length);
      byte[] hash = digest.digest();
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = bits << 8 | (hash[i] & 0xff);
      }
      return bits;
    }

    /** {@code value}'s decimal digits (it is not negative) from the start of {@code text}; where they end. */
    private static int decimal(long value, byte[] text) {
      int length = 1;
      for (long rest = value; rest >= 10; rest /= 10) {
        length++;
      }
      long rest = value;
      for (int i = length - 1; i >= 0; i--) {
        text[i] = (byte) ('0' + rest % 10);
        rest /= 10;
      }
      return length;
    }

    private static final byte[] NO_BYTES = new byte[0];
  }
}
