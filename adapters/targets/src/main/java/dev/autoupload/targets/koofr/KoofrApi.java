package dev.autoupload.targets.koofr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.Spool;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.http.FileBody;
import dev.autoupload.targets.http.HttpClients;
import dev.autoupload.targets.http.HttpErrors;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The calls of Koofr's REST API (v2) this target makes, and nothing more. Each one is used the same
 * way by Koofr's Go client (github.com/koofr/go-koofrclient: {@code client_files.go} with {@code
 * FilesPutWithOptions}, field names in {@code api_scheme.go}) behind rclone's koofr backend
 * ({@code backend/koofr/koofr.go}); the API's published reference is served by Koofr and its
 * white-label services (e.g. storage.rcs-rds.ro/help/developers/api), and Koofr's own fake server
 * (github.com/koofr/vault, {@code vault-fake-remote}) shows the conflict rules and error shapes:
 *
 * <ul>
 *   <li>{@code GET /api/v2/mounts} → {@code {"mounts":[{"id","name","isPrimary",…}]}}
 *   <li>{@code GET /api/v2/mounts/{id}/files/info?path=} → {@code {"name","type":"file"|"dir",
 *       "size","modified","contentType","hash"}}, 404 when nothing is there; {@code hash} is the
 *       content's hex MD5 (rclone's backend declares MD5 as Koofr's only hash)
 *   <li>{@code POST /api/v2/mounts/{id}/files/folder?path=<parent>} with {@code {"name"}}
 *   <li>{@code POST /content/api/v2/mounts/{id}/files/put?path=<folder>&filename=<name>&info=true
 *       &overwrite=true&autorename=false}, a multipart/form-data body with the bytes in part
 *       {@code file} → the stored file's info. Without {@code autorename=false} Koofr stores a
 *       clash as {@code name (1).ext}; {@code overwrite=true} replaces what is there
 *   <li>{@code PUT /api/v2/mounts/{id}/files/move?path=} with {@code {"toMountId","toPath"}}; fails
 *       when something already sits at {@code toPath}
 *   <li>{@code DELETE /api/v2/mounts/{id}/files/remove?path=}
 * </ul>
 *
 * <p>Every request carries HTTP basic authentication with the account's e-mail and an app password
 * (Koofr → Preferences → Password → App passwords), as rclone sends it. Errors come as {@code
 * {"error":{"code","message"},"requestId"}}; their message is what {@link HttpErrors} quotes.
 */
final class KoofrApi {

  record Mount(String id, String name, boolean primary) {}

  /** What {@code files/info} and {@code files/put} report about one file or folder. */
  record FileInfo(String name, boolean folder, long size, Optional<String> md5) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final Optional<String> authorization;
  private final TargetSettings settings;
  private final HttpClient client;
  private final Clock clock = Clock.systemUTC();

  KoofrApi(URI endpoint, String user, TargetSettings settings) {
    String base = endpoint.toString();
    this.endpoint = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.authorization = HttpClients.basicAuthorization(Optional.of(user), settings.password());
    this.settings = settings;
    this.client = HttpClients.build(settings);
  }

  URI endpoint() {
    return endpoint;
  }

  List<Mount> mounts() throws UploadException {
    String operation = "Koofr mounts";
    HttpResponse<String> response = exchange(request("/api/v2/mounts").GET(), operation);
    requireSuccess(response, operation);
    JsonNode mounts = parse(response, operation).path("mounts");
    if (!mounts.isArray()) {
      throw garbage(operation, response.body());
    }
    List<Mount> found = new ArrayList<>();
    for (JsonNode mount : mounts) {
      if (!mount.path("id").isTextual() || !mount.path("name").isTextual()) {
        throw garbage(operation, response.body());
      }
      found.add(new Mount(mount.get("id").asText(), mount.get("name").asText(), mount.path("isPrimary").asBoolean(false)));
    }
    return found;
  }

  /** The file or folder at {@code path}, or empty when Koofr answers 404. */
  Optional<FileInfo> info(String mountId, String path) throws UploadException {
    String operation = "Koofr files/info " + path;
    HttpResponse<String> response =
        exchange(request(files(mountId, "info") + "?path=" + KoofrPath.query(path)).GET(), operation);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    requireSuccess(response, operation);
    return Optional.of(fileInfo(parse(response, operation), operation, response.body()));
  }

