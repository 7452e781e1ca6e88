package dev.autoupload.targets.nextcloud;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * Whether a file on a Nextcloud server holds the bytes expected of it: a pure function of what a
 * PROPFIND reports and, where that cannot tell, of what reading the file back found. Every answer
 * names its reason.
 *
 * <p>A PROPFIND cannot tell when the server keeps no checksum (chunking v2 on object storage with a
 * distributed cache does not store {@code OC-Checksum} on the assembling MOVE) or records 0 bytes
 * for a file that has more (nextcloud/server#64029, #59715): such a file is read back, never taken
 * for different, or every attempt would find it "different" and upload it again.
 */
final class StoredFileCheck {

  private StoredFileCheck() {}

  enum Verdict {
    SAME,
    DIFFERENT,
    READ_BACK
  }

  record Decision(Verdict verdict, String reason) {}

  /** The file the upload means to have stored: its size and sha256 (lowercase hex). */
  record Expected(long size, String sha256) {}

  /**
   * What the server says of the stored file.
   *
   * @param size its {@code getcontentlength}; empty when it reports none
   * @param vouchedSha256 a sha256 known to describe its bytes: the {@code oc:checksums} of a file,
   *     or for an assembled part the hash of every byte this process sent into it; empty otherwise
   */
  record Reported(OptionalLong size, Optional<String> vouchedSha256) {}

  static Decision judge(Expected expected, Reported reported) {
    if (reported.size().isEmpty()) {
      return new Decision(Verdict.READ_BACK, "the server reports no size for it");
    }
    long size = reported.size().getAsLong();
    if (size == 0 && expected.size() > 0) {
      return new Decision(
          Verdict.READ_BACK,
          "the server records 0 bytes for it, as some do after a chunked upload (nextcloud/server#64029)");
    }
    if (size != expected.size()) {
      return new Decision(Verdict.DIFFERENT, "it has " + size + " bytes, expected " + expected.size());
    }
    if (reported.vouchedSha256().isEmpty()) {
      return new Decision(Verdict.READ_BACK, "the server keeps no checksum for it");
    }
    String sha256 = reported.vouchedSha256().get();
    return sha256.equalsIgnoreCase(expected.sha256())
        ? new Decision(Verdict.SAME, "it has the expected size and sha256")
        : new Decision(Verdict.DIFFERENT, "it has sha256 " + sha256 + ", expected " + expected.sha256());
  }

  /** The verdict once the file was read back: {@code length} bytes with this sha256. */
  static Decision judgeReadBack(Expected expected, long length, String sha256) {
    if (length != expected.size()) {
      return new Decision(Verdict.DIFFERENT, "read back, it has " + length + " bytes, expected " + expected.size());
    }
    return sha256.equalsIgnoreCase(expected.sha256())
        ? new Decision(Verdict.SAME, "read back, it has the expected size and sha256")
        : new Decision(Verdict.DIFFERENT, "read back, it has sha256 " + sha256 + ", expected " + expected.sha256());
  }

  /**
   * Whether a probe, which knows no expected file, reads a file back to learn its length and
   * sha256: when the server says 0 bytes, which costs nothing to read for a truly empty file.
   */
  static boolean probeReadsBack(long reportedSize) {
    return reportedSize == 0;
  }
}
