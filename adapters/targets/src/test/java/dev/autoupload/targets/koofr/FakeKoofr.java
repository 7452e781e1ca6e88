package dev.autoupload.targets.koofr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small stand-in for Koofr's REST API (v2) on 127.0.0.1, for tests: no real Koofr service is
 * reachable from here. It answers exactly the calls {@link KoofrApi} makes, with Koofr's JSON field
 * names and Koofr's semantics as Koofr's own fake server (github.com/koofr/vault,
 * {@code vault-fake-remote}: {@code handlers.rs}, {@code files/filesystem.rs}, {@code errors.rs})
 * implements them, and the v2 shapes of Koofr's Go client (go-koofrclient):
 *
 * <ul>
 *   <li>basic authentication with {@link #EMAIL} and {@link #APP_PASSWORD}, else a bare 401;
 *   <li>errors as {@code {"error":{"code","message"},"requestId"}}: 404 {@code NotFound} for a
 *       missing path or mount, 409 {@code AlreadyExists}/{@code Conflict} for a taken name, 400
 *       {@code BadRequest} for bad input;
 *   <li>{@code files/put} with Koofr's conflict rules: {@code autorename} unless {@code
 *       autorename=false} or an overwrite option, which stores a clash as {@code name (1).ext};
 *       {@code overwrite=true}; {@code overwriteIfSize}/{@code overwriteIfHash} (409 when they do
 *       not match, or when nothing is there unless {@code overwriteIgnoreNonexisting}); else 409
 *       "File already exists". The file appears only once the whole body arrived;
 *   <li>{@code content/…/files/get} answers a file's bytes;
 *   <li>{@code hash} is the hex MD5 of the content; names are case-insensitive as on Koofr.
 * </ul>
 *
 * <p>Storage is in memory per mount. Tests look behind the API with {@link #read}, {@link #files}
 * and {@link #store}, and count with {@link #requests()} and {@link #uploadedBytes()}.
 */
public final class FakeKoofr implements AutoCloseable {

  public static final String EMAIL = "anna@example.com";
  public static final String APP_PASSWORD = "app-pw-7Hq2xkLr9vTe";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FILES = Pattern.compile("/(content/)?api/v2/mounts/([^/]+)/files/([a-z]+)");

  private record Node(String name, boolean folder, byte[] content, String md5, long modified) {}

  private record Mount(String id, String name, boolean primary, Map<String, Node> nodes) {}

  private static final class KoofrError extends Exception {
    final int status;
    final String code;

    KoofrError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(FakeKoofr::daemon);
  private final Map<String, Mount> mounts = new LinkedHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong uploadedBytes = new AtomicLong();
  private final AtomicBoolean corruptNextUpload = new AtomicBoolean();
  private final AtomicReference<Runnable> onNextUpload = new AtomicReference<>();
  /** Mounts whose files carry no MD5 (connected Dropbox, Google Drive): by id, "omit" or "empty". */
  private final Map<String, String> hashless = new java.util.concurrent.ConcurrentHashMap<>();
  /** What a taken name answers: 409 as this fake first did, 400 as Koofr's API v2 does. */
  private volatile int existsStatus = 409;

  private FakeKoofr(HttpServer server) {
    this.server = server;
  }

  /** Starts on a free port of 127.0.0.1 with two mounts: "Koofr" (primary) and "Dropbox". */
  public static FakeKoofr start() throws IOException {
    // Without TCP_NODELAY each small answer waits for the client's delayed ACK (~40 ms a request).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    FakeKoofr fake = new FakeKoofr(server);
    fake.addMount("Koofr", true);
    fake.addMount("Dropbox", false);
    server.setExecutor(fake.threads);
    server.createContext("/", fake::handle);
    server.start();
    return fake;
  }

  /** {@code http://127.0.0.1:<port>}, the API endpoint. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Makes the mount's files come without a hash, as a connected Dropbox or Google Drive does:
   * {@code empty} sends {@code "hash": ""}, otherwise the field is left out.
   */
  public void withoutHashes(String mountName, boolean empty) {
    hashless.put(mountId(mountName), empty ? "empty" : "omit");
  }

  /** Answers a taken name with {@code status}: 400 as Koofr's API v2 does, or 409. */
  public void answerExistsWith(int status) {
    existsStatus = status;
  }

  /** Adds an empty mount and returns its id. */
  public synchronized String addMount(String name, boolean primary) {
    String id = UUID.randomUUID().toString();
    Map<String, Node> nodes = new HashMap<>();
    nodes.put("/", new Node("", true, null, null, System.currentTimeMillis()));
    mounts.put(id, new Mount(id, name, primary, nodes));
    return id;
  }

  /** The id of the (first) mount named {@code name}. */
  public synchronized String mountId(String name) {
    return mount(name).id();
  }

  /** The bytes of the file at {@code path} (absolute in the mount), if there is one. */
  public synchronized Optional<byte[]> read(String mountName, String path) {
    Node node = mount(mountName).nodes().get(key(path));
    return node == null || node.folder() ? Optional.empty() : Optional.of(node.content().clone());
  }

  /** Every file below {@code folder} (absolute), by its path relative to the folder as stored. */
  public synchronized Map<String, byte[]> files(String mountName, String folder) {
    Map<String, byte[]> found = new HashMap<>();
    String prefix = key(folder).equals("/") ? "/" : key(folder) + "/";
    int depth = segmentsOf(prefix.substring(0, Math.max(1, prefix.length() - 1))).size();
    for (Map.Entry<String, Node> entry : mount(mountName).nodes().entrySet()) {
      if (!entry.getValue().folder() && entry.getKey().startsWith(prefix)) {
        List<String> names = storedNames(mount(mountName), entry.getKey());
        found.put(String.join("/", names.subList(depth, names.size())), entry.getValue().content().clone());
      }
    }
    return found;
  }

  /** Puts a file at {@code path} behind the API's back, making its folders; replaces what is there. */
  public synchronized void store(String mountName, String path, byte[] content) {
    Mount mount = mount(mountName);
    List<String> segments = segmentsOf(path);
    StringBuilder walked = new StringBuilder();
    for (String segment : segments.subList(0, segments.size() - 1)) {
      walked.append('/').append(segment);
      mount.nodes().putIfAbsent(key(walked.toString()), new Node(segment, true, null, null, System.currentTimeMillis()));
    }
    mount.nodes().put(key(path), file(segments.get(segments.size() - 1), content));
  }

  /** Removes the file or folder at {@code path} behind the API's back. */
  public synchronized void delete(String mountName, String path) {
    String key = key(path);
    mount(mountName).nodes().keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "/"));
  }

  /**
   * Runs {@code action} when the next upload has arrived whole, just before it is stored: what
   * another client does meanwhile.
   */
  public void onNextUpload(Runnable action) {
    onNextUpload.set(action);
  }

  /** Makes the next upload store its bytes with the last one flipped: a server that lost data. */
  public void corruptNextUpload() {
    corruptNextUpload.set(true);
  }

  /** Every request so far as {@code METHOD /path?query}, in order of arrival. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** The content bytes of every {@code files/put} received, stored or refused. */
  public long uploadedBytes() {
    return uploadedBytes.get();
  }

  /** How many {@code files/put} requests arrived. */
  public long uploads() {
    return requests.stream().filter(r -> r.contains("/files/put?")).count();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String rawQuery = exchange.getRequestURI().getRawQuery();
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + (rawQuery == null ? "" : "?" + rawQuery));
      byte[] body;
      try {
        body = exchange.getRequestBody().readAllBytes();
      } catch (IOException e) {
        // The client went away mid-request: like Koofr, keep nothing of it.
        return;
      }
      if (!authorized(exchange)) {
        exchange.sendResponseHeaders(401, -1);
        return;
      }
      try {
        Object answer = route(exchange, query(rawQuery), body);
        byte[] bytes;
        if (answer instanceof byte[] content) {
          bytes = content;
          exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        } else {
          bytes = JSON.writeValueAsBytes(answer);
          exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      } catch (KoofrError e) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("code", e.code).put("message", e.getMessage());
        error.put("requestId", UUID.randomUUID().toString());
        byte[] json = JSON.writeValueAsBytes(error);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(e.status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(json);
        }
      }
    }
  }

  private boolean authorized(HttpExchange exchange) {
    String expected =
        "Basic " + Base64.getEncoder().encodeToString((EMAIL + ":" + APP_PASSWORD).getBytes(StandardCharsets.UTF_8));
    return expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }

  /** The JSON answer, or a file's bytes for files/get. */
  private Object route(HttpExchange exchange, Map<String, String> query, byte[] body) throws KoofrError {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/api/v2/mounts")) {
      requireMethod(method, "GET");
      return mountsJson();
    }
    Matcher files = FILES.matcher(path);
    if (!files.matches()) {
      throw new KoofrError(404, "NotFound", "Not found");
    }
    boolean content = files.group(1) != null;
    String call = files.group(3);
    synchronized (this) {
      Mount mount = mounts.get(files.group(2));
      if (mount == null) {
        throw new KoofrError(404, "NotFound", "Mount not found");
      }
      if (content && call.equals("put")) {
        requireMethod(method, "POST");
        return put(mount, query, exchange.getRequestHeaders().getFirst("Content-Type"), body);
      }
      if (content && call.equals("get")) {
        requireMethod(method, "GET");
        Node file = existing(mount, required(query, "path"));
        if (file.folder()) {
          throw new KoofrError(400, "BadRequest", "Not a file");
        }
        return file.content().clone();
      }
      if (content) {
        throw new KoofrError(404, "NotFound", "Not found");
      }
      return switch (call) {
        case "info" -> {
          requireMethod(method, "GET");
          yield fileJson(mount, existing(mount, required(query, "path")));
        }
        case "folder" -> {
          requireMethod(method, "POST");
          yield createFolder(mount, required(query, "path"), body);
        }
        case "move" -> {
          requireMethod(method, "PUT");
          yield move(mount, required(query, "path"), body);
        }
        case "remove" -> {
          requireMethod(method, "DELETE");
          yield remove(mount, required(query, "path"));
        }
        default -> throw new KoofrError(404, "NotFound", "Not found");
      };
    }
  }

  private JsonNode mountsJson() {
    ObjectNode answer = JSON.createObjectNode();
    var list = answer.putArray("mounts");
    synchronized (this) {
      for (Mount mount : mounts.values()) {
        long used = mount.nodes().values().stream().filter(n -> !n.folder()).mapToLong(n -> n.content().length).sum();
        list.addObject()
            .put("id", mount.id())
            .put("name", mount.name())
            .put("type", "device")
            .put("origin", mount.primary() ? "hosted" : "dropbox")
            .put("online", true)
            .put("isPrimary", mount.primary())
            .put("isShared", false)
            .put("spaceTotal", 10240)
            .put("spaceUsed", used / (1024 * 1024));
      }
    }
    return answer;
  }

  private JsonNode put(Mount mount, Map<String, String> query, String contentType, byte[] body) throws KoofrError {
    String folder = normalised(required(query, "path"));
    String name = validName(required(query, "filename"));
    if (!"true".equals(query.get("info"))) {
      throw new KoofrError(400, "BadRequest", "Info must be true");
    }
    byte[] content = multipartFile(contentType, body);
    uploadedBytes.addAndGet(content.length);
    Runnable meanwhile = onNextUpload.getAndSet(null);
    if (meanwhile != null) {
      meanwhile.run();
    }
    if (corruptNextUpload.getAndSet(false) && content.length > 0) {
      content = content.clone();
      content[content.length - 1] ^= 1;
    }
    Optional<Long> ifSize = Optional.ofNullable(query.get("overwriteIfSize")).map(Long::parseLong);
    Optional<String> ifHash = Optional.ofNullable(query.get("overwriteIfHash"));
    boolean ignoreNonexisting =
        "".equals(query.get("overwriteIgnoreNonexisting")) || "".equals(query.get("overwriteIgnoreNonexistent"));
    boolean overwrite = "true".equals(query.get("overwrite")) || ifSize.isPresent() || ifHash.isPresent() || ignoreNonexisting;
    boolean autorename = !"false".equals(query.get("autorename")) && !overwrite;

    Node parent = existing(mount, folder);
    if (!parent.folder()) {
      throw new KoofrError(400, "NotDir", "Directory expected");
    }
    Node current = mount.nodes().get(key(child(folder, name)));
    if (autorename) {
      name = unusedName(mount, folder, name);
    } else if (overwrite && current != null) {
      if (ifSize.isPresent() && ifSize.get() != current.content().length) {
        throw new KoofrError(409, "Conflict", "Overwrite if size does not match");
      }
      if (ifHash.isPresent() && !ifHash.get().equals(current.md5())) {
        throw new KoofrError(409, "Conflict", "Overwrite if hash does not match");
      }
      if (current.folder()) {
        throw new KoofrError(400, "NotFile", "Not a file");
      }
    } else if (overwrite) {
      if ((ifSize.isPresent() || ifHash.isPresent()) && !ignoreNonexisting) {
        throw new KoofrError(409, "Conflict", "Overwrite file not found");
      }
    } else if (current != null) {
      throw new KoofrError(existsStatus, "Conflict", "File already exists");
    }
    Node stored = file(name, content);
    mount.nodes().put(key(child(folder, name)), stored);
    return fileJson(mount, stored);
  }

  private JsonNode createFolder(Mount mount, String rawParent, byte[] body) throws KoofrError {
    String parentPath = normalised(rawParent);
    String name = validName(jsonField(body, "name"));
    Node parent = existing(mount, parentPath);
    if (!parent.folder()) {
      throw new KoofrError(400, "NotDir", "Directory expected");
    }
    if (mount.nodes().containsKey(key(child(parentPath, name)))) {
      throw new KoofrError(existsStatus, "AlreadyExists", "File already exists");
    }
    mount.nodes().put(key(child(parentPath, name)), new Node(name, true, null, null, System.currentTimeMillis()));
    return JSON.createObjectNode();
  }

  private JsonNode move(Mount mount, String rawFrom, byte[] body) throws KoofrError {
    String from = normalised(rawFrom);
    if (!mount.id().equals(jsonField(body, "toMountId"))) {
      throw new KoofrError(400, "BadRequest", "Mount id and to mount id must be the same");
    }
    String to = normalised(jsonField(body, "toPath"));
    if (from.equals("/") || key(to).equals(key(from)) || key(to).startsWith(key(from) + "/")) {
      throw new KoofrError(400, "MoveIntoSelf", "Cannot move into itself");
    }
    if (mount.nodes().containsKey(key(to))) {
      throw new KoofrError(existsStatus, "AlreadyExists", "File already exists");
    }
    Node source = existing(mount, from);
    existing(mount, parentOf(to));
    String toName = segmentsOf(to).get(segmentsOf(to).size() - 1);
    Map<String, Node> moved = new HashMap<>();
    for (var entry : mount.nodes().entrySet()) {
      if (entry.getKey().startsWith(key(from) + "/")) {
        moved.put(key(to) + entry.getKey().substring(key(from).length()), entry.getValue());
      }
    }
    mount.nodes().keySet().removeIf(k -> k.equals(key(from)) || k.startsWith(key(from) + "/"));
    mount.nodes().putAll(moved);
    mount.nodes().put(key(to), new Node(toName, source.folder(), source.content(), source.md5(), source.modified()));
    return JSON.createObjectNode().put("name", toName);
  }

  private JsonNode remove(Mount mount, String rawPath) throws KoofrError {
    String path = normalised(rawPath);
    if (path.equals("/")) {
      throw new KoofrError(400, "NotDir", "Directory expected");
    }
    existing(mount, path);
    mount.nodes().keySet().removeIf(k -> k.equals(key(path)) || k.startsWith(key(path) + "/"));
    return JSON.createObjectNode();
  }

  // ---- helpers ----

  private static Node existing(Mount mount, String path) throws KoofrError {
    Node node = mount.nodes().get(key(normalised(path)));
    if (node == null) {
      throw new KoofrError(404, "NotFound", "File not found");
    }
    return node;
  }

  private JsonNode fileJson(Mount mount, Node node) {
    ObjectNode json =
        JSON.createObjectNode()
            .put("name", node.name())
            .put("type", node.folder() ? "dir" : "file")
            .put("modified", node.modified())
            .put("size", node.folder() ? 0 : node.content().length)
            .put("contentType", node.folder() ? "" : "application/octet-stream");
    String style = hashless.get(mount.id());
    if (!node.folder() && style == null) {
      json.put("hash", node.md5());
    } else if (!node.folder() && style.equals("empty")) {
      json.put("hash", "");
    }
    json.putObject("tags");
    return json;
  }

  private static Node file(String name, byte[] content) {
    try {
      String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
      return new Node(name, false, content.clone(), md5, System.currentTimeMillis());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Koofr's autorename: {@code name (1).ext}, {@code name (2).ext}, … */
  private static String unusedName(Mount mount, String folder, String name) {
    if (!mount.nodes().containsKey(key(child(folder, name)))) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    for (int n = 1; ; n++) {
      String candidate = base + " (" + n + ")" + ext;
      if (!mount.nodes().containsKey(key(child(folder, candidate)))) {
        return candidate;
      }
    }
  }

  private static byte[] multipartFile(String contentType, byte[] body) throws KoofrError {
    Matcher boundary =
        Pattern.compile("multipart/form-data;\\s*boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
    if (!boundary.find()) {
      throw new KoofrError(400, "BadRequest", "Expected a multipart/form-data body");
    }
    byte[] delimiter = ("--" + boundary.group(1)).getBytes(StandardCharsets.ISO_8859_1);
    int start = indexOf(body, delimiter, 0);
    while (start >= 0) {
      int headersStart = start + delimiter.length + 2;
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        break;
      }
      String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1);
      byte[] closing = ("\r\n--" + boundary.group(1)).getBytes(StandardCharsets.ISO_8859_1);
      int end = indexOf(body, closing, headersEnd + 4);
      if (end < 0) {
        break;
      }
      if (headers.toLowerCase(Locale.ROOT).contains("name=\"file\"")) {
        return Arrays.copyOfRange(body, headersEnd + 4, end);
      }
      start = end + 2;
    }
    throw new KoofrError(400, "BadRequest", "Missing file part");
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String jsonField(byte[] body, String field) throws KoofrError {
    try {
      JsonNode value = JSON.readTree(body).path(field);
      if (!value.isTextual()) {
        throw new KoofrError(400, "BadRequest", "Missing " + field);
      }
      return value.asText();
    } catch (IOException e) {
      throw new KoofrError(400, "BadRequest", "Invalid JSON");
    }
  }

  private static void requireMethod(String method, String expected) throws KoofrError {
    if (!method.equals(expected)) {
      throw new KoofrError(405, "BadRequest", "Method not allowed");
    }
  }

  private static String required(Map<String, String> query, String name) throws KoofrError {
    String value = query.get(name);
    if (value == null) {
      throw new KoofrError(400, "BadRequest", "Missing " + name);
    }
    return value;
  }

  private static String validName(String name) throws KoofrError {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      throw new KoofrError(400, "BadRequest", "Invalid name");
    }
    return name;
  }

  /** An absolute path without a trailing slash; Koofr refuses relative or dotted paths. */
  private static String normalised(String path) throws KoofrError {
    if (!path.startsWith("/")) {
      throw new KoofrError(400, "InvalidPath", "Invalid path");
    }
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    for (String segment : segmentsOf(trimmed)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new KoofrError(400, "InvalidPath", "Invalid path");
      }
    }
    return trimmed;
  }

  private static List<String> segmentsOf(String path) {
    return path.equals("/") ? List.of() : List.of(path.substring(1).split("/", -1));
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash == 0 ? "/" : path.substring(0, slash);
  }

  private static String child(String folder, String name) {
    return folder.equals("/") ? "/" + name : folder + "/" + name;
  }

  /** Koofr compares names without regard to case. */
  private static String key(String path) {
    return path.toLowerCase(Locale.ROOT);
  }

  private static List<String> storedNames(Mount mount, String key) {
    List<String> names = new ArrayList<>();
    StringBuilder walked = new StringBuilder();
    for (String segment : segmentsOf(key)) {
      walked.append('/').append(segment);
      names.add(mount.nodes().get(walked.toString()).name());
    }
    return names;
  }

  private Mount mount(String name) {
    return mounts.values().stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no mount " + name));
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> values = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return values;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      values.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return values;
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "fake-koofr");
    thread.setDaemon(true);
    return thread;
  }
}
