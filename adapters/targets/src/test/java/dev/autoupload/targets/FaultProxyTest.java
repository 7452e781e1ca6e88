package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.autoupload.targets.FaultProxy.Exchange;
import dev.autoupload.targets.FaultProxy.Fault;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class FaultProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** What the backend saw of one request. */
  private record Seen(String method, String path, String host, String destination, String sha256) {}

  private final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  /** Body bytes the backend read of requests whose body broke off. */
  private final LinkedBlockingQueue<Integer> cutOff = new LinkedBlockingQueue<>();
  private HttpServer backend;
  private FaultProxy proxy;
  private HttpClient client;

  @BeforeEach
  void start() throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    backend.createContext("/", this::answer);
    backend.start();
    proxy =
        FaultProxy.start(URI.create("http://127.0.0.1:" + backend.getAddress().getPort()));
    client = HttpClient.newBuilder().connectTimeout(WAIT).build();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.stop(0);
  }

  /** Answers 201 with the sha256 of the body; HEAD gets the length a GET would have. */
  private void answer(HttpExchange exchange) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(received);
    } catch (IOException e) {
      cutOff.add(received.size());
      exchange.close();
      return;
    }
    byte[] body = received.toByteArray();
    String sha256 = TargetConformance.sha256(body);
    seen.add(
        new Seen(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestHeaders().getFirst("Host"),
            exchange.getRequestHeaders().getFirst("Destination"),
            sha256));
    exchange.getResponseHeaders().set("X-Backend", "yes");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", "64");
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
      return;
    }
    byte[] answer = sha256.getBytes(StandardCharsets.US_ASCII);
    exchange.sendResponseHeaders(201, answer.length);
    exchange.getResponseBody().write(answer);
    exchange.close();
  }

  @Test
  void passesRequestsThroughWithTheirBodyHostAndHeaders() throws Exception {
    byte[] body = TargetConformance.randomBytes(3 * 1024 * 1024 + 7, 1);
    HttpRequest put =
        request("/photos/a%20b.jpg")
            .header("Destination", proxy.uri() + "/photos/moved.jpg")
            .PUT(BodyPublishers.ofByteArray(body))
            .build();

    HttpResponse<String> response = client.send(put, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo(TargetConformance.sha256(body));
    assertThat(response.headers().firstValue("X-Backend")).contains("yes");
    Seen atBackend = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(atBackend)
        .isEqualTo(
            new Seen(
                "PUT",
                "/photos/a%20b.jpg",
                "127.0.0.1:" + proxy.uri().getPort(),
                proxy.uri() + "/photos/moved.jpg",
                TargetConformance.sha256(body)));
    assertThat(proxy.exchanges())
        .containsExactly(new Exchange("PUT", "/photos/a%20b.jpg", body.length, Optional.empty()));
    assertThat(proxy.forwardedBodyBytes()).isEqualTo(body.length);
  }

  @Test
  void forwardsAChunkedBodyWhole() throws Exception {
    byte[] body = TargetConformance.randomBytes(200_000, 2);
    HttpRequest put =
        request("/chunked")
            .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    HttpResponse<String> response = client.send(put, BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo(TargetConformance.sha256(body));
  }

  @Test
  void keepsTheContentLengthOfAHeadAnswer() throws Exception {
    HttpResponse<Void> response =
        client.send(
            request("/photo.jpg").method("HEAD", BodyPublishers.noBody()).build(),
            BodyHandlers.discarding());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Length")).contains("64");
  }

  @Test
  void answers503WithRetryAfterWithoutReachingTheServer() throws Exception {
    proxy.failNext(Fault.status(503).retryAfter(7));

    HttpResponse<String> failed = client.send(put("/a.jpg", "first"), BodyHandlers.ofString());
    HttpResponse<String> next = client.send(put("/a.jpg", "second"), BodyHandlers.ofString());

    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.headers().firstValue("Retry-After")).contains("7");
    assertThat(next.statusCode()).isEqualTo(201);
    assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).sha256())
        .isEqualTo(TargetConformance.sha256("second".getBytes(StandardCharsets.UTF_8)));
    assertThat(seen).isEmpty();
    assertThat(proxy.requestCount()).isEqualTo(2);
    assertThat(proxy.exchanges().get(0).fault()).contains(Fault.status(503).retryAfter(7));
    assertThat(proxy.forwardedBodyBytes()).isEqualTo("second".length());
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 507, 401, 403, 429, 409, 413})
  void answersAnyScriptedStatus(int code) throws Exception {
    proxy.failNext(Fault.status(code).body("scripted " + code));

    HttpResponse<String> response = client.send(put("/a.jpg", "x"), BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(code);
    assertThat(response.body()).isEqualTo("scripted " + code);
    assertThat(seen).isEmpty();
  }

  @Test
  void refusesBeforeTheBodyWhenTheClientExpectsContinue() throws Exception {
    proxy.failNext(Fault.status(507));
    String statusLine;
    // The JDK 17 client hangs on a final answer to Expect: 100-continue (JDK-8286171), so a socket.
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), proxy.uri().getPort())) {
      socket.getOutputStream()
          .write(
              ("PUT /big.mov HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
                      + "Expect: 100-continue\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      statusLine =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
    }
    byte[] body = TargetConformance.randomBytes(100_000, 3);
    HttpResponse<String> accepted =
        client.send(
            request("/big.mov").expectContinue(true).PUT(BodyPublishers.ofByteArray(body)).build(),
            BodyHandlers.ofString());

    assertThat(statusLine).startsWith("HTTP/1.1 507 ");
    assertThat(proxy.exchanges().get(0).bodyBytes()).isZero();
    assertThat(accepted.statusCode()).isEqualTo(201);
    assertThat(accepted.body()).isEqualTo(TargetConformance.sha256(body));
    assertThat(proxy.forwardedBodyBytes()).isEqualTo(body.length);
  }

  @Test
  void resetsTheConnectionWithoutReachingTheServer() throws Exception {
    proxy.resetNext();

    assertThatThrownBy(() -> client.send(put("/a.jpg", "lost"), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    HttpResponse<String> next = client.send(put("/a.jpg", "kept"), BodyHandlers.ofString());

    assertThat(next.statusCode()).isEqualTo(201);
    assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).sha256())
        .isEqualTo(TargetConformance.sha256("kept".getBytes(StandardCharsets.UTF_8)));
    assertThat(seen).isEmpty();
    assertThat(proxy.exchanges()).extracting(Exchange::fault)
        .containsExactly(Optional.of(Fault.reset()), Optional.empty());
  }

  @Test
  void resetsAfterTheServerGotTheRequest() throws Exception {
    proxy.failNext(Fault.forwardThenReset());

    assertThatThrownBy(() -> client.send(put("/a.jpg", "stored"), BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);

    assertThat(seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).sha256())
        .isEqualTo(TargetConformance.sha256("stored".getBytes(StandardCharsets.UTF_8)));
    assertThat(proxy.forwardedBodyBytes()).isEqualTo("stored".length());
  }

  @Test
  void cutsAnUploadOffMidwayLeavingTheServerWhatArrived() throws Exception {
    proxy.failNext("PUT", Fault.cutAfter(1000));
    byte[] body = TargetConformance.randomBytes(100_000, 4);

    assertThatThrownBy(
            () ->
                client.send(
                    request("/clip.mp4").PUT(BodyPublishers.ofByteArray(body)).build(),
                    BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);

    assertThat(cutOff.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1000);
    assertThat(seen).isEmpty();
    assertThat(proxy.forwardedBodyBytes()).isEqualTo(1000);
    assertThat(proxy.exchanges().get(0).bodyBytes()).isEqualTo(body.length);
  }

  @Test
  void stallsARequestUntilReleased() throws Exception {
    proxy.failNext(Fault.stall());

    CompletableFuture<HttpResponse<String>> stalled =
        client.sendAsync(put("/slow.jpg", "x"), BodyHandlers.ofString());
    Optional<Exchange> arrived = proxy.awaitExchange(WAIT);

    assertThat(arrived.flatMap(Exchange::fault)).contains(Fault.stall());
    assertThat(stalled).isNotDone();
    proxy.releaseStalled();
    assertThatThrownBy(() -> stalled.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(seen).isEmpty();
  }

  @Test
  void aStallOutlastsTheClientsTimeout() throws Exception {
    proxy.failNext(Fault.stall());
    HttpRequest put =
        request("/slow.jpg").timeout(Duration.ofMillis(200)).PUT(BodyPublishers.ofString("x")).build();

    assertThatThrownBy(() -> client.send(put, BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void faultsOnlyTheMethodAskedFor() throws Exception {
    proxy.failNext("PATCH", Fault.status(409));

    HttpResponse<String> get =
        client.send(request("/a.jpg").GET().build(), BodyHandlers.ofString());
    HttpResponse<String> patch =
        client.send(
            request("/a.jpg").method("PATCH", BodyPublishers.ofString("x")).build(),
            BodyHandlers.ofString());

    assertThat(get.statusCode()).isEqualTo(201);
    assertThat(patch.statusCode()).isEqualTo(409);
    assertThat(proxy.exchanges()).extracting(Exchange::method).containsExactly("GET", "PATCH");
  }

  @Test
  void usesFaultsInTheOrderTheyWereScriptedAndForgetsThemOnPassThrough() throws Exception {
    proxy.failNext(Fault.status(500)).failNext(Fault.status(429).retryAfter(1));

    int first = client.send(put("/a", "x"), BodyHandlers.ofString()).statusCode();
    proxy.failNext(Fault.status(401)).passThrough();
    int second = client.send(put("/a", "x"), BodyHandlers.ofString()).statusCode();

    assertThat(first).isEqualTo(500);
    assertThat(second).isEqualTo(201);
  }

  @Test
  void forwardsOnlyToLoopback() {
    assertThatThrownBy(() -> FaultProxy.start(URI.create("http://192.0.2.1:80")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    assertThat(proxy.uri().getHost()).isEqualTo("127.0.0.1");
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(proxy.uri().resolve(path)).timeout(WAIT);
  }

  private HttpRequest put(String path, String body) {
    return request(path).PUT(BodyPublishers.ofString(body)).build();
  }
}
