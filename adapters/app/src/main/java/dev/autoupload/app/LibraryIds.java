package dev.autoupload.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** Names a library when the user does not, so each source/target pair keeps its own ledger. */
final class LibraryIds {

  /** What {@link dev.autoupload.engine.library.Library} accepts as an id, checked before any library is made. */
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private LibraryIds() {}

  /** Why {@code id} cannot name a library, in one line; empty when it can. */
  static Optional<String> problem(String id) {
    return VALID.matcher(id).matches()
        ? Optional.empty()
        : Optional.of("id " + OneLine.of(id) + " must be 1-100 letters, digits, '.', '_' or '-'");
  }

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
