package dev.autoupload.engine.upload;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; hashes are lowercase hex everywhere in Autoupload. */
public final class Sha256 {

  private Sha256() {}

  /**
   * A new SHA-256 digest; the JDK always has one.
   *
   * @return the digest
   */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * Finishes {@code digest}.
   *
   * @param digest a SHA-256 digest fed with the content; it is reset
   * @return the hash in lowercase hex
   */
  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Hashes the whole stream, reading it in 64 KiB steps; the caller closes it. A larger buffer
   * hashes no faster, and one a file made most of what identifying a small file allocated.
   *
   * @param in the content
   * @return the hash in lowercase hex
   * @throws IOException when reading fails
   */
  public static String of(InputStream in) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
    }
    return hex(digest);
  }
}
