package dev.autoupload.targets.webdav;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code .<name>.autoupload-sha256} says about the file {@code <name>} beside it: its sha256
 * as verified when Autoupload published it, and the size and {@code getlastmodified} the server
 * reported for it then. The hash is believed only while size and modification time still match,
 * so a file replaced behind Autoupload's back does not inherit the hash of the one it replaced.
 *
 * <p>The text is UTF-8 lines of {@code key value}: {@code sha256}, {@code size} and, when the
 * server reports one, {@code modified}. Unknown keys are ignored.
 */
record HashSidecar(String sha256, long size, Optional<String> modified) {

  /** Far more than a valid sidecar takes; anything longer is not one. */
  static final int MAX_BYTES = 1024;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  HashSidecar {
    sha256 = sha256.toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha256).matches() || size < 0) {
      throw new IllegalArgumentException("not a sha256 and size: " + sha256 + " " + size);
    }
  }

  String format() {
    return "sha256 " + sha256 + "\nsize " + size + "\n" + modified.map(m -> "modified " + m + "\n").orElse("");
  }

  /** The sidecar {@code text} describes, or empty when it is not one. */
  static Optional<HashSidecar> parse(String text) {
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      int space = trimmed.indexOf(' ');
      if (space > 0) {
        values.putIfAbsent(trimmed.substring(0, space), trimmed.substring(space + 1).strip());
      }
    }
    String sha256 = values.get("sha256");
    String size = values.get("size");
    if (sha256 == null || size == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new HashSidecar(sha256, Long.parseLong(size), Optional.ofNullable(values.get("modified"))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether this sidecar was written for the file the server now describes as {@code file}. */
  boolean describes(Multistatus file) {
    return !file.collection()
        && file.contentLength().isPresent()
        && file.contentLength().getAsLong() == size
        && file.lastModified().equals(modified);
  }
}
