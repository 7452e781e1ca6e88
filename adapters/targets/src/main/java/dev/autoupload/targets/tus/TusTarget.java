package dev.autoupload.targets.tus;

import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteState;
import dev.autoupload.engine.upload.Sha256;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadSession;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.HttpClients;
import dev.autoupload.targets.http.HttpErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link UploadTarget} on a tus 1.0 server ({@code tus+http://} and {@code tus+https://}),
 * speaking the protocol itself on {@link HttpClient}: creation (POST with {@code Upload-Length}
 * and the remote path as {@code filename} in {@code Upload-Metadata}), HEAD for the offset, one
 * PATCH per appended chunk, and, when the server offers them, the checksum extension (every PATCH
 * carries the chunk's sha256, which the server checks before it keeps the bytes) and termination
 * (DELETE of an upload that failed verification).
 *
 * <p>tus has no namespace: an upload is known only by the URL the server gave at creation. That
 * URL is the session's {@link UploadSession#resumeToken() resume token}, which the engine keeps in
 * its journal. Hence {@link #probe(String)} without a token always answers {@link
 * RemoteState.Absent}: the target cannot tell what the server holds under a name, and two uploads
 * of the same name are two uploads, not a conflict. "Already backed up" comes from the engine's
 * ledger, not from the server.
 *
 * <p>With a token, {@link #probe(String, Optional)} asks the server (HEAD): an unfinished upload is
 * {@link RemoteState.Partial} at the server's offset; a finished one is {@link
 * RemoteState.Complete} with the sha256 of its bytes when the server lets them be read back (GET on
 * the upload URL, offered by tusd, {@code @tus/server} and tus-java-server), so the engine can tell
 * "ours, done" from "stale"; when it cannot be read back it is reported as {@link
 * RemoteState.Partial} at its full length, so the engine opens it and {@link UploadSession#complete}
 * verifies what it can, instead of the engine taking a finished upload without a hash for a
 * conflict. A token the server no longer knows (404, 410) is {@link RemoteState.Absent}, and
 * {@link #open(String, long, Optional)} then creates a new upload.
 *
 * <p>Credentials travel only in the {@code Authorization} header, and only to the server's own
 * origin: upload URLs (from {@code Location} or a token) on another host are not followed.
 */
public final class TusTarget implements UploadTarget {

  static final String TUS_VERSION = "1.0.0";
  static final String OFFSET_CONTENT_TYPE = "application/offset+octet-stream";

  private static final Logger log = LoggerFactory.getLogger(TusTarget.class);

  /** What the server said it offers in its OPTIONS answer. */
  record Capabilities(Set<String> extensions, Set<String> checksumAlgorithms) {

    boolean offers(String extension) {
      return extensions.contains(extension);
    }

    /** The digests the checksum extension may name, best first, with their JCA names. */
    private static final List<Map.Entry<String, String>> ALGORITHMS =
        List.of(
            Map.entry("sha256", "SHA-256"),
            Map.entry("sha512", "SHA-512"),
            Map.entry("sha384", "SHA-384"),
            Map.entry("sha1", "SHA-1"),
            Map.entry("md5", "MD5"));

    /**
     * The best checksum each PATCH may carry for the server to check, from those it lists: its
     * tus name and JCA name. sha1 is the one the protocol requires a server to offer, and many offer
     * only it.
     */
    Optional<Map.Entry<String, String>> checksumAlgorithm() {
      if (!offers("checksum")) {
        return Optional.empty();
      }
      return ALGORITHMS.stream().filter(algorithm -> checksumAlgorithms.contains(algorithm.getKey())).findFirst();
    }
  }

  /** An upload as the server reports it on HEAD. */
  record UploadState(long offset, long length) {
    boolean finished() {
      return offset == length;
    }
  }

  /**
   * The most a session gathers before it sends a PATCH: the engine's 1 MiB chunks sent one by one
   * cost a request each (a 256 MiB file went at 42 MB/s in 259 requests to tus-java-server on
   * loopback), and what a kill loses is what the engine's checkpoints allow (8 MiB).
   */
  public static final int PATCH_BYTES = 8 << 20;

  private final URI endpoint;
  private final int patchBytes;
  private final String description;
  private final Optional<String> authorization;
  private final TargetSettings settings;
  private final HttpClient client;
  private final Clock clock = Clock.systemUTC();
  private volatile Capabilities capabilities;

  /**
   * A target creating uploads at {@code endpoint}.
   *
   * @param endpoint the server's creation URL, {@code http://host[:port]/files/} or {@code
   *     https://…}, without user info
   * @param user the user name for basic authentication, if any
   * @param settings timeouts, TLS trust and the password, used only together with a user
   */
  public TusTarget(URI endpoint, Optional<String> user, TargetSettings settings) {
    this(endpoint, user, settings, PATCH_BYTES);
  }

  /** As above, sending a PATCH once {@code patchBytes} are gathered (tests send each chunk). */
  TusTarget(URI endpoint, Optional<String> user, TargetSettings settings, int patchBytes) {
    if (patchBytes < 1) {
      throw new IllegalArgumentException("patchBytes must be positive: " + patchBytes);
    }
    this.patchBytes = patchBytes;
    String scheme = HttpClients.requireHttpEndpoint(endpoint, "tus");
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("a tus endpoint has no query or fragment");
    }
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    this.endpoint = URI.create(scheme + "://" + endpoint.getRawAuthority() + path);
    this.description =
        "tus+" + scheme + "://" + user.map(u -> u + "@").orElse("") + endpoint.getRawAuthority() + path;
    this.authorization = HttpClients.basicAuthorization(user, settings.password());
    this.settings = settings;
    this.client = HttpClients.build(settings);
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Only the control characters and backslashes every target refuses: the name travels as upload
   * metadata, and the server stores the upload under an id of its own.
   */
  @Override
  public NameRules nameRules() {
    return settings.nameRules().apply(NameRules.POSIX, false);
  }

  /** False: tus finds uploads by their URL only (see the class doc). */
  @Override
  public boolean findsFilesByName() {
    return false;
  }

  /** Always {@link RemoteState.Absent}: tus finds uploads by their URL only (see the class doc). */
  @Override
  public RemoteState probe(String remotePath) throws UploadException {
    return probe(remotePath, Optional.empty());
  }

  @Override
  public RemoteState probe(String remotePath, Optional<String> resumeToken) throws UploadException {
    String name = confined(remotePath);
    Optional<URI> url = resumeToken.flatMap(this::ownUrl);
    if (url.isEmpty()) {
      return new RemoteState.Absent();
    }
    String display = display(url.get(), name);
    Optional<UploadState> state = head(url.get(), "HEAD " + display);
    if (state.isEmpty()) {
      return new RemoteState.Absent();
    }
    if (!state.get().finished()) {
      return new RemoteState.Partial(state.get().offset());
    }
    Optional<String> stored = readBack(url.get(), state.get().length(), display);
    if (stored.isPresent()) {
      return new RemoteState.Complete(state.get().length(), stored);
    }
    return new RemoteState.Partial(state.get().length());
  }

  @Override
  public UploadSession open(String remotePath, long size) throws UploadException {
    return open(remotePath, size, Optional.empty());
  }

  /** tus has no names to replace: every upload is a new one, so this is a plain upload. */
  @Override
  public UploadSession openReplacing(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    return open(remotePath, size, resumeToken);
  }

  /**
   * Continues the upload {@code resumeToken} names when the server still holds it with the same
   * length; otherwise creates a new upload. An upload of another length belongs to an older
   * version of the file: it is terminated, where the server allows.
   */
  @Override
  public UploadSession open(String remotePath, long size, Optional<String> resumeToken)
      throws UploadException {
    String name = confined(remotePath);
    if (size < 0) {
      throw permanent("cannot upload " + name + ": negative size " + size);
    }
    Capabilities offered = capabilities();
    Optional<URI> known = resumeToken.flatMap(this::ownUrl);
    if (known.isPresent()) {
      String display = display(known.get(), name);
      Optional<UploadState> state = head(known.get(), "HEAD " + display);
      if (state.isPresent() && state.get().length() == size) {
        return new TusSession(this, offered, name, known.get(), size, state.get().offset(), patchBytes);
      }
      if (state.isPresent()) {
        log.info("{} holds {} bytes, not the {} of {}: starting a new upload",
            display, state.get().length(), size, name);
        terminateQuietly(known.get(), display);
      }
    }
    URI created = create(name, size);
    return new TusSession(this, offered, name, created, size, 0, patchBytes);
  }

  /**
   * Deletes the upload {@code resumeToken} names (termination). A server without termination keeps
   * it until it expires it; without a token nothing is known to delete.
   */
  @Override
  public void discard(String remotePath, Optional<String> resumeToken) throws UploadException {
    String name = confined(remotePath);
    Optional<URI> url = resumeToken.flatMap(this::ownUrl);
    if (url.isEmpty()) {
      return;
    }
    if (!capabilities().offers("termination")) {
      log.info("{} stays on the server until it expires: the server does not offer termination", display(url.get(), name));
      return;
    }
    terminate(url.get(), display(url.get(), name));
  }

  /**
   * Asks the server what it offers (OPTIONS) and requires tus 1.0.0 with the creation extension, so
   * that a URL pointing at something else fails here rather than on the first upload.
   */
  @Override
  public void check() throws UploadException {
    capabilities = discover();
  }

  // ---- what sessions use ----

  /**
   * PATCHes {@code chunk} at {@code offset} and returns the server's new offset, which must be the
   * offset after the whole chunk: anything else fails as transient, and the next attempt continues
   * from what the server reports then.
   */
  long patch(URI url, String display, long offset, ByteBuffer chunk, Optional<String> checksum)
      throws UploadException {
    int length = chunk.remaining();
    HttpRequest.BodyPublisher body =
        chunk.hasArray()
            ? HttpRequest.BodyPublishers.ofByteArray(chunk.array(), chunk.arrayOffset() + chunk.position(), length)
            : HttpRequest.BodyPublishers.ofByteArray(copy(chunk));
    HttpRequest.Builder request =
        request(url)
            .timeout(settings.timeoutFor(length))
            .header("Upload-Offset", Long.toString(offset))
            .header("Content-Type", OFFSET_CONTENT_TYPE)
            .method("PATCH", body);
    checksum.ifPresent(value -> request.header("Upload-Checksum", value));
    String operation = "PATCH " + display;
    HttpResponse<String> response = exchange(request, operation);
    int status = response.statusCode();
    if (status == 204 || status == 200) {
      long now = offsetHeader(response, operation);
      if (now != offset + length) {
        throw new UploadException(
            new UploadError.Transient(
                operation + ": the server reports offset " + now + " after " + length
                    + " bytes sent at " + offset + "; the next attempt continues from the server's offset"));
      }
      return now;
    }
    if (status == 409) {
      String where =
          head(url, "HEAD " + display).map(s -> "the server holds " + s.offset() + " bytes").orElse("the upload is gone");
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP 409: the offset moved (" + where + ", this session was at "
                  + offset + "); the next attempt continues from the server's offset"));
    }
    if (status == 404 || status == 410) {
      throw new UploadException(
          new UploadError.Transient(
              operation + " failed: HTTP " + status + ": the upload is gone from the server"
                  + " (expired or deleted); the next attempt starts a new one"));
    }
    throw failure(response, operation);
  }

  /**
   * The upload's offset and length; empty when the server does not know it: 404, 410, or 403, which
   * the protocol allows for an unknown upload too (a 403 that means refused credentials shows on the
   * creation request that follows, and stops the library there).
   */
  Optional<UploadState> head(URI url, String operation) throws UploadException {
    HttpResponse<String> response =
        exchange(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()), operation);
    int status = response.statusCode();
    if (status == 404 || status == 410 || status == 403) {
      return Optional.empty();
    }
    if (status != 200 && status != 204) {
      throw failure(response, operation);
    }
    long offset = offsetHeader(response, operation);
    Optional<String> length = response.headers().firstValue("Upload-Length");
    if (length.isEmpty() && offset > 0) {
      throw permanent(operation + ": the server does not report Upload-Length");
    }
    // Uploads are always created with their length, so a missing one at offset 0 is a length of 0
    // the server did not echo (tus-java-server keeps 0 as "not known yet").
    long total = length.isEmpty() ? 0 : number(length.get(), "Upload-Length", operation);
    if (offset > total) {
      throw permanent(operation + ": the server reports offset " + offset + " beyond the length " + total);
    }
    return Optional.of(new UploadState(offset, total));
  }

  /**
   * The sha256 of the upload's bytes as the server returns them on GET, when it does (tus itself
   * has no download; most servers add one); empty when it does not, or not with {@code length}
   * bytes.
   */
  Optional<String> readBack(URI url, long length, String display) throws UploadException {
    if (length == 0) {
      return Optional.of(Sha256.hex(Sha256.newDigest()));
    }
    String operation = "GET " + display;
    HttpRequest request = request(url).timeout(settings.timeoutFor(length)).GET().build();
    try {
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          return Optional.empty();
        }
        MessageDigest digest = Sha256.newDigest();
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
          read += n;
          if (read > length) {
            return Optional.empty();
          }
        }
        return read == length ? Optional.of(Sha256.hex(digest)) : Optional.empty();
      }
    } catch (IOException e) {
      throw new UploadException(HttpErrors.fromIo(operation, e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UploadException(new UploadError.Transient(operation + " interrupted"), e);
    }
  }

  /**
   * Deletes an upload that must not be continued, where the server offers termination; otherwise
   * it stays until the server expires it. A failure is only logged: the caller reports why it
   * wanted the upload gone.
   */
  boolean terminateQuietly(URI url, String display) {
    if (capabilities == null || !capabilities.offers("termination")) {
      return false;
    }
    try {
      terminate(url, display);
      return true;
    } catch (UploadException e) {
      log.warn("could not delete {}: {}", display, e.getMessage());
      return false;
    }
  }

  /** DELETEs the upload (termination); one the server no longer knows is gone already. */
  private void terminate(URI url, String display) throws UploadException {
    String operation = "DELETE " + display;
    HttpResponse<String> response = exchange(request(url).DELETE(), operation);
    int status = response.statusCode();
    if (status != 204 && status != 200 && status != 404 && status != 410) {
      throw failure(response, operation);
    }
  }

  /** How an upload appears in messages: its URL path and the remote path it carries. */
  static String display(URI url, String remotePath) {
    return url.getRawPath() + " (" + remotePath + ")";
  }

  // ---- HTTP ----

  private Capabilities capabilities() throws UploadException {
    Capabilities known = capabilities;
    if (known == null) {
      known = discover();
      capabilities = known;
    }
    return known;
  }

  private Capabilities discover() throws UploadException {
    String operation = "OPTIONS " + description;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint)
            .timeout(settings.readTimeout())
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
    authorization.ifPresent(value -> request.header("Authorization", value));
    HttpResponse<String> response = exchange(request, operation);
    if (response.statusCode() != 200 && response.statusCode() != 204) {
      UploadError error =
          HttpErrors.fromStatus(
              operation, response.statusCode(), response.headers().firstValue("Retry-After"), response.body(), clock);
      if (error instanceof UploadError.Permanent) {
        throw permanent(error.message() + "; is " + description + " a tus server's creation URL?");
      }
      throw new UploadException(error);
    }
    Set<String> versions = list(response.headers().firstValue("Tus-Version"));
    if (!versions.contains(TUS_VERSION)) {
      throw permanent(
          description + " is not a tus " + TUS_VERSION + " server: its OPTIONS answer has "
              + response.headers().firstValue("Tus-Version").map(v -> "Tus-Version " + v).orElse("no Tus-Version"));
    }
    Set<String> extensions = list(response.headers().firstValue("Tus-Extension"));
    if (!extensions.contains("creation")) {
      throw permanent(
          "the tus server at " + description + " does not offer the creation extension, which uploads need"
              + " (it offers: " + (extensions.isEmpty() ? "none" : String.join(",", extensions)) + ")");
    }
    Set<String> algorithms = list(response.headers().firstValue("Tus-Checksum-Algorithm"));
    return new Capabilities(extensions, algorithms);
  }

  private URI create(String name, long size) throws UploadException {
    String operation = "POST " + endpoint.getRawPath() + " (" + name + ")";
    HttpResponse<String> response =
        exchange(
            request(endpoint)
                .header("Upload-Length", Long.toString(size))
                .header("Upload-Metadata", TusPath.metadata(name))
                .POST(HttpRequest.BodyPublishers.noBody()),
            operation);
    if (response.statusCode() == 412) {
      throw permanent(operation + " failed: HTTP 412: the server does not accept tus " + TUS_VERSION);
    }
    if (response.statusCode() != 201) {
      throw failure(response, operation);
    }
    String location =
        response.headers().firstValue("Location").orElseThrow(() -> permanent(operation + ": the server sent no Location"));
    return ownUrl(location)
        .orElseThrow(
            () ->
                permanent(
                    operation + ": the server placed the upload at \"" + location
                        + "\", which is not on " + description + "; not following it"));
  }

  private Optional<URI> ownUrl(String candidate) {
    return ownUrl(endpoint, candidate);
  }

  /**
   * {@code candidate} resolved against {@code endpoint}, if it is an http(s) URL on the endpoint's
   * origin without user info: the only URLs that get our credentials and bytes. An {@code http://}
   * URL on the host of an {@code https://} endpoint, on the default port or the endpoint's, is taken
   * as https: a server behind a TLS-terminating proxy names its uploads so (tus/tusd#277), and
   * following it as plain http would send the bytes and the credentials in clear.
   */
  static Optional<URI> ownUrl(URI endpoint, String candidate) {
    URI url;
    try {
      url = endpoint.resolve(new URI(candidate.trim()));
      boolean httpBehindTls =
          "https".equalsIgnoreCase(endpoint.getScheme())
              && "http".equalsIgnoreCase(url.getScheme())
              && url.getHost() != null
              && url.getHost().equalsIgnoreCase(endpoint.getHost())
              && (url.getPort() < 0 || url.getPort() == 80 || url.getPort() == port(endpoint));
      if (httpBehindTls) {
        // From the raw parts: URI's many-argument constructors quote again what is quoted already.
        url =
            new URI(
                "https://"
                    + (url.getRawUserInfo() == null ? "" : url.getRawUserInfo() + "@")
                    + url.getHost()
                    + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort())
                    + url.getRawPath()
                    + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery())
                    + (url.getRawFragment() == null ? "" : "#" + url.getRawFragment()));
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
    boolean sameOrigin =
        url.getScheme() != null
            && url.getScheme().equalsIgnoreCase(endpoint.getScheme())
            && url.getHost() != null
            && url.getHost().equalsIgnoreCase(endpoint.getHost())
            && port(url) == port(endpoint)
            && url.getRawUserInfo() == null
            && url.getRawFragment() == null;
    return sameOrigin ? Optional.of(url) : Optional.empty();
  }

  private static int port(URI url) {
    if (url.getPort() >= 0) {
      return url.getPort();
    }
    return url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private HttpRequest.Builder request(URI url) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(url).timeout(settings.readTimeout()).header("Tus-Resumable", TUS_VERSION);
    authorization.ifPresent(value -> builder.header("Authorization", value));
    return builder;
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request, String operation) throws UploadException {
    return HttpClients.sendForText(client, request, operation);
  }

  private UploadException failure(HttpResponse<String> response, String operation) {
    return new UploadException(
        HttpErrors.fromStatus(
            operation,
            response.statusCode(),
            response.headers().firstValue("Retry-After"),
            response.body(),
            clock));
  }

  private static long offsetHeader(HttpResponse<String> response, String operation) throws UploadException {
    Optional<String> offset = response.headers().firstValue("Upload-Offset");
    if (offset.isEmpty()) {
      // tus-java-server answers a PATCH it could not lock with an empty 200: try again later.
      throw new UploadException(
          new UploadError.Transient(
              operation + ": the server answered HTTP " + response.statusCode() + " without Upload-Offset"));
    }
    return number(offset.get(), "Upload-Offset", operation);
  }

  private static long number(String value, String header, String operation) throws UploadException {
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Reported below with the value as sent.
    }
    throw permanent(operation + ": the server sent " + header + " \"" + value + "\", not a byte count");
  }

  private static Set<String> list(Optional<String> header) {
    return header
        .map(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
            .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()))
        .orElse(Set.of());
  }

  private static byte[] copy(ByteBuffer chunk) {
    byte[] bytes = new byte[chunk.remaining()];
    chunk.duplicate().get(bytes);
    return bytes;
  }

  private static String confined(String remotePath) throws UploadException {
    return TusPath.confined(remotePath)
        .orElseThrow(
            () ->
                permanent(
                    "invalid remote path \"" + String.valueOf(remotePath).replace("\0", "\\0")
                        + "\": it must be relative, without empty, \".\" or \"..\" segments,"
                        + " backslashes or NUL"));
  }

  static UploadException permanent(String message) {
    return new UploadException(new UploadError.Permanent(message));
  }
}
