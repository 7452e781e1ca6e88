package dev.autoupload.targets;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of one real server on loopback, which answers scripted
 * faults instead of forwarding: a connection reset, an error status with any headers, a stall, or
 * a reset after the server got the request. Requests without a scripted fault pass through
 * unchanged, {@code Host} and {@code Destination} included, so signatures and WebDAV MOVEs still
 * work; the target under test just talks to {@link #uri()} instead of the server.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(server)) {
 *   proxy.failNext(Fault.status(503).retryAfter(7));
 *   proxy.failNext("PATCH", Fault.reset());
 *   ...
 *   assertThat(proxy.exchanges()).extracting(Exchange::fault)...
 * }
 * }</pre>
 *
 * <p>A fault can also stand for every request a predicate picks until {@link #passThrough()}
 * ({@link #failEvery}): a server that is away, full or refusing for a while, or one that lies.
 *
 * <p>Bodies are read whole into memory and forwarded with a {@code Content-Length}, as a buffering
 * reverse proxy does: the server never sees a body the client did not finish. Chunked requests and
 * responses are accepted. The proxy counts every request body byte it receives as it arrives, also
 * of bodies the client never finished ({@link #receivedBodyBytes()}, {@link
 * #awaitReceivedBodyBytes}), so a test can act at a given byte and tell what a client sent again.
 * Each forwarded request uses a fresh connection to the server; the client's connection is kept
 * alive as HTTP/1.1 allows.
 */
public final class FaultProxy implements AutoCloseable {

  /** What the proxy does with one request instead of (or around) forwarding it. */
  public sealed interface Fault {

    /** Answers {@code code} without forwarding; chain {@link Status#retryAfter} or headers. */
    static Status status(int code) {
      return new Status(code, Map.of(), "fault injected by FaultProxy: " + code);
    }

    /** Resets the connection (TCP RST) once the request head arrived, before the body is read. */
    static Fault reset() {
      return new Reset();
    }

    /** Forwards the request, then resets instead of answering: the server has it, the client not. */
    static Fault forwardThenReset() {
      return new ForwardThenReset();
    }

    /**
     * Forwards the head and only the first {@code bytes} of the body, then drops the server's
     * connection and resets the client's: an upload cut off mid-way, the server holding what
     * arrived.
     */
    static Fault cutAfter(long bytes) {
      return new CutAfter(bytes);
    }

    /**
     * Forwards the request with one body byte flipped and relays the answer: damage on the way
     * that only a checksum can notice.
     */
    static Fault corruptBody() {
      return new CorruptBody();
    }

    /** Holds the request unanswered until {@link FaultProxy#releaseStalled()} or close. */
    static Fault stall() {
      return new Stall();
    }

    /**
     * Forwards the request and relays the server's answer with {@code body} applied to its body
     * (read as ISO-8859-1, so any byte survives): a server that says 200 but reports another size
     * or hash than it stored.
     */
    static Fault lie(UnaryOperator<String> body) {
      return new Lie(Map.of(), body);
    }

    /** As {@link #lie(UnaryOperator)}, setting the answer's header {@code name} to {@code value}. */
    static Fault lieInHeader(String name, String value) {
      return new Lie(Map.of(name, value), UnaryOperator.identity());
    }

    /** An answer from the proxy itself. */
    record Status(int code, Map<String, String> headers, String body) implements Fault {

      public Status retryAfter(long seconds) {
        return header("Retry-After", Long.toString(seconds));
      }

      public Status header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Status(code, Map.copyOf(more), body);
      }

      public Status body(String text) {
        return new Status(code, headers, text);
      }
    }

    record Reset() implements Fault {}

    record ForwardThenReset() implements Fault {}

    record CutAfter(long bytes) implements Fault {}

    record Stall() implements Fault {}

    record CorruptBody() implements Fault {}

    record Lie(Map<String, String> headers, UnaryOperator<String> body) implements Fault {}
  }

  /** A request as it arrived, for {@link #failEvery} to choose by. */
  public record Request(String method, String target) {}

  /**
   * One request the proxy received: its method and request target, how many body bytes it read,
   * the fault it answered with (empty when it passed the request through), and whether its body
   * arrived whole (false when the client stopped sending before the end).
   */
  public record Exchange(String method, String target, long bodyBytes, Optional<Fault> fault, boolean whole) {

    public Exchange(String method, String target, long bodyBytes, Optional<Fault> fault) {
      this(method, target, bodyBytes, fault, true);
    }
  }

  private record Rule(Optional<String> method, Fault fault) {}

  private record Standing(Predicate<Request> which, Fault fault) {}

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "expect", "te");

  private final ServerSocket listener;
  private final InetSocketAddress backend;
  private final ExecutorService threads = Executors.newCachedThreadPool(FaultProxy::daemon);
  private final ConcurrentLinkedDeque<Rule> rules = new ConcurrentLinkedDeque<>();
  private final List<Standing> standing = new CopyOnWriteArrayList<>();
  private final Object received = new Object();
  private long receivedBodyBytes;
  private final AtomicInteger busy = new AtomicInteger();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<Exchange> arrivals = new LinkedBlockingQueue<>();
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final AtomicLong forwardedBodyBytes = new AtomicLong();
  private volatile CountDownLatch stalled = new CountDownLatch(1);

  private FaultProxy(ServerSocket listener, InetSocketAddress backend) {
    this.listener = listener;
    this.backend = backend;
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 forwarding to the server at {@code backend}, whose
   * scheme must be {@code http} and whose host must be a loopback address.
   */
  public static FaultProxy start(URI backend) throws IOException {
    if (!"http".equalsIgnoreCase(backend.getScheme()) || backend.getPort() < 0) {
      throw new IllegalArgumentException("backend must be http://127.0.0.1:port, not " + backend);
    }
    InetAddress host = loopback(backend.getHost());
    ServerSocket listener = new ServerSocket();
    listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    FaultProxy proxy = new FaultProxy(listener, new InetSocketAddress(host, backend.getPort()));
    proxy.threads.execute(proxy::accept);
    return proxy;
  }

  /** {@code http://127.0.0.1:<port>}, to use in place of the server's address. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Answers the next request, whatever it is, with {@code fault}. Calls queue up in order. */
  public FaultProxy failNext(Fault fault) {
    rules.addLast(new Rule(Optional.empty(), fault));
    return this;
  }

  /** Answers the next request with {@code method} (e.g. PATCH) with {@code fault}. */
  public FaultProxy failNext(String method, Fault fault) {
    rules.addLast(new Rule(Optional.of(method.toUpperCase(Locale.ROOT)), fault));
    return this;
  }

  /** Shorthand for {@code failNext(Fault.reset())}. */
  public FaultProxy resetNext() {
    return failNext(Fault.reset());
  }

  /**
   * Answers every request {@code which} picks with {@code fault} until {@link #passThrough()}; a
   * one-time fault ({@link #failNext}) that matches goes first.
   */
  public FaultProxy failEvery(Predicate<Request> which, Fault fault) {
    standing.add(new Standing(which, fault));
    return this;
  }

  /** Drops every fault not yet used and every standing one: from now on requests reach the server. */
  public FaultProxy passThrough() {
    rules.clear();
    standing.clear();
    return this;
  }

  /** Request body bytes received from clients so far, also of bodies they never finished. */
  public long receivedBodyBytes() {
    synchronized (received) {
      return receivedBodyBytes;
    }
  }

  /**
   * Waits until at least {@code bytes} request body bytes have arrived in all ({@link
   * #receivedBodyBytes()}), or {@code until} says to stop waiting (checked as bytes arrive and
   * every 50 ms); returns whether they did.
   */
  public boolean awaitReceivedBodyBytes(long bytes, BooleanSupplier until, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (receivedBodyBytes < bytes) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || until.getAsBoolean()) {
          return false;
        }
        received.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
      }
      return true;
    }
  }

  /**
   * Waits until no request is being handled: each that arrived was answered, forwarded and
   * answered by the server, or dropped. What the server stores then no longer moves.
   */
  public void awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (busy.get() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(busy.get() + " request(s) still being handled after " + timeout);
      }
      synchronized (received) {
        received.wait(5);
      }
    }
  }

  /** Lets every stalled request go: their connections are reset. */
  public void releaseStalled() {
    CountDownLatch current = stalled;
    stalled = new CountDownLatch(1);
    current.countDown();
  }

  /** Every request received so far, in order of arrival. */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** How many requests arrived, faulted or not. */
  public int requestCount() {
    return exchanges.size();
  }

  /** Request body bytes that reached the server: what a resumed upload really sent again. */
  public long forwardedBodyBytes() {
    return forwardedBodyBytes.get();
  }

  /**
   * The next request to arrive (in order, each returned once), waiting up to {@code timeout}; lets
   * a test wait for a stalled or background request without sleeping.
   */
  public Optional<Exchange> awaitExchange(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS));
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // Closing is all we wanted.
    }
    for (Socket client : clients) {
      closeQuietly(client);
    }
    stalled.countDown();
    threads.shutdownNow();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      clients.add(client);
      threads.execute(() -> serve(client));
    }
  }

  /** Serves one client connection, request after request, until either side closes it. */
  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        Optional<Head> head = Head.read(in);
        if (head.isEmpty()) {
          return;
        }
        busy.incrementAndGet();
        try {
          if (!handle(head.get(), in, out, client)) {
            return;
          }
        } finally {
          busy.decrementAndGet();
        }
      }
    } catch (IOException e) {
      // The client went away or we reset it; either way this connection is done.
    } finally {
      clients.remove(client);
    }
  }

  /** Handles one request; returns whether the connection stays open for another. */
  private boolean handle(Head request, InputStream in, OutputStream out, Socket client)
      throws IOException {
    Optional<Fault> fault = takeFault(request);
    boolean expectsContinue = "100-continue".equalsIgnoreCase(request.header("Expect"));

    if (fault.orElse(null) instanceof Fault.Reset) {
      record(request, 0, fault);
      reset(client);
      return false;
    }
    if (fault.orElse(null) instanceof Fault.Stall) {
      record(request, 0, fault);
      awaitRelease();
      reset(client);
      return false;
    }
    if (fault.orElse(null) instanceof Fault.Status status && expectsContinue) {
      // The client waits for our word before sending the body; refusing now skips it.
      record(request, 0, fault);
      respond(out, status, true);
      return false;
    }
    if (expectsContinue) {
      out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
    byte[] body;
    long[] got = {0};
    try {
      body =
          readBody(
              request,
              in,
              n -> {
                got[0] += n;
                received(n);
              });
    } catch (CutShort cut) {
      record(request, cut.got, fault, false);
      throw cut;
    } catch (IOException reset) {
      // A client that aborts its request may reset the connection rather than close it: the
      // request still arrived, cut short.
      record(request, got[0], fault, false);
      throw reset;
    }
    record(request, body.length, fault);
    boolean close = "close".equalsIgnoreCase(request.header("Connection"));
    if (fault.orElse(null) instanceof Fault.Status status) {
      respond(out, status, close);
      return !close;
    }
    if (fault.orElse(null) instanceof Fault.CutAfter cut) {
      int sent = (int) Math.min(cut.bytes(), body.length);
      forwardCut(request, body, sent);
      forwardedBodyBytes.addAndGet(sent);
      reset(client);
      return false;
    }
    if (fault.orElse(null) instanceof Fault.CorruptBody && body.length > 0) {
      body[body.length / 2] ^= 0x01;
    }
    Response response = forward(request, body);
    forwardedBodyBytes.addAndGet(body.length);
    if (fault.orElse(null) instanceof Fault.ForwardThenReset) {
      reset(client);
      return false;
    }
    if (fault.orElse(null) instanceof Fault.Lie lie) {
      response = response.altered(lie);
    }
    response.writeTo(out, request.method(), close);
    return !close;
  }

  private Optional<Fault> takeFault(Head request) {
    String method = request.method();
    for (Rule rule : rules) {
      if (rule.method().map(method::equalsIgnoreCase).orElse(true) && rules.remove(rule)) {
        return Optional.of(rule.fault());
      }
    }
    Request asked = new Request(method, request.target());
    return standing.stream().filter(rule -> rule.which().test(asked)).map(Standing::fault).findFirst();
  }

  private void record(Head request, long bodyBytes, Optional<Fault> fault) {
    record(request, bodyBytes, fault, true);
  }

  private void record(Head request, long bodyBytes, Optional<Fault> fault, boolean whole) {
    Exchange exchange = new Exchange(request.method(), request.target(), bodyBytes, fault, whole);
    exchanges.add(exchange);
    arrivals.add(exchange);
  }

  private void received(int bytes) {
    synchronized (received) {
      receivedBodyBytes += bytes;
      received.notifyAll();
    }
  }

  /** A request body that ended before its announced end: the client stopped sending. */
  private static final class CutShort extends EOFException {
    final long got;

    CutShort(String message, long got) {
      super(message);
      this.got = got;
    }
  }

  private void awaitRelease() {
    try {
      stalled.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Response forward(Head request, byte[] body) throws IOException {
    try (Socket server = new Socket()) {
      server.connect(backend, 10_000);
      sendHead(server, request, body.length);
      OutputStream out = server.getOutputStream();
      out.write(body);
      out.flush();

      InputStream in = new BufferedInputStream(server.getInputStream());
      Head response;
      do {
        response = Head.read(in).orElseThrow(() -> new EOFException("server closed early"));
      } while (response.status() / 100 == 1);
      boolean bodiless =
          request.method().equalsIgnoreCase("HEAD")
              || response.status() == 204
              || response.status() == 304;
      byte[] responseBody = bodiless ? new byte[0] : readBody(response, in, null);
      return new Response(response, responseBody);
    }
  }

  /**
   * Announces the whole body but sends only {@code sent} bytes of it, then closes: a plain close
   * rather than a reset, so the server surely reads what arrived before it sees the end.
   */
  private void forwardCut(Head request, byte[] body, int sent) throws IOException {
    try (Socket server = new Socket()) {
      server.connect(backend, 10_000);
      sendHead(server, request, body.length);
      server.getOutputStream().write(body, 0, sent);
      server.getOutputStream().flush();
    }
  }

  /** Sends the request head as received, framed by a Content-Length of {@code length}. */
  private static void sendHead(Socket server, Head request, int length) throws IOException {
    OutputStream out = server.getOutputStream();
    StringBuilder head = new StringBuilder();
    head.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
    request.headers().forEach(
        (name, value) -> {
          if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
            head.append(name).append(": ").append(value).append("\r\n");
          }
        });
    boolean framed =
        request.header("Content-Length") != null || request.header("Transfer-Encoding") != null;
    if (framed) {
      head.append("Content-Length: ").append(length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void respond(OutputStream out, Fault.Status status, boolean close)
      throws IOException {
    byte[] body = status.body().getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(status.code()).append(" Fault\r\n");
    status.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("Content-Type: text/plain; charset=utf-8\r\n");
    head.append("Content-Length: ").append(body.length).append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /**
   * A request's or response's body, de-chunked; a response without framing runs to EOF. A
   * request's bytes are counted with {@code counted} as they arrive (null for a response); one
   * that ends early throws {@link CutShort} with how many arrived.
   */
  private static byte[] readBody(Head head, InputStream in, IntConsumer counted)
      throws IOException {
    boolean isRequest = counted != null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
      while (true) {
        String sizeLine = Head.line(in).orElseThrow(() -> new CutShort("chunk size", body.size()));
        int semicolon = sizeLine.indexOf(';');
        int size =
            Integer.parseInt(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          // Trailers, if any, end with an empty line.
          while (!Head.line(in).orElse("").isEmpty()) {}
          return body.toByteArray();
        }
        copy(in, body, size, counted);
        Head.line(in);
      }
    }
    String length = head.header("Content-Length");
    if (length != null) {
      copy(in, body, Long.parseLong(length.trim()), counted);
      return body.toByteArray();
    }
    return isRequest ? new byte[0] : in.readAllBytes();
  }

  /** Copies exactly {@code size} bytes, counting each piece as it arrives. */
  private static void copy(InputStream in, ByteArrayOutputStream body, long size, IntConsumer counted)
      throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = size;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new CutShort("body ended after " + (size - left) + " of " + size + " bytes", body.size());
      }
      body.write(buffer, 0, n);
      if (counted != null) {
        counted.accept(n);
      }
      left -= n;
    }
  }

  private static void reset(Socket client) {
    try {
      // A zero linger makes close send RST instead of FIN.
      client.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // Already closed.
    }
    closeQuietly(client);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing left to do with it.
    }
  }

  private static InetAddress loopback(String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException("FaultProxy only forwards to loopback, not " + host);
      }
      return address;
    } catch (UnknownHostException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "fault-proxy");
    thread.setDaemon(true);
    return thread;
  }

  /** A server's answer, held to be relayed or dropped. */
  private record Response(Head head, byte[] body) {

    /** This answer as {@code lie} tells it. */
    Response altered(Fault.Lie lie) {
      Map<String, String> headers = new LinkedHashMap<>(head.headers());
      lie.headers().forEach(
          (name, value) -> {
            headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
            headers.put(name, value);
          });
      String text = lie.body().apply(new String(body, StandardCharsets.ISO_8859_1));
      return new Response(new Head(head.startLine(), headers), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void writeTo(OutputStream out, String method, boolean close) throws IOException {
      StringBuilder text = new StringBuilder(head.startLine()).append("\r\n");
      head.headers()
          .forEach(
              (name, value) -> {
                boolean keepLength =
                    method.equalsIgnoreCase("HEAD") && name.equalsIgnoreCase("Content-Length");
                if (keepLength || !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                  text.append(name).append(": ").append(value).append("\r\n");
                }
              });
      boolean bodiless =
          method.equalsIgnoreCase("HEAD") || head.status() == 204 || head.status() == 304;
      if (!bodiless) {
        text.append("Content-Length: ").append(body.length).append("\r\n");
      }
      if (close) {
        text.append("Connection: close\r\n");
      }
      text.append("\r\n");
      out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }
  }

  /** The start line and headers of a request or response, header names as sent. */
  private record Head(String startLine, Map<String, String> headers) {

    static Optional<Head> read(InputStream in) throws IOException {
      Optional<String> first = line(in);
      if (first.isEmpty()) {
        return Optional.empty();
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = line(in).orElse(""); !line.isEmpty(); line = line(in).orElse("")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.merge(
              line.substring(0, colon).trim(),
              line.substring(colon + 1).trim(),
              (a, b) -> a + ", " + b);
        }
      }
      return Optional.of(new Head(first.get(), headers));
    }

    /** One CRLF-terminated line in ISO-8859-1; empty at end of stream. */
    static Optional<String> line(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          String text = line.toString(StandardCharsets.ISO_8859_1);
          return Optional.of(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
        }
        line.write(b);
      }
      return line.size() == 0 ? Optional.empty() : Optional.of(line.toString(StandardCharsets.ISO_8859_1));
    }

    String method() {
      return startLine.split(" ", 3)[0];
    }

    String target() {
      String[] parts = startLine.split(" ", 3);
      return parts.length > 1 ? parts[1] : "";
    }

    int status() {
      return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    String header(String name) {
      for (Map.Entry<String, String> entry : headers.entrySet()) {
        if (entry.getKey().equalsIgnoreCase(name)) {
          return entry.getValue();
        }
      }
      return null;
    }
  }
}
