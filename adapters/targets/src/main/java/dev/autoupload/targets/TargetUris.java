package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import dev.autoupload.targets.webdav.WebDavTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Turns the target URI of a library's configuration into an {@link UploadTarget}. */
public final class TargetUris {

  private static final String SUPPORTED =
      "use file:///absolute/dir, webdav://user@host[:port]/path or webdavs://user@host[:port]/path";

  /** Where a WebDAV password comes from: never the URI, which ends up in configs and logs. */
  public static final String WEBDAV_PASSWORD_VARIABLE = "AUTOUPLOAD_WEBDAV_PASSWORD";

  private TargetUris() {}

  /**
   * Opens the target {@code uri} names. Supported: {@code file:///absolute/dir} (also {@code
   * file:/absolute/dir} and {@code file://localhost/absolute/dir}), with special characters
   * percent-encoded: {@code file:///photos/My%20Backup}; {@code webdav://user@host[:port]/path}
   * (HTTP) and {@code webdavs://…} (HTTPS), the password taken from the environment variable
   * {@value #WEBDAV_PASSWORD_VARIABLE}.
   *
   * @throws IllegalArgumentException with a one-line message saying what is supported, when the
   *     URI is malformed, relative, or of an unsupported scheme
   */
  public static UploadTarget open(String uri) {
    return open(uri, System.getenv());
  }

  /** As {@link #open(String)}, with the environment passwords are read from. */
  public static UploadTarget open(String uri, Map<String, String> environment) {
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
    if (parsed.getScheme() != null
        && (parsed.getScheme().equalsIgnoreCase("webdav") || parsed.getScheme().equalsIgnoreCase("webdavs"))) {
      return webDav(parsed, environment);
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

  private static UploadTarget webDav(URI uri, Map<String, String> environment) {
    if (uri.isOpaque() || uri.getHost() == null) {
      throw rejected("invalid", redacted(uri), "a WebDAV target needs a host");
    }
    if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      throw rejected(
          "invalid",
          redacted(uri),
          "put the password in " + WEBDAV_PASSWORD_VARIABLE + ", not in the URI");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw rejected("invalid", redacted(uri), "percent-encode '?' as %3F and '#' as %23 in folder names");
    }
    String scheme = uri.getScheme().equalsIgnoreCase("webdavs") ? "https" : "http";
    URI endpoint;
    try {
      endpoint = new URI(scheme, null, uri.getHost(), uri.getPort(), uri.getPath().isEmpty() ? "/" : uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw rejected("invalid", redacted(uri), e.getReason());
    }
    try {
      return new WebDavTarget(
          endpoint,
          Optional.ofNullable(uri.getUserInfo()),
          Optional.ofNullable(environment.get(WEBDAV_PASSWORD_VARIABLE)),
          WebDavTarget.Settings.defaults());
    } catch (IllegalArgumentException e) {
      throw rejected("invalid", redacted(uri), e.getMessage());
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