  /**
   * Creates folder {@code name} in {@code parent}; false when Koofr refuses with a 4xx other than
   * an authorization or quota error, which it does when the name is taken, so the caller looks.
   */
  boolean createFolder(String mountId, String parent, String name) throws UploadException {
    String operation = "Koofr files/folder " + join(parent, name);
    HttpResponse<String> response =
        exchange(
            request(files(mountId, "folder") + "?path=" + KoofrPath.query(parent))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(jsonObject("name", name))),
            operation);
    if ((response.statusCode() == 400 || response.statusCode() == 409) && !meansFull(response.body())) {
      return false;
    }
    requireSuccess(response, operation);
    return true;
  }

  /**
   * Uploads what {@code spool} holds as {@code name} into {@code folder}, replacing what is there,
   * and returns what Koofr says it stored. Koofr keeps nothing of a request that did not arrive
   * whole.
   *
   * @throws UploadException {@link UploadError.Transient} when the folder is missing (404)
   */
  FileInfo put(String mountId, String folder, String name, Spool spool) throws UploadException {
    String operation = "Koofr files/put " + join(folder, name);
    String boundary = "autoupload-" + UUID.randomUUID();
    byte[] head =
        ("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    HttpRequest.BodyPublisher body =
        HttpRequest.BodyPublishers.concat(
            HttpRequest.BodyPublishers.ofByteArray(head),
            FileBody.of(spool),
            HttpRequest.BodyPublishers.ofByteArray(tail));
    String uri =
        "/content/api/v2/mounts/" + segment(mountId) + "/files/put?path=" + KoofrPath.query(folder)
            + "&filename=" + KoofrPath.query(name) + "&info=true&overwrite=true&autorename=false";
    HttpResponse<String> response =
        exchange(
            request(uri)
                .timeout(settings.timeoutFor(spool.size()))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body),
            operation);
    if (response.statusCode() == 404) {
      throw new UploadException(
          new UploadError.Transient(operation + " failed: HTTP 404: the folder is missing" + quoted(response.body())));
    }
    requireSuccess(response, operation);
    return fileInfo(parse(response, operation), operation, response.body());
  }

  /**
   * Moves {@code from} to {@code to} in the same mount; false when Koofr refuses with a 4xx
   * meaning the destination is taken (400 or 409), so the caller looks at what is there.
   */
  boolean move(String mountId, String from, String to) throws UploadException {
    String operation = "Koofr files/move " + from + " to " + to;
    HttpResponse<String> response =
        exchange(
            request(files(mountId, "move") + "?path=" + KoofrPath.query(from))
                .header("Content-Type", "application/json; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(jsonObject("toMountId", mountId, "toPath", to))),
            operation);
    if ((response.statusCode() == 400 || response.statusCode() == 409) && !meansFull(response.body())) {
      return false;
    }
    if (response.statusCode() == 404) {
      throw new UploadException(
          new UploadError.Transient(operation + " failed: HTTP 404: the uploaded file vanished" + quoted(response.body())));
    }
    requireSuccess(response, operation);
    return true;
  }

  void remove(String mountId, String path) throws UploadException {
    String operation = "Koofr files/remove " + path;
    HttpResponse<String> response =
        exchange(request(files(mountId, "remove") + "?path=" + KoofrPath.query(path)).DELETE(), operation);
    if (response.statusCode() != 404) {
      requireSuccess(response, operation);
    }
  }

  /** The content of the file at {@code path}, streamed; the caller closes it. */
  InputStream download(String mountId, String path) throws UploadException {
    String operation = "Koofr files/get " + path;
    return HttpClients.download(
        client,
        request("/content" + files(mountId, "get") + "?path=" + KoofrPath.query(path)).setHeader("Accept", "*/*").GET().build(),
        operation,
        (status, retryAfter, body) ->
            new UploadException(HttpErrors.fromStatus(operation, status, retryAfter, errorMessage(body), clock)));
  }

  // ---- HTTP ----

  private HttpRequest.Builder request(String pathAndQuery) throws UploadException {
    if (authorization.isEmpty()) {
      throw new UploadException(
          new UploadError.Unauthorized(
              "no Koofr app password: set autoupload.target.password, autoupload.target.password-file or "
                  + TargetSettings.PASSWORD_VARIABLE));
    }
    return HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery))
        .timeout(settings.readTimeout())
        .header("Accept", "application/json")
        .header("Authorization", authorization.get());
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request, String operation) throws UploadException {
    return HttpClients.sendForText(client, request, operation);
  }

  /**
   * Classifies an error answer. Which status Koofr gives a full account is not documented (507,
   * 413, or a 400 or 403 with its error JSON are all seen from such APIs), so a 4xx whose message
   * speaks of the quota or of space is {@link UploadError.QuotaExceeded} whatever its status.
   */
  private void requireSuccess(HttpResponse<String> response, String operation) throws UploadException {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      UploadError error =
          HttpErrors.fromStatus(
              operation, status, response.headers().firstValue("Retry-After"), errorMessage(response.body()), clock);
      if (status >= 400 && status <= 499 && meansFull(response.body())) {
        error = new UploadError.QuotaExceeded(error.message());
      }
      throw new UploadException(error);
    }
  }

  /** Whether an error body says the account or the mount has no room left. */
  static boolean meansFull(String body) {
    String message = errorMessage(body).toLowerCase(Locale.ROOT);
    return message.contains("quota")
        || message.contains("not enough space")
        || message.contains("insufficient space")
        || message.contains("no space")
        || message.contains("out of space")
        || message.contains("storage full");
  }

  /** Koofr's {@code error.message} (with its code) when the body is Koofr's error JSON, else the body. */
  static String errorMessage(String body) {
    try {
      JsonNode error = JSON.readTree(body).path("error");
      if (error.path("message").isTextual()) {
        String code = error.path("code").isTextual() ? " (" + error.get("code").asText() + ")" : "";
        return error.get("message").asText() + code;
      }
    } catch (JsonProcessingException | RuntimeException e) {
      // Not Koofr's error JSON: a proxy's page or plain text, quoted as it is.
    }
    return body;
  }

  private static String quoted(String body) {
    String message = errorMessage(body);
    return message == null || message.isBlank() ? "" : " (" + message.strip() + ")";
  }

  private static JsonNode parse(HttpResponse<String> response, String operation) throws UploadException {
    try {
      JsonNode node = JSON.readTree(response.body());
      if (node == null || !node.isObject()) {
        throw garbage(operation, response.body());
      }
      return node;
    } catch (JsonProcessingException e) {
      throw garbage(operation, response.body());
    }
  }

  private static FileInfo fileInfo(JsonNode node, String operation, String body) throws UploadException {
    JsonNode type = node.path("type");
    if (!node.path("name").isTextual() || !type.isTextual()) {
      throw garbage(operation, body);
    }
    boolean folder = type.asText().equals("dir");
    if (!folder && !(type.asText().equals("file") && node.path("size").isIntegralNumber() && node.get("size").asLong() >= 0)) {
      throw garbage(operation, body);
    }
    JsonNode hash = node.path("hash");
    // A mount that keeps no MD5 (a connected Dropbox, Google Drive, OneDrive) sends none, or "".
    boolean noHash = hash.isMissingNode() || hash.isNull() || (hash.isTextual() && hash.asText().isEmpty());
    Optional<String> md5 =
        hash.isTextual() && hash.asText().matches("[0-9a-fA-F]{32}")
            ? Optional.of(hash.asText().toLowerCase(Locale.ROOT))
            : Optional.empty();
    if (!folder && !noHash && md5.isEmpty()) {
      throw garbage(operation, body);
    }
    return new FileInfo(node.get("name").asText(), folder, folder ? 0 : node.get("size").asLong(), md5);
  }

  private static UploadException garbage(String operation, String body) {
    String excerpt = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    if (excerpt.length() > 120) {
      excerpt = excerpt.substring(0, 120) + "…";
    }
    return new UploadException(
        new UploadError.Permanent(
            operation + " failed: the server's answer is not the JSON Koofr sends"
                + (excerpt.isEmpty() ? " (empty body)" : ": " + excerpt)));
  }

  private static String jsonObject(String... namesAndValues) {
    var object = JSON.createObjectNode();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      object.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return object.toString();
  }

  private static String files(String mountId, String call) {
    return "/api/v2/mounts/" + segment(mountId) + "/files/" + call;
  }

  private static String segment(String value) {
    return KoofrPath.query(value).replace("/", "%2F");
  }

  static String join(String folder, String name) {
    return folder.endsWith("/") ? folder + name : folder + "/" + name;
  }
}
