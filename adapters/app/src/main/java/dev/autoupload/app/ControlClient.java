package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.autoupload.http.AddressFile;
import dev.autoupload.http.ApiToken;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Talks to the autoupload instance running on a data dir through its control endpoint: the
 * address from {@code <data-dir>/http-address}, the token from {@code <data-dir>/http-token}.
 * Every way of not reaching it is a {@link RunFailure} with exit code 3 and one line saying why.
 */
final class ControlClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
  private final Path dataDir;
  private final URI base;
  private final ApiToken token;

  private ControlClient(Path dataDir, URI base, ApiToken token) {
    this.dataDir = dataDir;
    this.base = base;
    this.token = token;
  }

  /** A client for the instance running on {@code dataDir}. */
  static ControlClient of(Path dataDir) {
    Optional<String> address;
    Optional<ApiToken> token;
    try {
      address = AddressFile.read(dataDir);
      token = ApiToken.read(dataDir);
    } catch (IOException e) {
      throw new RunFailure(
          Main.CANNOT_START, "cannot read the control endpoint's files in " + dataDir + ": " + e.getMessage(), e);
    }
    if (address.isEmpty()) {
      throw notRunning(dataDir, "");
    }
    URI base;
    try {
      base = AddressFile.localUrl(address.get());
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.CANNOT_START, AddressFile.file(dataDir) + " holds no address: " + e.getMessage(), e);
    }
    if (token.isEmpty()) {
      throw new RunFailure(
          Main.CANNOT_START, "no token in " + ApiToken.file(dataDir) + "; is the instance on this data dir running?");
    }
    return new ControlClient(dataDir, base, token.get());
  }

  URI base() {
    return base;
  }

  /**
   * GETs {@code pathAndQuery} and returns the JSON body.
   *
   * @throws RunFailure as {@link #post}
   */
  JsonNode get(String pathAndQuery) {
    return send(request(pathAndQuery).GET());
  }

  /**
   * POSTs {@code json} to {@code path} and returns the JSON answer.
   *
   * @throws RunFailure exit 3 when nothing answers, the token is refused or the instance cannot do
   *     it (404, 409), 2 for a request the instance calls bad (400), 1 for anything else
   */
  JsonNode post(String path, String json) {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token.value())
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw notRunning(dataDir, " (nothing answers at " + base + ")");
    } catch (HttpTimeoutException e) {
      throw new RunFailure(
          Main.CANNOT_START,
          "the instance at " + base + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + "s",
          e);
    } catch (IOException e) {
      throw new RunFailure(Main.CANNOT_START, "cannot talk to the instance at " + base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure(Main.INCOMPLETE, "interrupted", e);
    }
    int status = response.statusCode();
    if (status == 200 || status == 202) {
      return parse(response.body());
    }
    String message = errorMessage(response.body());
    if (status == 401 || status == 403) {
      throw new RunFailure(Main.CANNOT_START, "the instance at " + base + " refused the request: " + message);
    }
    if (status == 404 || status == 409) {
      throw new RunFailure(Main.CANNOT_START, "the instance at " + base + " cannot do it: " + message);
    }
    if (status == 400) {
      throw new RunFailure(Main.USAGE, message);
    }
    throw new RunFailure(Main.INCOMPLETE, "the instance at " + base + " answered " + status + ": " + message);
  }

  private static RunFailure notRunning(Path dataDir, String detail) {
    return new RunFailure(Main.CANNOT_START, "no autoupload instance is running for data dir " + dataDir + detail);
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new RunFailure(Main.INCOMPLETE, "the instance answered with something that is not JSON", e);
    }
  }

  private static String errorMessage(String body) {
    try {
      JsonNode error = JSON.readTree(body).path("error");
      return error.isTextual() ? OneLine.of(error.asText()) : OneLine.of(body);
    } catch (IOException e) {
      return OneLine.of(body);
    }
  }
}
