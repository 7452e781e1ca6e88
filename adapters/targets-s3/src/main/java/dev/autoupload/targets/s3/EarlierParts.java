package dev.autoupload.targets.s3;

import dev.autoupload.engine.upload.Md5;
import dev.autoupload.engine.upload.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Checks the parts an earlier attempt sent against the source's bytes, as the engine reads them
 * again after a resume: by each part's sha256 checksum where the server keeps one, else by its
 * ETag, which S3 servers make the MD5 of the part's bytes (except under SSE-KMS or SSE-C
 * encryption, where a part cannot be told this way).
 */
final class EarlierParts {

  private static final Pattern MD5_HEX = Pattern.compile("[0-9a-fA-F]{32}");

  private final List<CompletedPart> parts;
  private final long partSize;
  /** Only the digests some part is told by: each costs a pass over the bytes. */
  private final MessageDigest sha256;
  private final MessageDigest md5;
  private long checkedUpTo;
  private int checked;
  private boolean untold;
  private boolean differs;

  /** The parts, numbered 1, 2, … and each {@code partSize} long, that an earlier attempt sent. */
  EarlierParts(List<CompletedPart> parts, long partSize) {
    this.parts = List.copyOf(parts);
    this.partSize = partSize;
    this.sha256 = parts.stream().anyMatch(p -> p.checksumSHA256() != null) ? Sha256.newDigest() : null;
    this.md5 = parts.stream().anyMatch(p -> p.checksumSHA256() == null) ? Md5.newDigest() : null;
  }

  /**
   * Takes the source's bytes from {@code offset} on, consuming {@code bytes}.
   *
   * @return the number of the first part found to hold other bytes; empty while none is
   */
  OptionalInt feed(long offset, ByteBuffer bytes) {
    if (differs || offset != checkedUpTo) {
      untold = true; // Not in order from byte 0, or past a part found different: nothing to tell.
      return OptionalInt.empty();
    }
    while (bytes.hasRemaining() && checked < parts.size()) {
      long end = (checked + 1L) * partSize;
      int n = (int) Math.min(bytes.remaining(), end - checkedUpTo);
      ByteBuffer slice = bytes.slice().limit(n);
      if (sha256 != null) {
        sha256.update(slice.duplicate());
      }
      if (md5 != null) {
        md5.update(slice.duplicate());
      }
      bytes.position(bytes.position() + n);
      checkedUpTo += n;
      if (checkedUpTo == end) {
        CompletedPart part = parts.get(checked++);
        byte[] partSha256 = sha256 == null ? null : sha256.digest();
        byte[] partMd5 = md5 == null ? null : md5.digest();
        String eTag = part.eTag() == null ? "" : part.eTag().replace("\"", "");
        if (part.checksumSHA256() != null) {
          differs = !part.checksumSHA256().equals(Base64.getEncoder().encodeToString(partSha256));
        } else if (MD5_HEX.matcher(eTag).matches()) {
          differs = !eTag.equalsIgnoreCase(HexFormat.of().formatHex(partMd5));
        } else {
          untold = true;
        }
        if (differs) {
          return OptionalInt.of(part.partNumber());
        }
      }
    }
    return OptionalInt.empty();
  }

  /** Whether every earlier part was found to hold the source's bytes. */
  boolean allMatch() {
    return !untold && !differs && checked == parts.size();
  }
}
