package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Seeded random and malformed requests ({@link FuzzRequests}) against a real endpoint over raw
 * sockets. For every one: no 5xx, an HTTP/1.1 answer (a request whose body is framed wrongly or is
 * over the limit may instead see the connection closed), no CORS header, every 4xx a JSON error,
 * the token never in a response, and without a valid credential nothing but the page and the
 * documented refusals (400, 401, 403, 404, 405, 413, 414, 415, 431). Every 500 requests, and at
 * the end, a good request must still be answered; and no log line may carry the token.
 *
 * <p>{@code -Dfuzz.requests=N} sets how many (10,000 by default); a failure prints the seed and
 * the request, and {@code -Dfuzz.seed=N} replays that seed.
 */
class ControlEndpointFuzzTest {

  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
  private static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
  private static final int CHECK_EVERY = 500;
  private static final int FAILURES_SHOWN = 5;
  private static final int CLIENTS = 4;
  /** What a request without a valid credential may get besides the page itself. */
  private static final Set<Integer> REFUSALS = Set.of(400, 401, 403, 404, 405, 413, 414, 415, 431);
  private static final List<String> PAGE_TYPES = List.of("text/html", "application/javascript", "text/css");

  @TempDir static Path dataDir;
  private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private static UploadEngine engine;
  private static HttpControlServer server;
  private static TestClient client;

  @BeforeAll
  static void start() throws Exception {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logged.setContext(logging);
    logged.start();
    logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(logged);
    InMemorySource source = new InMemorySource("camera");
    source.add("2025/beach.jpg", 5_000, Instant.parse("2025-07-14T10:00:00Z"));
    source.add("broken.jpg", 100);
    source.makeUnreadable("broken.jpg");
    engine = UploadEngine.start(dataDir);
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    client = TestClient.of(server, dataDir);
    engine.addLibrary(new Library("camera", source, new InMemoryTarget())).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(logged);
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void randomAndMalformedRequestsNeverGetA5xxNorInWithoutTheToken() throws Exception {
    System.out.printf("fuzz: seed %d, %d requests (replay with -Dfuzz.seed=%d)%n", SEED, REQUESTS, SEED);
    int port = server.address().getPort();
    FuzzRequests requests = new FuzzRequests(port);
    SplittableRandom seeds = new SplittableRandom(SEED);
    // Request i is drawn from its own stream, so a seed gives the same requests however they interleave.
    List<SplittableRandom> streams = IntStream.range(0, REQUESTS).mapToObj(i -> seeds.split()).toList();
    AtomicReference<FuzzRequests.Secrets> secrets = new AtomicReference<>(login());
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    long started = System.nanoTime();

    Runnable worker =
        () -> {
          for (int i = next.getAndIncrement(); i < REQUESTS && failures.size() < FAILURES_SHOWN; i = next.getAndIncrement()) {
            FuzzRequests.FuzzRequest request = requests.next(streams.get(i), secrets.get());
            Optional<String> problem;
            RawHttp.Exchange exchange = null;
            try {
              exchange = RawHttp.exchange(port, request.wire(), request.isHead(), ANSWER_TIMEOUT);
              problem = problem(request, exchange, client.token());
            } catch (RawHttp.NoAnswer | IOException e) {
              problem = Optional.of(e.getMessage());
            }
            if (problem.isPresent()) {
              failures.add(describe(i, request, exchange, problem.get()));
            } else {
              answered.addAndGet(exchange.responses().size());
            }
            if (exchange != null && changedSessions(exchange)) {
              // It logged in or out: keep the fuzzer's own login the newest, so that it stays valid.
              secrets.set(login());
            }
            if ((i + 1) % CHECK_EVERY == 0) {
              stillAnswers(i + 1).ifPresent(failures::add);
            }
          }
        };
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        running.add(clients.submit(worker));
      }
      for (Future<?> one : running) {
        one.get(10, TimeUnit.MINUTES);
      }
    } finally {
      clients.shutdownNow();
    }

