package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real HTTP client for the endpoint under test. Every response it sees is checked for CORS
 * headers, which the endpoint must never send.
 */
final class TestClient {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI base;
  private final String token;

  /** A client of {@code server} with the token the endpoint keeps in {@code dataDir}. */
  static TestClient of(HttpControlServer server, Path dataDir) throws IOException {
    return new TestClient(server.url(), ApiToken.read(dataDir).orElseThrow().value());
  }

  TestClient(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  URI base() {
    return base;
  }

  String token() {
    return token;
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  /** A request with the right Bearer token. */
  HttpRequest.Builder authorized(String path) {
    return request(path).header("Authorization", "Bearer " + token);
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertNoCors(response);
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    try {
      HttpResponse<T> response = http.send(request.build(), body);
      assertNoCors(response);
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  HttpResponse<String> get(String path) {
    return send(authorized(path).GET());
  }

  HttpResponse<String> post(String path) {
    return send(authorized(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  HttpResponse<String> putJson(String path, String body) {
    return send(authorized(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** The body of a 200 response as JSON. */
  JsonNode getJson(String path) {
    HttpResponse<String> response = get(path);
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
    return json(response);
  }

  static JsonNode json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** Asserts a JSON error with this status, and returns its message. */
  static String error(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = json(response);
    assertThat(body.path("error").isTextual()).as(response.body()).isTrue();
    return body.get("error").asText();
  }

  static void assertNoCors(HttpResponse<?> response) {
    assertThat(response.headers().map().keySet())
        .as("CORS headers on %s", response.uri())
        .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("access-control-"));
  }

  /**
   * Sends a raw HTTP/1.1 request over a socket, for what HttpClient does not allow (a Host header
   * of our choosing), and returns the response's status line and header lines.
   */
  List<String> raw(String method, String path, String host, String... headers) {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      List<String> head = new ArrayList<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        head.add(line);
      }
      return head;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One Server-Sent Event: its type and JSON data. */
  record Event(String type, JsonNode data) {}

  /** {@code GET /api/events}, its lines as they come; close the body when done. */
  HttpResponse<Stream<String>> events() {
    return send(authorized("/api/events").GET(), HttpResponse.BodyHandlers.ofLines());
  }

  /** Reads events until one matches; SSE frames come out as data: then event:. */
  static Event next(Iterator<String> lines, Predicate<Event> wanted) {
    while (true) {
      Optional<String> type = Optional.empty();
      String data = null;
      while (true) {
        assertThat(lines.hasNext()).as("the event stream ended before the awaited event").isTrue();
        String line = lines.next();
        if (line.isEmpty()) {
          break;
        }
        if (line.startsWith("data:")) {
          data = line.substring(5).strip();
        } else if (line.startsWith("event:")) {
          type = Optional.of(line.substring(6).strip());
        }
      }
      if (data == null) {
        continue;
      }
      try {
        Event event = new Event(type.orElse("message"), JSON.readTree(data));
        if (wanted.test(event)) {
          return event;
        }
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + data, e);
      }
    }
  }
}
