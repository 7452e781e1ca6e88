package dev.autoupload.targets;

import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.koofr.KoofrTarget;
import dev.autoupload.targets.local.LocalFolderTarget;
import dev.autoupload.targets.nextcloud.NextcloudTarget;
import dev.autoupload.targets.tus.TusTarget;
import dev.autoupload.targets.webdav.WebDavTarget;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the target URI of a library's configuration into an {@link UploadTarget}. */
public final class TargetUris {

  private static final String SUPPORTED =
      "use file:///absolute/dir, webdav://user@host[:port]/path, webdavs://user@host[:port]/path,"
          + " nextcloud://user@host[:port]/path[?chunkSize=bytes&webroot=/nextcloud&user-id=id] (nextcloud+http:// without TLS),"
          + " tus+http[s]://[user@]host[:port]/files/,"
          + " s3://bucket/prefix?endpoint=http://host:port&region=r&pathStyle=true or"
          + " koofr://you%40example.com@mount/path[?endpoint=https://app.koofr.net]";

  /** {@code scheme://}, where user information would start. */
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://");
  /** Every bucket name S3 or an S3-compatible server takes, legacy ones (capitals, '_') too. */
  private static final Pattern S3_BUCKET = Pattern.compile("[A-Za-z0-9._-]{1,255}");

  private TargetUris() {}

