package dev.autoupload.targets.nextcloud;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A stand-in for a Nextcloud server on 127.0.0.1, for tests where the real one (a PHP application
 * with a database) cannot run. It implements what Autoupload's Nextcloud target uses, from
 * Nextcloud's published description of chunked upload v2
 * (https://docs.nextcloud.com/server/latest/developer_manual/client_apis/WebDAV/chunking.html) and
 * the behaviour of its Sabre-based WebDAV server (apps/dav: ChunkingV2Plugin, ChunkingPlugin,
 * UploadFolder; Sabre's MOVE and If-None-Match handling):
 *
 * <ul>
 *   <li>basic authentication for one user; 401 with {@code WWW-Authenticate} otherwise;
 *   <li>{@code /remote.php/dav/files/<user>/…}: PROPFIND (Depth 0 or 1; {@code
 *       d:getcontentlength}, {@code d:resourcetype}, {@code oc:checksums}), MKCOL (409 without
 *       parent, 405 when it exists), PUT (written aside and renamed, so a torn body never shows;
 *       {@code If-None-Match: *} gives 412 on an existing file; {@code OC-Checksum} stored verbatim,
 *       as Nextcloud does without computing it), GET, DELETE, MOVE ({@code Overwrite: F} gives 412
 *       on an existing destination, a missing destination folder 409);
 *   <li>{@code /remote.php/dav/uploads/<user>/<id>}: MKCOL with the {@code Destination} header;
 *       PUT of chunks named by a number from 1 to 10000 with {@code Destination} (and {@code
 *       OC-Total-Length}, checked against the quota: 507); PROPFIND lists {@code .file} and the
 *       chunks with their sizes; GET is refused (405) as "reading intermediate uploads is not
 *       allowed"; MOVE of {@code .file} with {@code Destination} assembles the chunks in the order
 *       of their numbers, checks {@code OC-Total-Length} (400 "Chunks on server do not sum up to
 *       …"), honours {@code Overwrite}, stores {@code OC-Checksum} and removes the upload folder;
 *       DELETE removes it.
 * </ul>
 *
 * <p>A name being created (PUT, MKCOL, the destination of a MOVE) is checked as Nextcloud's {@code
 * FilenameValidator} does with its default configuration, and refused as {@code View::verifyPath}
 * reports it: 400 {@code OCA\DAV\Connector\Sabre\Exception\InvalidPath} for an empty, '.' or
 * '..' name once trimmed, one longer than 250 bytes, {@code .htaccess}, one ending in {@code .part}
 * or {@code .filepart}, or one holding a control character or a backslash.
 *
 * <p>Where Nextcloud falls back to version 1 (no {@code Destination} header), this server is as
 * strict as version 2 is documented: requests without it are refused with 400. Chunks other than
 * the last must have at least 5 MiB, as on S3-backed Nextcloud servers (local storage takes
 * smaller ones). Error bodies are Sabre's XML with {@code s:exception} and {@code s:message}.
 *
 * <p>Started with a webroot ({@link #start(Path, String)}), it serves all of this below that path,
 * as a Nextcloud installed under a sub-path does, hrefs included; a request outside it gets the web
 * server's plain 404 and a {@code Destination} outside it Sabre's 403, so a client that leaves the
 * webroot out of any URL fails.
 *
 * <p>Deployments it can play besides: object storage that keeps no checksum for an assembled upload
 * ({@link #withoutChecksumStorage()}), a server that records assembled files with 0 bytes ({@link
 * #recordingZeroSizeAfterAssembly()}), an assembly behind a proxy with a short timeout ({@link
 * #assemblingSlowly}, {@link #assemblyDying}), a login that is not the user id ({@link #setLogin}),
 * which a PROPFIND of {@code /remote.php/dav/} names by its {@code d:current-user-principal}.
 *
 * <p>Tests read what was stored straight from {@link #userFiles()}, and what was sent from {@link
 * #requests()}, {@link #chunkBytesReceived()} and {@link #putBytesReceived()}.
 */
public final class NextcloudChunkingServer implements AutoCloseable {

  public static final String USER = "anna";
  public static final String PASSWORD = "nc-test-secret-4711";

  /** All chunks but the last must be this large. */
  public static final long MIN_CHUNK_SIZE = 5L * 1024 * 1024;

  /** Who Basic authentication must name: the user id, unless a test sets another login. */
  private volatile String login = USER;
  private static final int MAX_CHUNK_NUMBER = 10_000;
  private static final String DAV_NS = "DAV:";

  /** One request as the server saw it; {@code path} is decoded. */
  public record Request(String method, String path, int status, long bodyBytes) {}

  private final HttpServer http;
  private final ExecutorService threads;
  /** Decoded segments of the path Nextcloud is installed under; none for the server's root. */
  private final List<String> webroot;
  private final Path files;
  private final Path uploads;
  private final Path scratch;
  private final Map<Path, String> checksums = new ConcurrentHashMap<>();
  private final Map<Path, String> uploadDestinations = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong chunkBytes = new AtomicLong();
  private final AtomicLong fileBytes = new AtomicLong();
  private final AtomicBoolean loseNextChunk = new AtomicBoolean();
  private volatile long quota = Long.MAX_VALUE;
  private volatile boolean chunkingAvailable = true;
  private volatile boolean checksumStorage = true;
  private volatile boolean chunkingV1;
  private volatile boolean zeroSizeAfterAssembly;
  /** Files whose size the server records as 0 (nextcloud/server#64029), by local path. */
  private final Set<Path> recordedEmpty = ConcurrentHashMap.newKeySet();
  /** How the assembling MOVE answers while it goes on in the background; empty: it waits for it. */
  private volatile Optional<SlowAssembly> slowAssembly = Optional.empty();
  /** Upload folders being assembled in the background. */
  private final Set<Path> assembling = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService assembler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "nextcloud-test-assembly");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * An assembly behind a proxy with a short timeout: the MOVE of {@code .file} is answered {@code
   * status} at once while the server assembles for {@code duration}; never finished when {@code
   * duration} is empty, as when PHP dies behind the proxy.
   */
  private record SlowAssembly(int status, Optional<Duration> duration) {}

  private NextcloudChunkingServer(Path dir, List<String> webroot) throws IOException {
    this.webroot = webroot;
    files = Files.createDirectories(dir.resolve("files").resolve(USER));
    uploads = Files.createDirectories(dir.resolve("uploads").resolve(USER));
    scratch = Files.createDirectories(dir.resolve("scratch"));
    http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    threads =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "nextcloud-test-server");
              thread.setDaemon(true);
              return thread;
            });
    http.setExecutor(threads);
    http.createContext("/", this::handle);
    http.start();
  }

  /** Starts a server storing under {@code dir}, on a free port of 127.0.0.1. */
  public static NextcloudChunkingServer start(Path dir) throws IOException {
    return new NextcloudChunkingServer(dir, List.of());
  }

  /**
   * Starts a server whose Nextcloud is installed under {@code webroot}, e.g. {@code /my cloud}
   * (not percent-encoded): its WebDAV is at {@code /my%20cloud/remote.php/dav/}.
   */
  public static NextcloudChunkingServer start(Path dir, String webroot) throws IOException {
    if (!webroot.startsWith("/")) {
      throw new IllegalArgumentException("a webroot starts with '/': " + webroot);
    }
    List<String> segments = new ArrayList<>();
    for (String segment : webroot.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return new NextcloudChunkingServer(dir, List.copyOf(segments));
  }

  public int port() {
    return http.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI origin() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** The user's files as stored: {@code /remote.php/dav/files/<user>/a/b} is {@code a/b} here. */
  public Path userFiles() {
    return files;
  }

  /** The user's chunked upload folders, one directory per upload in progress. */
  public Path userUploads() {
    return uploads;
  }

  /** The {@code Destination} of each chunked upload folder the server holds. */
  public List<String> uploadDestinations() {
    return uploadDestinations.entrySet().stream()
        .filter(entry -> Files.isDirectory(entry.getKey()))
        .map(Map.Entry::getValue)
        .sorted()
        .toList();
  }

  /** The checksum stored for a file below {@link #userFiles()}, as a client sent it. */
  public Optional<String> checksumOf(String relativePath) {
    return Optional.ofNullable(checksums.get(files.resolve(relativePath).normalize()));
  }

  /**
   * Stores {@code content} under {@code relativePath} below {@link #userFiles()}, as another
   * client's upload without a checksum would: Nextcloud keeps no checksum for it.
   */
  public synchronized void replaceFile(String relativePath, byte[] content) throws IOException {
    Path path = files.resolve(relativePath).normalize();
    Files.write(path, content);
    checksums.remove(path);
    recordedEmpty.remove(path);
  }

  /** Deletes the file {@code relativePath} below {@link #userFiles()}, with its checksum. */
  public synchronized void deleteFile(String relativePath) throws IOException {
    Path path = files.resolve(relativePath).normalize();
    Files.delete(path);
    checksums.remove(path);
    recordedEmpty.remove(path);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Body bytes of chunk PUTs the server accepted. */
  public long chunkBytesReceived() {
    return chunkBytes.get();
  }

  /** Body bytes of PUTs to files (not chunks) the server accepted. */
  public long fileBytesReceived() {
    return fileBytes.get();
  }

  /** Answers the next chunk PUT with 201 but stores nothing, like a server losing data. */
  public void loseNextChunk() {
    loseNextChunk.set(true);
  }

  /**
   * Authenticates {@code login} instead of the user id, as an e-mail login, LDAP or SSO account
   * does; the paths keep the user id ({@link #USER}).
   */
  public void setLogin(String login) {
    this.login = login;
  }

  /** Bytes the user may store in files; more is refused with 507. */
  public void setQuota(long bytes) {
    quota = bytes;
  }

  /** Forgets the requests and byte counts so far. */
  public void resetCounters() {
    requests.clear();
    chunkBytes.set(0);
    fileBytes.set(0);
  }

  /**
   * Whether {@code /remote.php/dav/uploads/} exists; without it the server is a plain WebDAV
   * server with Nextcloud's paths.
   */
  public void setChunkingAvailable(boolean available) {
    chunkingAvailable = available;
  }

  /**
   * Speaks chunking version 1 only, as Nextcloud before 26 does: the {@code Destination} header of
   * MKCOL and chunk PUTs is ignored, chunks may have any name and any size, and the MOVE of {@code
   * .file} joins them in the order of their names as text ("10" before "2"), so a client that
   * leaves its chunk numbers unpadded gets a scrambled file.
   */
  public void chunkingV1() {
    chunkingV1 = true;
  }

  /**
   * Stores no {@code OC-Checksum} on the assembling MOVE, as Nextcloud on object storage with a
   * distributed cache does: a file larger than one chunk then has no {@code oc:checksums}.
   */
  public void withoutChecksumStorage() {
    checksumStorage = false;
  }

  /**
   * Records every assembled file with 0 bytes in PROPFIND, wherever it is moved, while GET serves
   * its bytes, as servers hit by nextcloud/server#64029 and #59715 do.
   */
  public void recordingZeroSizeAfterAssembly() {
    zeroSizeAfterAssembly = true;
  }

  /**
   * Answers the assembling MOVE with {@code status} (423 as Nextcloud's lock, 504 as a proxy's
   * timeout) at once, assembles in the background for {@code duration}, and answers 423 to another
   * MOVE of the same upload meanwhile.
   */
  public void assemblingSlowly(int status, Duration duration) {
    slowAssembly = Optional.of(new SlowAssembly(status, Optional.of(duration)));
  }

  /** As {@link #assemblingSlowly}, but the assembly never finishes: the chunks stay. */
  public void assemblyDying(int status) {
    slowAssembly = Optional.of(new SlowAssembly(status, Optional.empty()));
  }

  /** Assembles in the request again, answering the MOVE once done. */
  public void assemblingInTheRequest() {
    slowAssembly = Optional.empty();
  }

  /** Body bytes of every PUT the server accepted, chunks and whole files. */
  public long putBytesReceived() {
    return chunkBytes.get() + fileBytes.get();
  }

  /** Removes every upload folder, as Nextcloud's expiry after 24 hours would. */
  public void expireUploads() throws IOException {
    synchronized (this) {
      for (Path folder : sortedChildren(uploads)) {
        deleteTree(folder);
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
    assembler.shutdownNow();
    threads.shutdownNow();
  }

  // ---- dispatch ----

  private record Answer(int status, Map<String, String> headers, byte[] body) {
    static Answer of(int status) {
      return new Answer(status, Map.of(), new byte[0]);
    }

    static Answer xml(int status, String xml) {
      return new Answer(
          status, Map.of("Content-Type", "application/xml; charset=utf-8"), xml.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A request's path below {@code /remote.php/dav/}: its space, user and decoded segments. */
  private record DavTarget(String space, String user, List<String> segments) {}

  private static final class Refusal extends Exception {
    final Answer answer;

    Refusal(Answer answer) {
      super(null, null, false, false);
      this.answer = answer;
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String rawPath = exchange.getRequestURI().getRawPath();
    long[] bodyBytes = {0};
    Answer answer;
    try {
      if (!insideWebroot(rawPath)) {
        // The web server's own answer: the request never reaches Nextcloud.
        drain(exchange.getRequestBody());
        answer = new Answer(404, Map.of("Content-Type", "text/plain; charset=utf-8"), "Not Found".getBytes(StandardCharsets.UTF_8));
      } else if (!authorized(exchange)) {
        drain(exchange.getRequestBody());
        answer =
            withHeader(
                error(401, "NotAuthenticated", "No public access to this resource., Username or password was incorrect"),
                "WWW-Authenticate",
                "Basic realm=\"Nextcloud\", charset=\"UTF-8\"");
      } else if (method.equals("PROPFIND") && davRoot(rawPath)) {
        drain(exchange.getRequestBody());
        answer = principal();
      } else {
        DavTarget target = parse(rawPath);
        answer = dispatch(method, target, exchange, bodyBytes);
      }
    } catch (Refusal refusal) {
      try {
        drain(exchange.getRequestBody());
      } catch (IOException alreadyRead) {
        // A refusal after the body was read (a bad Destination on MOVE) finds the stream closed.
      }
      answer = refusal.answer;
    } catch (IOException e) {
      answer = error(500, "ServiceUnavailable", "test server failed: " + e.getMessage());
    }
    requests.add(new Request(method, decodedForLog(rawPath), answer.status(), bodyBytes[0]));
    try (exchange) {
      answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      if (answer.body().length == 0) {
        exchange.sendResponseHeaders(answer.status(), -1);
      } else {
        exchange.sendResponseHeaders(answer.status(), answer.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer.body());
        }
      }
    }
  }

  private Answer dispatch(String method, DavTarget target, HttpExchange exchange, long[] bodyBytes)
      throws IOException, Refusal {
    boolean upload = target.space().equals("uploads");
    switch (method) {
      case "PROPFIND":
        drain(exchange.getRequestBody());
        synchronized (this) {
          // An assembly in the background must not delete chunks while they are listed.
          return propfind(target, exchange.getRequestHeaders().getFirst("Depth"));
        }
      case "MKCOL":
        drain(exchange.getRequestBody());
        return upload ? mkcolUpload(target, exchange) : mkcolFolder(target);
      case "PUT":
        return upload ? putChunk(target, exchange, bodyBytes) : putFile(target, exchange, bodyBytes);
      case "GET":
        drain(exchange.getRequestBody());
        return upload
            ? error(405, "MethodNotAllowed", "Reading intermediate uploads is not allowed")
            : get(target);
      case "MOVE":
        drain(exchange.getRequestBody());
        return move(target, exchange);
      case "DELETE":
        drain(exchange.getRequestBody());
        return delete(target);
      default:
        drain(exchange.getRequestBody());
        return error(501, "NotImplemented", "There was no plugin in the system that was willing to handle this " + method + " method.");
    }
  }

  // ---- WebDAV ----

  private boolean davRoot(String rawPath) throws Refusal {
    List<String> all = segments(rawPath);
    return all.subList(webroot.size(), all.size()).equals(List.of("remote.php", "dav"));
  }

  /** Sabre's answer to a PROPFIND of the DAV root: the principal of whoever logged in. */
  private Answer principal() {
    StringBuilder root = new StringBuilder();
    for (String segment : webroot) {
      root.append('/').append(encode(segment));
    }
    root.append("/remote.php/dav/");
    return Answer.xml(
        207,
        "<?xml version=\"1.0\"?>\n<d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">"
            + "<d:response><d:href>" + root + "</d:href><d:propstat><d:prop><d:current-user-principal><d:href>"
            + root + "principals/users/" + encode(USER) + "/</d:href></d:current-user-principal></d:prop>"
            + "<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>");
  }

  private Answer propfind(DavTarget target, String depthHeader) throws IOException, Refusal {
    Path path = local(target);
    if (!Files.exists(path)) {
      return notFound(target);
    }
    boolean depthOne = depthHeader == null || !depthHeader.trim().equals("0");
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\"?>\n<d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\""
                + " xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\">");
    String href = href(target.space(), target.segments());
    boolean uploadFolder = target.space().equals("uploads") && target.segments().size() == 1;
    if (uploadFolder) {
      xml.append(response(href + "/", true, -1, Optional.empty()));
    } else {
      appendResource(xml, href, path);
    }
    if (depthOne && Files.isDirectory(path)) {
      String base = href.endsWith("/") ? href : href + "/";
      if (uploadFolder) {
        // Nextcloud's UploadFolder lists the future file first; its size is the chunks' sum.
        List<Path> chunks = chunksOf(path);
        long sum = 0;
        for (Path chunk : chunks) {
          sum += Files.size(chunk);
        }
        xml.append(response(base + ".file", false, sum, Optional.empty()));
      }
      for (Path child : sortedChildren(path)) {
        appendResource(xml, base + encode(child.getFileName().toString()), child);
      }
    }
    xml.append("</d:multistatus>");
    return Answer.xml(207, xml.toString());
  }

  private void appendResource(StringBuilder xml, String href, Path path) throws IOException {
    boolean collection = Files.isDirectory(path);
    xml.append(
        response(
            collection && !href.endsWith("/") ? href + "/" : href,
            collection,
            collection ? -1 : recordedEmpty.contains(path.normalize()) ? 0 : Files.size(path),
            collection ? Optional.empty() : Optional.ofNullable(checksums.get(path.normalize()))));
  }

  private static String response(String href, boolean collection, long length, Optional<String> checksum) {
    StringBuilder found = new StringBuilder();
    StringBuilder missing = new StringBuilder();
    found.append(collection ? "<d:resourcetype><d:collection/></d:resourcetype>" : "<d:resourcetype/>");
    if (collection) {
      missing.append("<d:getcontentlength/>");
    } else {
      found.append("<d:getcontentlength>").append(length).append("</d:getcontentlength>");
    }
    if (checksum.isPresent()) {
      found.append("<oc:checksums>");
      for (String each : checksum.get().split("[ ,]+")) {
        found.append("<oc:checksum>").append(escape(each)).append("</oc:checksum>");
      }
      found.append("</oc:checksums>");
    } else {
      missing.append("<oc:checksums/>");
    }
    StringBuilder xml = new StringBuilder("<d:response><d:href>").append(escape(href)).append("</d:href>");
    xml.append("<d:propstat><d:prop>").append(found).append("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
    if (missing.length() > 0) {
      xml.append("<d:propstat><d:prop>").append(missing)
          .append("</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>");
    }
    return xml.append("</d:response>").toString();
  }

  private Answer mkcolFolder(DavTarget target) throws Refusal {
    Path path = local(target);
    Optional<Answer> invalid = invalidName(target);
    if (invalid.isPresent()) {
      return invalid.get();
    }
    synchronized (this) {
      if (Files.exists(path)) {
        return error(405, "MethodNotAllowed", "The resource you tried to create already exists");
      }
      if (!Files.isDirectory(path.getParent())) {
        return error(409, "Conflict", "Parent node does not exist");
      }
      try {
        Files.createDirectory(path);
      } catch (IOException e) {
        return error(500, "ServiceUnavailable", e.getMessage());
      }
    }
    return Answer.of(201);
  }

  private Answer putFile(DavTarget target, HttpExchange exchange, long[] bodyBytes) throws IOException, Refusal {
    Path path = local(target);
    if (target.segments().isEmpty()) {
      throw new Refusal(error(403, "Forbidden", "cannot overwrite the home folder"));
    }
    Optional<Answer> invalid = invalidName(target);
    if (invalid.isPresent()) {
      throw new Refusal(invalid.get());
    }
    Path written = receive(exchange, bodyBytes);
    try {
      synchronized (this) {
        boolean exists = Files.exists(path);
        if (exists && Files.isDirectory(path)) {
          return error(409, "Conflict", "PUT is not allowed on non-files.");
        }
        if (!Files.isDirectory(path.getParent())) {
          return error(409, "Conflict", "Files cannot be created in non-existent collections");
        }
        if (exists && "*".equals(trimmed(exchange, "If-None-Match"))) {
          return error(412, "PreconditionFailed", "An If-None-Match header was specified, but the ETag matched (or * was specified).");
        }
        long size = Files.size(written);
        if (used() - (exists ? Files.size(path) : 0) + size > quota) {
          return error(507, "InsufficientStorage", "Insufficient space in " + decodedPath(target));
        }
        Files.move(written, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        storeChecksum(path, exchange);
        recordedEmpty.remove(path.normalize());
        fileBytes.addAndGet(size);
        return withHeader(Answer.of(exists ? 204 : 201), "OC-ETag", "\"" + Long.toHexString(System.nanoTime()) + "\"");
      }
    } finally {
      Files.deleteIfExists(written);
    }
  }

  private Answer get(DavTarget target) throws IOException, Refusal {
    Path path = local(target);
    if (!Files.isRegularFile(path)) {
      return Files.isDirectory(path)
          ? error(405, "MethodNotAllowed", "GET is not allowed on folders")
          : notFound(target);
    }
    Answer answer = new Answer(200, Map.of("Content-Type", "application/octet-stream"), Files.readAllBytes(path));
    return checksums.containsKey(path.normalize())
        ? withHeader(answer, "OC-Checksum", checksums.get(path.normalize()))
        : answer;
  }

  private Answer delete(DavTarget target) throws IOException, Refusal {
    Path path = local(target);
    if (target.segments().isEmpty()) {
      return error(403, "Forbidden", "cannot delete the home folder");
    }
    synchronized (this) {
      if (!Files.exists(path)) {
        return notFound(target);
      }
      deleteTree(path);
    }
    return Answer.of(204);
  }

  private Answer move(DavTarget source, HttpExchange exchange) throws IOException, Refusal {
    String destinationHeader = trimmed(exchange, "Destination");
    if (destinationHeader == null) {
      return error(400, "BadRequest", "The destination header was not supplied");
    }
    DavTarget destination = destination(destinationHeader);
    if (!destination.space().equals("files") || destination.segments().isEmpty()) {
      return error(403, "Forbidden", "Requested uri (" + destinationHeader + ") is out of base uri");
    }
    Optional<Answer> invalid = invalidName(destination);
    if (invalid.isPresent()) {
      return invalid.get();
    }
    boolean overwrite = !"F".equalsIgnoreCase(trimmed(exchange, "Overwrite"));
    Path to = local(destination);
    boolean futureFile =
        source.space().equals("uploads")
            && source.segments().size() == 2
            && source.segments().get(1).equals(".file");
    synchronized (this) {
      Path from = futureFile ? uploads.resolve(source.segments().get(0)) : local(source);
      if (source.space().equals("uploads") && !futureFile) {
        return error(403, "Forbidden", "only .file of an upload can be moved");
      }
      if (!Files.exists(from)) {
        return notFound(source);
      }
      if (!Files.isDirectory(to.getParent())) {
        return error(409, "Conflict", "The destination node is not found");
      }
      boolean exists = Files.exists(to);
      if (exists && !overwrite) {
        return error(412, "PreconditionFailed", "The destination node already exists, and the overwrite header is set to false");
      }
      if (futureFile && assembling.contains(from)) {
        return error(423, "Locked", "\"" + destination.segments().get(destination.segments().size() - 1) + "\" is locked");
      }
      if (futureFile && slowAssembly.isPresent()) {
        SlowAssembly slow = slowAssembly.get();
        if (slow.duration().isPresent()) {
          // A dying assembly holds no lock: the next MOVE assembles again.
          assembling.add(from);
        }
        String totalLength = trimmed(exchange, "OC-Total-Length");
        String checksum = trimmed(exchange, "OC-Checksum");
        slow.duration()
            .ifPresent(
                duration ->
                    assembler.schedule(
                        () -> assembleInBackground(from, to, totalLength, checksum),
                        duration.toMillis(),
                        TimeUnit.MILLISECONDS));
        return slow.status() == 423
            ? error(423, "Locked", "\"" + to.getFileName() + "\" is locked")
            : new Answer(504, Map.of("Content-Type", "text/html"), "<html><body><h1>504 Gateway Time-out</h1></body></html>".getBytes(StandardCharsets.UTF_8));
      }
      if (futureFile) {
        return assemble(from, to, Files.exists(to), trimmed(exchange, "OC-Total-Length"), trimmed(exchange, "OC-Checksum"));
      }
      if (exists) {
        deleteTree(to);
      }
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      moveChecksums(from, to);
      moveRecordedEmpty(from, to);
      return Answer.of(exists ? 204 : 201);
    }
  }

  // ---- chunked upload v2 ----

  private Answer mkcolUpload(DavTarget target, HttpExchange exchange) throws IOException, Refusal {
    if (target.segments().size() != 1) {
      return error(405, "MethodNotAllowed", "an upload folder holds chunks only");
    }
    String destinationHeader = trimmed(exchange, "Destination");
    if (destinationHeader == null && !chunkingV1) {
      return error(400, "BadRequest", "chunked upload v2 needs the Destination header");
    }
    // Version 1 does not look at it; it is kept all the same, for the tests' view of the uploads.
    if (destinationHeader != null && !chunkingV1) {
      DavTarget destination = destination(destinationHeader);
      if (!destination.space().equals("files") || destination.segments().isEmpty()) {
        return error(403, "Forbidden", "Requested uri (" + destinationHeader + ") is out of base uri");
      }
    }
    Path folder = uploads.resolve(target.segments().get(0));
    synchronized (this) {
      if (Files.exists(folder)) {
        return error(405, "MethodNotAllowed", "The resource you tried to create already exists");
      }
      Files.createDirectory(folder);
      uploadDestinations.put(folder, destinationHeader == null ? folder.getFileName().toString() : destinationHeader);
    }
    return Answer.of(201);
  }

  private Answer putChunk(DavTarget target, HttpExchange exchange, long[] bodyBytes) throws IOException, Refusal {
    if (target.segments().size() != 2) {
      throw new Refusal(error(403, "Forbidden", "chunks go into an upload folder"));
    }
    Path folder = uploads.resolve(target.segments().get(0));
    if (!Files.isDirectory(folder)) {
      throw new Refusal(error(409, "Conflict", "Files cannot be created in non-existent collections"));
    }
    if (trimmed(exchange, "Destination") == null && !chunkingV1) {
      throw new Refusal(error(400, "BadRequest", "chunked upload v2 needs the Destination header"));
    }
    String name = target.segments().get(1);
    int number = name.matches("\\d{1,9}") ? Integer.parseInt(name) : -1;
    if (!chunkingV1 && (number < 1 || number > MAX_CHUNK_NUMBER)) {
      throw new Refusal(error(400, "BadRequest", "Invalid chunk name, must be numeric between 1 and 10000"));
    }
    String totalLength = trimmed(exchange, "OC-Total-Length");
    if (totalLength != null && totalLength.matches("\\d{1,18}") && used() + Long.parseLong(totalLength) > quota) {
      throw new Refusal(error(507, "InsufficientStorage", "Insufficient space in " + uploadDestinations.get(folder)));
    }
    Path written = receive(exchange, bodyBytes);
    try {
      if (loseNextChunk.getAndSet(false)) {
        return Answer.of(201);
      }
      synchronized (this) {
        if (!Files.isDirectory(folder)) {
          return error(409, "Conflict", "Files cannot be created in non-existent collections");
        }
        long size = Files.size(written);
        Files.move(written, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        chunkBytes.addAndGet(size);
      }
      return Answer.of(201);
    } finally {
      Files.deleteIfExists(written);
    }
  }

  private void assembleInBackground(Path folder, Path to, String totalLength, String checksum) {
    synchronized (this) {
      try {
        assemble(folder, to, Files.exists(to), totalLength, checksum);
      } catch (IOException e) {
        // The MOVE was answered long ago; as on a real server, a failed assembly leaves the chunks.
      } finally {
        assembling.remove(folder);
        notifyAll();
      }
    }
  }

  /**
   * Waits until no assembly runs in the background any more; false when one still does after
   * {@code timeout}.
   */
  public synchronized boolean awaitBackgroundAssemblies(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!assembling.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** The MOVE of {@code .file}: the chunks in the order of their numbers (names in v1), onto {@code to}. */
  private Answer assemble(Path folder, Path to, boolean exists, String expected, String checksum) throws IOException {
    if (exists && Files.isDirectory(to)) {
      return error(400, "BadRequest", "The given destination " + to.getFileName() + " is a directory.");
    }
    List<Path> chunks = chunksOf(folder);
    long total = 0;
    for (int i = 0; i < chunks.size(); i++) {
      long size = Files.size(chunks.get(i));
      if (!chunkingV1 && i < chunks.size() - 1 && size < MIN_CHUNK_SIZE) {
        return error(
            400, "BadRequest",
            "Chunk " + chunks.get(i).getFileName() + " has " + size + " bytes; all chunks but the last need at least "
                + MIN_CHUNK_SIZE);
      }
      total += size;
    }
    if (expected != null && !expected.equals(Long.toString(total))) {
      return error(400, "BadRequest", "Chunks on server do not sum up to " + expected + " but to " + total + " bytes");
    }
    if (used() - (exists ? Files.size(to) : 0) + total > quota) {
      return error(507, "InsufficientStorage", "Insufficient space in " + to.getFileName());
    }
    Path assembled = Files.createTempFile(scratch, "assembly-", ".part");
    try {
      try (OutputStream out = Files.newOutputStream(assembled)) {
        for (Path chunk : chunks) {
          Files.copy(chunk, out);
        }
      }
      Files.move(assembled, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(assembled);
    }
    storeChecksum(to, checksumStorage ? checksum : null);
    if (zeroSizeAfterAssembly) {
      recordedEmpty.add(to.normalize());
    } else {
      recordedEmpty.remove(to.normalize());
    }
    deleteTree(folder);
    return Answer.of(exists ? 204 : 201);
  }

  private List<Path> chunksOf(Path folder) throws IOException {
    List<Path> chunks = new ArrayList<>();
    try (DirectoryStream<Path> listing = Files.newDirectoryStream(folder)) {
      listing.forEach(chunks::add);
    }
    chunks.sort(
        chunkingV1
            ? Comparator.comparing(chunk -> chunk.getFileName().toString())
            : Comparator.comparingInt(chunk -> Integer.parseInt(chunk.getFileName().toString())));
    return chunks;
  }

  // ---- storage ----

  private Path receive(HttpExchange exchange, long[] bodyBytes) throws IOException, Refusal {
    Path written = Files.createTempFile(scratch, "put-", ".part");
    try (InputStream in = exchange.getRequestBody()) {
      bodyBytes[0] = Files.copy(in, written, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(written);
      throw e;
    }
    String declared = trimmed(exchange, "Content-Length");
    if (declared != null && !declared.equals(Long.toString(bodyBytes[0]))) {
      Files.deleteIfExists(written);
      throw new Refusal(
          error(400, "BadRequest", "Expected filesize of " + declared + " bytes but read " + bodyBytes[0] + " bytes"));
    }
    return written;
  }

  private void storeChecksum(Path path, HttpExchange exchange) {
    storeChecksum(path, trimmed(exchange, "OC-Checksum"));
  }

  private void storeChecksum(Path path, String checksum) {
    if (checksum == null || checksum.isEmpty()) {
      checksums.remove(path.normalize());
    } else {
      checksums.put(path.normalize(), checksum);
    }
  }

  private void moveChecksums(Path from, Path to) {
    for (Path key : List.copyOf(checksums.keySet())) {
      if (key.startsWith(from)) {
        checksums.put(to.resolve(from.relativize(key)), checksums.remove(key));
      }
    }
  }

  private void moveRecordedEmpty(Path from, Path to) {
    for (Path key : List.copyOf(recordedEmpty)) {
      if (key.startsWith(from) && recordedEmpty.remove(key)) {
        recordedEmpty.add(to.resolve(from.relativize(key)));
      }
    }
  }

  private void deleteTree(Path path) throws IOException {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(each);
        checksums.remove(each.normalize());
        recordedEmpty.remove(each.normalize());
        uploadDestinations.remove(each);
      }
    }
  }

  private long used() throws IOException {
    try (Stream<Path> walk = Files.walk(files)) {
      long sum = 0;
      for (Path each : walk.filter(Files::isRegularFile).toList()) {
        sum += Files.size(each);
      }
      return sum;
    }
  }

  private static List<Path> sortedChildren(Path dir) throws IOException {
    try (Stream<Path> listing = Files.list(dir)) {
      return listing.sorted().toList();
    }
  }

  // ---- paths ----

  /**
   * Nextcloud's refusal of the name {@code target} would create: FilenameValidator's checks in
   * their order, with View::verifyPath's messages.
   */
  private static Optional<Answer> invalidName(DavTarget target) {
    if (target.segments().isEmpty()) {
      return Optional.empty();
    }
    String name = target.segments().get(target.segments().size() - 1);
    String trimmed = name.replaceAll("^[ \\t\\n\\r\\x0B\\x00]+|[ \\t\\n\\r\\x0B\\x00]+$", "");
    String lower = name.toLowerCase(Locale.ROOT);
    if (trimmed.isEmpty()) {
      return Optional.of(invalidPath("Empty filename is not allowed"));
    }
    if (trimmed.equals(".") || trimmed.equals("..")) {
      return Optional.of(invalidPath("Dot files are not allowed"));
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 250) {
      return Optional.of(invalidPath("Filename is too long"));
    }
    if (lower.equals(".htaccess")) {
      return Optional.of(invalidPath("\"" + name + "\" is a forbidden file or folder name."));
    }
    for (String extension : List.of(".filepart", ".part")) {
      if (lower.endsWith(extension)) {
        return Optional.of(invalidPath("\"" + extension + "\" is a forbidden file type."));
      }
    }
    if (name.chars().anyMatch(c -> c < 32)) {
      return Optional.of(invalidPath("Filename contains at least one invalid character"));
    }
    if (name.contains("\\")) {
      return Optional.of(invalidPath("\"\\\" is not allowed inside a file or folder name."));
    }
    return Optional.empty();
  }

  private DavTarget parse(String rawPath) throws Refusal {
    // Callers checked the path is insideWebroot; what follows reads it below the webroot.
    List<String> all = segments(rawPath);
    List<String> segments = all.subList(webroot.size(), all.size());
    if (segments.size() < 4
        || !segments.get(0).equals("remote.php")
        || !segments.get(1).equals("dav")
        || !(segments.get(2).equals("files") || segments.get(2).equals("uploads"))) {
      throw new Refusal(error(404, "NotFound", "File with name " + rawPath + " could not be located"));
    }
    if (segments.get(2).equals("uploads") && !chunkingAvailable) {
      throw new Refusal(error(404, "NotFound", "File with name " + rawPath + " could not be located"));
    }
    if (!segments.get(3).equals(USER)) {
      throw new Refusal(error(404, "NotFound", "Principal with name " + segments.get(3) + " not found"));
    }
    for (String segment : segments) {
      if (segment.equals(".") || segment.equals("..") || segment.indexOf('/') >= 0 || segment.indexOf('\0') >= 0) {
        throw new Refusal(error(400, "BadRequest", "invalid path segment \"" + segment + "\""));
      }
    }
    return new DavTarget(segments.get(2), segments.get(3), List.copyOf(segments.subList(4, segments.size())));
  }

  private DavTarget destination(String header) throws Refusal {
    String rawPath;
    try {
      URI uri = new URI(header);
      rawPath = uri.getRawPath();
    } catch (URISyntaxException e) {
      throw new Refusal(error(400, "BadRequest", "The destination header is not a valid URI"));
    }
    if (rawPath == null) {
      throw new Refusal(error(400, "BadRequest", "The destination header is not a valid URI"));
    }
    if (!insideWebroot(rawPath)) {
      // Sabre's answer to a destination outside its base URI.
      throw new Refusal(error(403, "Forbidden", "Requested uri (" + rawPath + ") is out of base uri"));
    }
    return parse(rawPath);
  }

  private boolean insideWebroot(String rawPath) {
    try {
      List<String> segments = segments(rawPath);
      return segments.size() >= webroot.size() && segments.subList(0, webroot.size()).equals(webroot);
    } catch (Refusal malformed) {
      // Let parse() refuse it as Nextcloud would.
      return true;
    }
  }

  private static List<String> segments(String rawPath) throws Refusal {
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (!raw.isEmpty()) {
        segments.add(decode(raw));
      }
    }
    return segments;
  }

  private Path local(DavTarget target) {
    Path base = target.space().equals("files") ? files : uploads;
    Path path = base;
    for (String segment : target.segments()) {
      path = path.resolve(segment);
    }
    return path;
  }

  private String href(String space, List<String> segments) {
    StringBuilder href = new StringBuilder();
    for (String segment : webroot) {
      href.append('/').append(encode(segment));
    }
    href.append("/remote.php/dav/").append(space).append('/').append(USER);
    for (String segment : segments) {
      href.append('/').append(encode(segment));
    }
    return segments.isEmpty() ? href.append('/').toString() : href.toString();
  }

  private static String decodedPath(DavTarget target) {
    return "/" + String.join("/", target.segments());
  }

  private static String decodedForLog(String rawPath) {
    try {
      return new URI(rawPath).getPath();
    } catch (URISyntaxException e) {
      return rawPath;
    }
  }

  /** Percent-decoding of one path segment; unlike form decoding, '+' stays '+'. */
  private static String decode(String raw) throws Refusal {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new Refusal(error(400, "BadRequest", "malformed percent-encoding in \"" + raw + "\""));
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw new Refusal(error(400, "BadRequest", "malformed percent-encoding in \"" + raw + "\""));
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String encode(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  // ---- HTTP helpers ----

  private boolean authorized(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String expected =
        "Basic " + Base64.getEncoder().encodeToString((login + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    return expected.equals(header);
  }

  private static String trimmed(HttpExchange exchange, String header) {
    String value = exchange.getRequestHeaders().getFirst(header);
    return value == null ? null : value.trim();
  }

  private static void drain(InputStream in) throws IOException {
    try (in) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private Answer notFound(DavTarget target) {
    return error(404, "NotFound", "File with name " + decodedPath(target) + " could not be located");
  }

  /** Sabre's error body, as Nextcloud sends it. */
  private static Answer error(int status, String exception, String message) {
    return Answer.xml(
        status,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"" + DAV_NS
            + "\" xmlns:s=\"http://sabredav.org/ns\">\n  <s:exception>Sabre\\DAV\\Exception\\" + exception
            + "</s:exception>\n  <s:message>" + escape(message) + "</s:message>\n</d:error>\n");
  }

  /** Nextcloud's own exception for a name it refuses, serialized as its InvalidPath does. */
  private static Answer invalidPath(String message) {
    return Answer.xml(
        400,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error xmlns:d=\"" + DAV_NS
            + "\" xmlns:s=\"http://sabredav.org/ns\" xmlns:o=\"http://owncloud.org/ns\">\n"
            + "  <s:exception>OCA\\DAV\\Connector\\Sabre\\Exception\\InvalidPath</s:exception>\n"
            + "  <s:message>" + escape(message) + "</s:message>\n  <o:retry>false</o:retry>\n"
            + "  <o:reason>" + escape(message) + "</o:reason>\n</d:error>\n");
  }

  private static Answer withHeader(Answer answer, String name, String value) {
    Map<String, String> headers = new LinkedHashMap<>(answer.headers());
    headers.put(name, value);
    return new Answer(answer.status(), Map.copyOf(headers), answer.body());
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
