package dev.autoupload.targets.koofr;

import dev.autoupload.targets.RemotePaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Paths inside a Koofr mount: absolute, '/'-separated, names in Unicode NFC. Koofr takes them as
 * query parameters ({@code ?path=/a/b}), so each is percent-encoded whole by {@link #query}.
 */
final class KoofrPath {

  private KoofrPath() {}

  /** See {@link RemotePaths#segments}. */
  static Optional<List<String>> segments(String relativePath) {
    return RemotePaths.segments(relativePath);
  }

  /** The absolute path of {@code segments}, e.g. {@code /Photos/2024}; {@code /} for none. */
  static String absolute(List<String> segments) {
    return segments.isEmpty() ? "/" : "/" + String.join("/", segments);
  }

  /**
   * {@code value} percent-encoded as UTF-8 for a query string, keeping only RFC 3986 unreserved
   * characters and '/': a space is {@code %20} and a '+' is {@code %2B}, which read the same
   * whether the server decodes the query as a form or as a URI.
   */
  static String query(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
