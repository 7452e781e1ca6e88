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
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>Bodies are read whole into memory and forwarded with a {@code Content-Length}; chunked
 * requests and responses are accepted. Each forwarded request uses a fresh connection to the
 * server; the client's connection is kept alive as HTTP/1.1 allows.
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
  }

  /**
   * One request the proxy received: its method and request target, how many body bytes it read,
   * and the fault it answered with (empty when it passed the request through).
   */
  public record Exchange(String method, String target, long bodyBytes, Optional<Fault> fault) {}

  private record Rule(Optional<String> method, Fault fault) {}

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "transfer-encoding", "content-length", "expect", "te");

  private final ServerSocket listener;
  private final InetSocketAddress backend;
  private final ExecutorService threads = Executors.newCachedThreadPool(FaultProxy::daemon);
  private final ConcurrentLinkedDeque<Rule> rules = new ConcurrentLinkedDeque<>();
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

  /** Drops every fault not yet used: from now on requests reach the server. */
  public FaultProxy passThrough() {
    rules.clear();
    return this;
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
        if (!handle(head.get(), in, out, client)) {
          return;
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
    Optional<Fault> fault = takeFault(request.method());
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
    byte[] body = readBody(request, in, true);
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
    response.writeTo(out, request.method(), close);
    return !close;
  }

  private Optional<Fault> takeFault(String method) {
    for (Rule rule : rules) {
      if (rule.method().map(method::equalsIgnoreCase).orElse(true) && rules.remove(rule)) {
        return Optional.of(rule.fault());
      }
    }
    return Optional.empty();
  }

  private void record(Head request, long bodyBytes, Optional<Fault> fault) {
    Exchange exchange = new Exchange(request.method(), request.target(), bodyBytes, fault);
    exchanges.add(exchange);
    arrivals.add(exchange);
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
      byte[] responseBody = bodiless ? new byte[0] : readBody(response, in, false);
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

  /** A request's or response's body, de-chunked; a response without framing runs to EOF. */
  private static byte[] readBody(Head head, InputStream in, boolean isRequest)
      throws IOException {
    if ("chunked".equalsIgnoreCase(head.header("Transfer-Encoding"))) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = Head.line(in).orElseThrow(() -> new EOFException("chunk size"));
        int semicolon = sizeLine.indexOf(';');
        int size =
            Integer.parseInt(
                (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
        if (size == 0) {
          // Trailers, if any, end with an empty line.
          while (!Head.line(in).orElse("").isEmpty()) {}
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        Head.line(in);
      }
    }
    String length = head.header("Content-Length");
    if (length != null) {
      int size = Integer.parseInt(length.trim());
      byte[] body = in.readNBytes(size);
      if (body.length != size) {
        throw new EOFException("body ended after " + body.length + " of " + size + " bytes");
      }
      return body;
    }
    return isRequest ? new byte[0] : in.readAllBytes();
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
