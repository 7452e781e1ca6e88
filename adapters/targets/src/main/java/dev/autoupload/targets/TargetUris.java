package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Turns the target URI of a library's configuration into an {@link UploadTarget}. */
public final class TargetUris {

  private static final String SUPPORTED = "use file:///absolute/dir";

  private TargetUris() {}

  /**
   * Opens the target {@code uri} names. Supported: {@code file:///absolute/dir} (also {@code
   * file:/absolute/dir} and {@code file://localhost/absolute/dir}), with special characters
   * percent-encoded: {@code file:///photos/My%20Backup}.
   *
   * @throws IllegalArgumentException with a one-line message saying what is supported, when the
   *     URI is malformed, relative, or of an unsupported scheme
   */
  public static UploadTarget open(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("missing target: " + SUPPORTED);
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw rejected(
          "invalid",
          uri,
          e.getReason() + " at index " + e.getIndex() + "; percent-encode it, a space as %20");
    }
    if (parsed.getScheme() == null || !parsed.getScheme().equalsIgnoreCase("file")) {
      throw rejected("unsupported", redacted(parsed), null);
    }
    if (parsed.isOpaque() || parsed.getPath() == null || !parsed.getPath().startsWith("/")) {
      throw rejected("unsupported", uri, "the folder must be an absolute path");
    }
    String host = parsed.getRawAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw rejected(
          "unsupported",
          redacted(parsed),
          "host \""
              + parsed.getHost()
              + "\" is not supported (an absolute path needs three slashes)");
    }
    if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '?' as %3F and '#' as %23 in folder names");
    }
    try {
      return new LocalFolderTarget(Path.of(parsed.getPath()));
    } catch (InvalidPathException e) {
      throw rejected("invalid", uri, e.getReason());
    }
  }

  private static IllegalArgumentException rejected(String what, String uri, String why) {
    return new IllegalArgumentException(
        what + " target \"" + uri + "\": " + (why == null ? "" : why + "; ") + SUPPORTED);
  }

  /** The URI without its user info, which may hold a password. */
  private static String redacted(URI uri) {
    if (uri.getRawUserInfo() == null) {
      return uri.toString();
    }
    return uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
  }
}
