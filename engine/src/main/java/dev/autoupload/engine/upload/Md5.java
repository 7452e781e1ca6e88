package dev.autoupload.engine.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * MD5, for what servers report or take (Koofr's hashes, S3's ETag and {@code Content-MD5}, tus's
 * checksum), never as the proof of a backup: that is the sha256 ({@link Sha256}).
 */
public final class Md5 {

  private Md5() {}

  /**
   * A new MD5 digest; the JDK always has one.
   *
   * @return the digest
   */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has MD5", e);
    }
  }
}
