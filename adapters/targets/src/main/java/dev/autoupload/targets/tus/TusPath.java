package dev.autoupload.targets.tus;

import dev.autoupload.targets.RemotePaths;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Remote names of tus uploads. tus has no folders: the name travels as the {@code filename} entry
 * of {@code Upload-Metadata}, which the server's application uses to file the upload. It must still
 * be a plain relative path, so that an application storing by that name stays under its root.
 */
final class TusPath {

  private TusPath() {}

  /** The path in NFC, or empty when it could leave the root (see {@link RemotePaths#segments}). */
  static Optional<String> confined(String remotePath) {
    return RemotePaths.segments(remotePath).map(segments -> String.join("/", segments));
  }

  /** The {@code Upload-Metadata} value naming {@code nfcPath}: {@code filename <base64>}. */
  static String metadata(String nfcPath) {
    return "filename " + Base64.getEncoder().encodeToString(nfcPath.getBytes(StandardCharsets.UTF_8));
  }
}