    stillAnswers(REQUESTS).ifPresent(failures::add);
    assertThat(failures)
        .withFailMessage(() -> "fuzz seed " + SEED + " (replay with -Dfuzz.seed=" + SEED + "): "
            + failures.size() + " failure(s)\n\n" + String.join("\n\n", failures))
        .isEmpty();
    assertThat(logged.list)
        .as("log lines (seed %d)", SEED)
        .noneMatch(event -> event.getFormattedMessage().contains(client.token())
            || (event.getThrowableProxy() != null
                && ThrowableProxyUtil.asString(event.getThrowableProxy()).contains(client.token())));
    System.out.printf(
        "fuzz: %d requests, %d responses, all held (%.1f s)%n",
        REQUESTS, answered.get(), (System.nanoTime() - started) / 1e9);
  }

  /** What is wrong with the answers to {@code request}, if anything. */
  private static Optional<String> problem(FuzzRequests.FuzzRequest request, RawHttp.Exchange exchange, String token) {
    if (exchange.responses().isEmpty()) {
      return request.breaksFraming()
          ? Optional.empty()
          : Optional.of("no answer: the connection ended" + exchange.sendProblem().map(p -> " (" + p + ")").orElse(""));
    }
    for (RawHttp.Response response : exchange.responses()) {
      int status = response.status();
      if (!response.statusLine().startsWith("HTTP/1.1 ") || status < 200) {
        return Optional.of("not an HTTP/1.1 answer: " + response.statusLine());
      }
      if (status >= 500) {
        return Optional.of("a " + status + " for bad input");
      }
      if (new String(response.raw(), StandardCharsets.ISO_8859_1).contains(token)) {
        return Optional.of("the answer carries the token");
      }
      if (response.headers().stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("access-control-"))) {
        return Optional.of("a CORS header");
      }
      if (status >= 400 && !request.isHead() && !isJsonError(response)) {
        return Optional.of("a " + status + " that is not a JSON error");
      }
      if (!request.mayAuthenticate()) {
        boolean page = status == 200 && PAGE_TYPES.stream().anyMatch(response.contentType()::startsWith);
        if (!page && !REFUSALS.contains(status)) {
          return Optional.of("a " + status + " (" + response.contentType() + ") without a valid token, cookie or CSRF token");
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isJsonError(RawHttp.Response response) {
    if (!response.contentType().startsWith("application/json")) {
      return false;
    }
    try {
      JsonNode body = TestClient.JSON.readTree(response.body());
      return body != null && body.path("error").isTextual() && !body.get("error").asText().isBlank();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean changedSessions(RawHttp.Exchange exchange) {
    return exchange.responses().stream()
        .anyMatch(response -> response.header("Set-Cookie").isPresent());
  }

  private static String describe(int index, FuzzRequests.FuzzRequest request, RawHttp.Exchange exchange, String problem) {
    StringBuilder text = new StringBuilder("request #" + index + ": " + problem + "\n--- request\n" + request.describe());
    if (exchange != null) {
      for (RawHttp.Response response : exchange.responses()) {
        String body = response.bodyText();
        text.append("\n--- response\n").append(response.head()).append("\n\n")
            .append(body.length() > 500 ? body.substring(0, 500) + "…" : body);
      }
      exchange.sendProblem().ifPresent(p -> text.append("\n--- while sending: ").append(p));
    }
    return text.toString();
  }

  /** Logs the page in with the token: a fresh session cookie and its CSRF token. */
  private static FuzzRequests.Secrets login() {
    HttpResponse<String> response =
        client.send(
            client.request("/login")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + client.token())));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String cookie =
        response.headers().allValues("Set-Cookie").stream()
            .filter(value -> value.startsWith(Sessions.COOKIE + "="))
            .map(value -> value.substring(Sessions.COOKIE.length() + 1, value.indexOf(';')))
            .findFirst()
            .orElseThrow();
    String csrf = TestClient.json(response).get("csrfToken").asText();
    return new FuzzRequests.Secrets(client.token(), cookie, csrf);
  }

  /** Why a good request is not answered as it should be after {@code sent} fuzz requests, if it is not. */
  private static Optional<String> stillAnswers(int sent) {
    HttpResponse<String> status = client.get("/api/status");
    if (status.statusCode() != 200 || !TestClient.json(status).path("state").isTextual()) {
      return Optional.of("after " + sent + " requests, GET /api/status answered " + status.statusCode() + ": " + status.body());
    }
    return Optional.empty();
  }
}
