package dev.autoupload.targets.tus;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Base64;
import java.util.Optional;

/**
 * Remote names of tus uploads. tus has no folders: the name travels as the {@code filename} entry
 * of {@code Upload-Metadata}, which the server's application uses to file the upload. It must still
 * be a plain relative path, so that an application storing by that name stays under its root.
 */
final class TusPath {

  private TusPath() {}

  /**
   * The path in NFC, or empty when it could leave the root or is not a plain name: empty,
   * absolute, {@code .}/{@code ..} or empty segments, backslash, NUL.
   */
  static Optional<String> confined(String remotePath) {
    if (remotePath == null || remotePath.isEmpty()) {
      return Optional.empty();
    }
    String path = Normalizer.normalize(remotePath, Normalizer.Form.NFC);
    if (path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return Optional.empty();
      }
    }
    return Optional.of(path);
  }

  /** The {@code Upload-Metadata} value naming {@code nfcPath}: {@code filename <base64>}. */
  static String metadata(String nfcPath) {
    return "filename " + Base64.getEncoder().encodeToString(nfcPath.getBytes(StandardCharsets.UTF_8));
  }
}
