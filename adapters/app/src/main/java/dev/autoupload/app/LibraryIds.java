package dev.autoupload.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names a library when the user does not, so each source/target pair keeps its own ledger. */
final class LibraryIds {

  private LibraryIds() {}

  /**
   * {@code lib-} and the first 12 hex digits of sha256(absolute source path, newline, target URI):
   * stable across runs, and different for two pairs sharing one data dir. Trailing slashes of the
   * URI do not count: {@code file:///b} and {@code file:///b/} (what {@code Path.toUri()} gives once
   * the folder exists) are one target and keep one ledger.
   */
  static String derive(Path source, String targetUri) {
    String target = targetUri.strip().replaceFirst("(?<=[^/])/+$", "");
    String key = source.toAbsolutePath().normalize() + "\n" + target;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return "lib-" + HexFormat.of().formatHex(hash).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