  /**
   * Opens the target {@code uri} names. Supported: {@code file:///absolute/dir} (also {@code
   * file:/absolute/dir} and {@code file://localhost/absolute/dir}), with special characters
   * percent-encoded: {@code file:///photos/My%20Backup}; {@code webdav://user@host[:port]/path}
   * (HTTP) and {@code webdavs://…} (HTTPS); {@code nextcloud://user@host[:port]/path} (HTTPS; {@code
   * nextcloud+http://…} for plain HTTP) with the optional query parameters {@code chunkSize} (bytes,
   * 5 MiB to 5 GiB, default 10 MiB) and {@code webroot}, the path Nextcloud is installed under
   * ({@code ?webroot=/nextcloud} for {@code https://host/nextcloud/remote.php/dav/}; percent-encoded,
   * a space as %20); {@code tus+http://[user@]host[:port]/files/} and {@code
   * tus+https://…}, a tus 1.0 server's creation URL; and, with {@code autoupload-targets-s3} on the
   * classpath, {@code s3://bucket/prefix} with the optional query
   * parameters {@code endpoint} (an S3-compatible server), {@code region} (default us-east-1),
   * {@code pathStyle} ({@code true} for most S3-compatible servers), {@code multipartThreshold}
   * and {@code partSize} (bytes). S3 credentials come from the standard AWS chain (environment,
   * profile, instance role) unless {@code settings} names a key. {@code
   * koofr://you%40example.com@mount/path}: the account's e-mail (its '@' as %40, or as it is: the
   * mount follows the last '@'), the mount's name (e.g. {@code Koofr}) or id, the folder in it, and
   * optionally {@code ?endpoint=} another Koofr-compatible service (default
   * https://app.koofr.net); the password is an app password. Passwords and keys come from {@code
   * settings}, never from the URI.
   *
   * @param uri the target's URI, as the configuration gives it
   * @param settings timeouts, TLS and secrets
   * @return the target; the engine closes it with its library
   * @throws IllegalArgumentException with a one-line message saying what is supported, when the
   *     URI is malformed, relative, or of an unsupported scheme; a password or key in the URI is
   *     shown as {@code ***}
   */
  public static UploadTarget open(String uri, TargetSettings settings) {
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
    // URI takes any number of digits for a port; the HTTP client would throw on it only later.
    if (parsed.getPort() == 0 || parsed.getPort() > 65_535) {
      throw new IllegalArgumentException(
          "invalid target: port " + parsed.getPort() + " is not between 1 and 65535; " + SUPPORTED);
    }
    if (parsed.getScheme() != null
        && (parsed.getScheme().equalsIgnoreCase("webdav") || parsed.getScheme().equalsIgnoreCase("webdavs"))) {
      return webDav(parsed, settings);
    }
    if (parsed.getScheme() != null
        && (parsed.getScheme().equalsIgnoreCase("nextcloud") || parsed.getScheme().equalsIgnoreCase("nextcloud+http"))) {
      return nextcloud(parsed, settings);
    }
    if (parsed.getScheme() != null
        && (parsed.getScheme().equalsIgnoreCase("tus+http") || parsed.getScheme().equalsIgnoreCase("tus+https"))) {
      return tus(parsed, settings);
    }
    if (parsed.getScheme() != null && parsed.getScheme().equalsIgnoreCase("s3")) {
      // Checked here, so a wrong URI gets the same answer with or without the S3 module.
      s3Config(uri, parsed, settings);
      return provider("s3")
          .orElseThrow(() -> new IllegalArgumentException(
              "unsupported target \"" + shown(uri) + "\": s3:// needs the autoupload-targets-s3 module on the classpath"))
          .open(parsed, settings);
    }
    if (parsed.getScheme() != null && parsed.getScheme().equalsIgnoreCase("koofr")) {
      return koofr(uri, parsed, settings);
    }
    if (parsed.getScheme() == null || !parsed.getScheme().equalsIgnoreCase("file")) {
      throw rejected("unsupported", uri, null);
    }
    if (parsed.isOpaque() || parsed.getPath() == null || !parsed.getPath().startsWith("/")) {
      throw rejected("unsupported", uri, "the folder must be an absolute path");
    }
    String host = parsed.getRawAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw rejected(
          "unsupported",
          uri,
          "host \""
              + parsed.getHost()
              + "\" is not supported (an absolute path needs three slashes)");
    }
    if (parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '?' as %3F and '#' as %23 in folder names");
    }
    try {
      return new LocalFolderTarget(Path.of(parsed.getPath()), settings.nameRules());
    } catch (InvalidPathException e) {
      throw rejected("invalid", uri, e.getReason());
    }
  }

  private static UploadTarget webDav(URI uri, TargetSettings settings) {
    if (uri.isOpaque() || uri.getHost() == null) {
      throw rejected("invalid", uri, "a WebDAV target needs a host");
    }
    if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      throw rejected(
          "invalid",
          uri,
          "put the password in autoupload.target.password or "
              + TargetSettings.PASSWORD_VARIABLE
              + ", not in the URI");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '?' as %3F and '#' as %23 in folder names");
    }
    String scheme = uri.getScheme().equalsIgnoreCase("webdavs") ? "https" : "http";
    URI endpoint;
    try {
      endpoint = new URI(scheme, null, uri.getHost(), uri.getPort(), uri.getPath().isEmpty() ? "/" : uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw rejected("invalid", uri, e.getReason());
    }
    try {
      return new WebDavTarget(
          endpoint,
          Optional.ofNullable(uri.getUserInfo()),
          settings);
    } catch (IllegalArgumentException e) {
      throw rejected("invalid", uri, e.getMessage());
    }
  }

  private static UploadTarget nextcloud(URI uri, TargetSettings settings) {
    if (uri.isOpaque() || uri.getHost() == null) {
      throw rejected("invalid", uri, "a Nextcloud target needs a host");
    }
    if (uri.getRawUserInfo() == null || uri.getRawUserInfo().isEmpty()) {
      throw rejected("invalid", uri, "a Nextcloud target needs the user: nextcloud://user@host/path");
    }
    if (uri.getRawUserInfo().contains(":")) {
      throw rejected(
          "invalid",
          uri,
          "put the password in autoupload.target.password or " + TargetSettings.PASSWORD_VARIABLE + ", not in the URI");
    }
    if (uri.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '#' as %23 in folder names");
    }
    long chunkSize = NextcloudTarget.DEFAULT_CHUNK_SIZE;
    String webroot = "/";
    String userId = null;
    String query = uri.getRawQuery();
    for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      switch (name) {
        case "chunkSize" -> chunkSize = bytes(uri.toString(), name, value);
        // Percent-decoded here and encoded again per segment by the target; '+' stays '+'.
        case "webroot" -> webroot = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        // When the login (e-mail, LDAP, SSO, an app password's) is not the user id of the paths.
        case "user-id" -> userId = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        default -> throw rejected(
            "invalid", uri, "unknown Nextcloud parameter \"" + name + "\"; percent-encode '?' as %3F in folder names");
      }
    }
    String scheme = uri.getScheme().equalsIgnoreCase("nextcloud") ? "https" : "http";
    try {
      URI server = new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
      if (userId == null && uri.getUserInfo().contains("@")) {
        // An e-mail login is often not the user id of the paths: the server says which it is.
        return NextcloudTarget.discoveringUserId(server, webroot, uri.getUserInfo(), uri.getPath(), chunkSize, settings);
      }
      return new NextcloudTarget(
          server,
          webroot,
          uri.getUserInfo(),
          userId == null ? uri.getUserInfo() : userId,
          uri.getPath(),
          chunkSize,
          settings);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw rejected("invalid", uri, e.getMessage());
    }
  }

  private static UploadTarget tus(URI uri, TargetSettings settings) {
    if (uri.isOpaque() || uri.getHost() == null) {
      throw rejected("invalid", uri, "a tus target needs a host");
    }
    if (uri.getRawUserInfo() != null && uri.getRawUserInfo().contains(":")) {
      throw rejected(
          "invalid",
          uri,
          "put the password in autoupload.target.password or " + TargetSettings.PASSWORD_VARIABLE + ", not in the URI");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw rejected("invalid", uri, "a tus creation URL has no query or fragment");
    }
    String scheme = uri.getScheme().substring("tus+".length()).toLowerCase(Locale.ROOT);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    try {
      return new TusTarget(
          URI.create(scheme + "://" + uri.getRawAuthority().substring(uri.getRawAuthority().lastIndexOf('@') + 1) + path),
          Optional.ofNullable(uri.getUserInfo()),
          settings);
    } catch (IllegalArgumentException e) {
      throw rejected("invalid", uri, e.getMessage());
    }
  }

  /** The provider of {@code scheme} on the classpath, if any. */
  private static Optional<TargetProvider> provider(String scheme) {
    return ServiceLoader.load(TargetProvider.class, TargetUris.class.getClassLoader()).stream()
        .map(ServiceLoader.Provider::get)
        .filter(provider -> provider.schemes().contains(scheme))
        .findFirst();
  }

  /**
   * The bucket, prefix and options an {@code s3://} URI names, with the key of {@code settings}.
   * Public for the S3 module's {@link TargetProvider}, which gets the URI {@link #open} has
   * already checked here.
   *
   * @param uri an {@code s3://} URI
   * @param settings where the S3 key comes from, if any
   * @return the configuration for the S3 target
   * @throws IllegalArgumentException with a one-line message when the URI is unusable
   */
  public static S3Config s3Config(URI uri, TargetSettings settings) {
    return s3Config(uri.toString(), uri, settings);
  }

  private static S3Config s3Config(String uri, URI parsed, TargetSettings settings) {
    // An authority that is no host name (my_host) hides its user information from getRawUserInfo.
    if (parsed.getRawUserInfo() != null || (parsed.getRawAuthority() != null && parsed.getRawAuthority().contains("@"))) {
      throw rejected(
          "invalid",
          uri,
          "credentials do not belong in the URI; set autoupload.target.s3.* or AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY");
    }
    // A secret holding '/' (as AWS secret keys may) ends the authority early: the rest of the
    // login, up to its '@', is then read as the prefix.
    if (parsed.getRawPath() != null && parsed.getRawPath().contains("@")) {
      throw rejected(
          "invalid",
          uri,
          "credentials do not belong in the URI; set autoupload.target.s3.* or AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY (an '@' in the prefix is written %40)");
    }
    String bucket = parsed.getRawAuthority();
    if (parsed.isOpaque() || bucket == null || bucket.isEmpty()) {
      throw rejected("invalid", uri, "the bucket is missing");
    }
    if (!S3_BUCKET.matcher(bucket).matches()) {
      // KEY:SECRET typed where the bucket goes: neither the bucket nor what follows is quoted.
      throw rejected(
          "invalid",
          "s3://***",
          "a bucket name has only letters, digits, '.', '-' and '_'; credentials go in"
              + " autoupload.target.s3.* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, never in the URI");
    }
    if (parsed.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '#' as %23 in the prefix");
    }
    String prefix = parsed.getPath() == null ? "" : parsed.getPath();
    S3Config config;
    try {
      config = S3Config.of(bucket, prefix);
      if (settings.s3Key().isPresent()) {
        config = config.withKey(settings.s3Key().get());
      }
      Optional<URI> endpoint = Optional.empty();
      boolean pathStyle = false;
      long threshold = config.multipartThreshold();
      long partSize = config.partSize();
      String query = parsed.getRawQuery();
      for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        switch (name) {
          case "endpoint" -> endpoint = Optional.of(endpoint(uri, value));
          case "region" -> config = config.withRegion(value);
          case "pathStyle" -> pathStyle = bool(uri, name, value);
          case "multipartThreshold" -> threshold = bytes(uri, name, value);
          case "partSize" -> partSize = bytes(uri, name, value);
          case "checksums" -> config = config.withChecksumHeaders(bool(uri, name, value));
          default -> throw rejected("invalid", uri, "unknown S3 parameter \"" + name + "\"");
        }
      }
      config = config.withMultipart(threshold, partSize);
      if (endpoint.isPresent()) {
        config = config.withEndpoint(endpoint.get(), pathStyle);
      } else if (pathStyle) {
        throw rejected("invalid", uri, "pathStyle needs an endpoint");
      }
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().endsWith(SUPPORTED)) {
        throw e;
      }
      throw rejected("invalid", uri, e.getMessage());
    }
    return config;
  }

  private static UploadTarget koofr(String uri, URI parsed, TargetSettings settings) {
    // An e-mail, unquoted, may hold '@': a password after it that holds '/' would otherwise leave a
    // mount "e-mail-domain:password-start" and a path with the rest, and be taken.
    if (passwordRunsPastTheAuthority(uri)) {
      throw rejected("invalid", uri, null);
    }
    String authority = parsed.isOpaque() ? null : parsed.getRawAuthority();
    int at = authority == null ? -1 : authority.lastIndexOf('@');
    String rawUser = at < 0 ? "" : authority.substring(0, at);
    String user = URLDecoder.decode(rawUser.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (at <= 0 || at == authority.length() - 1) {
      throw rejected("invalid", uri, "name the account's e-mail and the mount: koofr://you%40example.com@Koofr/path");
    }
    if (user.contains(":")) {
      throw rejected(
          "invalid",
          uri,
          "put the app password in autoupload.target.password or " + TargetSettings.PASSWORD_VARIABLE + ", not in the URI");
    }
    if (parsed.getRawFragment() != null) {
      throw rejected("invalid", uri, "percent-encode '#' as %23 in folder names");
    }
    URI endpoint = KoofrTarget.KOOFR;
    String query = parsed.getRawQuery();
    for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (!name.equals("endpoint")) {
        throw rejected("invalid", uri, "unknown Koofr parameter \"" + name + "\"");
      }
      endpoint = endpoint(uri, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    String mount = URLDecoder.decode(authority.substring(at + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    try {
      return new KoofrTarget(endpoint, user, mount, parsed.getPath(), settings);
    } catch (IllegalArgumentException e) {
      throw rejected("invalid", uri, e.getMessage());
    }
  }

  private static URI endpoint(String uri, String value) {
    try {
      URI endpoint = new URI(value);
      if (endpoint.getScheme() == null
          || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))
          || endpoint.getHost() == null) {
        throw rejected("invalid", uri, "the endpoint must be an http:// or https:// URL");
      }
      if (endpoint.getRawUserInfo() != null) {
        throw rejected("invalid", uri, "credentials do not belong in the endpoint; set them in the settings");
      }
      return endpoint;
    } catch (URISyntaxException e) {
      throw rejected("invalid", uri, "the endpoint is not a URL: " + e.getReason());
    }
  }

  private static boolean bool(String uri, String name, String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw rejected("invalid", uri, name + " must be true or false");
    };
  }

  private static long bytes(String uri, String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw rejected("invalid", uri, name + " must be a number of bytes");
    }
  }

  private static IllegalArgumentException rejected(String what, URI uri, String why) {
    return rejected(what, uri.toString(), why);
  }

  /**
   * The one-line error for {@code uri}. When its user information runs past a '/', '?' or '#' it
   * may be a password holding one, which the parser took for a path or query: then {@code why},
   * which may quote a parameter or path from there, gives way to where passwords go.
   */
  private static IllegalArgumentException rejected(String what, String uri, String why) {
    String reason = why;
    if (passwordRunsPastTheAuthority(uri)) {
      reason = "if it holds a password or key, put that in autoupload.target.password (or "
          + TargetSettings.PASSWORD_VARIABLE + ") or autoupload.target.s3.*, not in the URI";
    }
    return new IllegalArgumentException(
        what + " target \"" + shown(uri) + "\": " + (reason == null ? "" : reason + "; ") + SUPPORTED);
  }

  /**
   * Whether the URI's user information, read as text, holds a ':' and runs past a '/', '?' or '#':
   * a password holding one of those, which the parser took for a path or query.
   */
  private static boolean passwordRunsPastTheAuthority(String uri) {
    return userInformation(uri).filter(info -> info.indexOf(':') >= 0 && info.matches("(?s).*[/?#].*")).isPresent();
  }

  /** All between {@code scheme://} (or the start) and the last '@', read as text; empty without '@'. */
  private static Optional<String> userInformation(String uri) {
    int at = uri.lastIndexOf('@');
    if (at < 0) {
      return Optional.empty();
    }
    Matcher scheme = SCHEME.matcher(uri);
    return Optional.of(uri.substring(scheme.lookingAt() ? scheme.end() : 0, at));
  }

  /**
   * The URI as an error may quote it, its user information (which may hold a password) shown as
   * {@code ***}. Read as text, since a URI that does not parse is the one quoted: the user
   * information is all between {@code scheme://} (or the start) and the last '@', as a password
   * may hold '/', '#', '?' or '@', and an endpoint in the query may carry credentials of its own.
   */
  private static String shown(String uri) {
    int at = uri.lastIndexOf('@');
    return userInformation(uri).map(info -> uri.substring(0, at - info.length()) + "***" + uri.substring(at)).orElse(uri);
  }
}
