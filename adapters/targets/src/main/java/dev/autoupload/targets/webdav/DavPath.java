package dev.autoupload.targets.webdav;

import dev.autoupload.targets.RemotePaths;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Remote names on a WebDAV server: Unicode NFC, '/'-separated segments, each percent-encoded on its
 * own so that spaces, {@code #}, {@code %}, {@code ?} and {@code +} reach the server as part of the
 * name. Shared by the WebDAV-based targets (WebDAV, Nextcloud), hence public; not for host apps.
 */
public final class DavPath {

  private DavPath() {}

  /**
   * The segments of a remote path, or empty when it could leave the root; as {@link
   * RemotePaths#segments}.
   *
   * @param remotePath the relative path the engine asked for
   * @return its NFC segments, or empty when it is refused
   */
  public static Optional<List<String>> segments(String remotePath) {
    return RemotePaths.segments(remotePath);
  }

  /**
   * One segment percent-encoded as UTF-8, keeping only RFC 3986 unreserved characters.
   *
   * @param segment a name, '/' included, which is encoded too
   * @return the name as it goes into a URL path, hex digits in upper case
   */
  public static String encode(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /**
   * The encoded absolute path of {@code segments}, e.g. {@code /a%20b/c}; {@code /} for none.
   *
   * @param segments names, not yet encoded
   * @return the path, each segment encoded by {@link #encode}
   */
  public static String join(List<String> segments) {
    if (segments.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder();
    for (String segment : segments) {
      out.append('/').append(encode(segment));
    }
    return out.toString();
  }
}
