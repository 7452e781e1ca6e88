package dev.autoupload.targets;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one check that keeps a remote path under a target's root, shared by the HTTP targets. Public
 * for the target packages; not for host apps.
 */
public final class RemotePaths {

  private RemotePaths() {}

  /**
   * The segments of a relative remote path in NFC, or empty when the path could leave the root or
   * is not a plain name: empty, absolute, {@code .}/{@code ..} or empty segments, backslash, NUL.
   *
   * @param remotePath the '/'-separated path the engine asked for, relative to the root; may be null
   * @return the path's segments, in order, or empty when it is refused
   */
  public static Optional<List<String>> segments(String remotePath) {
    if (remotePath == null || remotePath.isEmpty()) {
      return Optional.empty();
    }
    String path = Normalizer.normalize(remotePath, Normalizer.Form.NFC);
    if (path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return Optional.empty();
      }
      segments.add(segment);
    }
    return Optional.of(List.copyOf(segments));
  }
}
