package dev.autoupload.targets.tus;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
import java.net.URI;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import me.desair.tus.server.TusFileUploadService;
import me.desair.tus.server.exception.TusException;
import me.desair.tus.server.upload.UploadInfo;
import me.desair.tus.server.upload.UuidUploadIdFactory;
import me.desair.tus.server.upload.disk.DiskStorageService;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real tus 1.0 server for the tests: tus-java-server on embedded Jetty 12, on 127.0.0.1 and a
 * free port, storing uploads on disk under a directory the test owns. All its extensions are on:
 * creation, checksum (sha256 among others), termination, expiration, concatenation, and the
 * download (GET) it adds beyond the protocol.
 *
 * <p>Tests look behind the client's back through {@link #uploads()}, {@link #bytes(URI)}, {@link
 * #delete(URI)} and {@link #patchBytesReceived()}.
 */
public final class TusServer implements AutoCloseable {

  /** The creation URL's path. */
  public static final String FILES = "/files/";

  /** One upload as the server keeps it. */
  public record StoredUpload(URI url, Optional<String> filename, long offset, long length) {
    public boolean finished() {
      return offset == length;
    }
  }

  private final Path storage;
  private final TusFileUploadService tus;
  /**
   * The same storage, read without the server's per-upload locks: a request thread may still hold
   * one for a moment after its answer reached the client, and a test must not see that as absent.
   */
  private final DiskStorageService inspection;
  private final Server jetty;
  private final ServerConnector connector;
  private final AtomicLong patchBytes = new AtomicLong();
  private volatile boolean unavailable;
  private volatile boolean absoluteHttpLocations;
  /** Requests handled by method; guarded by this server's monitor. */
  private final Map<String, Integer> handled = new HashMap<>();
  /** Requests being handled now; guarded by this server's monitor. */
  private int inFlight;
  /** How long a request may still write an upload's info file when a test looks at it. */
  private static final Duration INFO_WRITTEN_WITHIN = Duration.ofSeconds(30);

  private TusServer(Path storage) {
    this.storage = storage;
    this.tus =
        new TusFileUploadService()
            .withUploadUri(FILES)
            .withStoragePath(storage.toString())
            .withUploadExpirationPeriod(24L * 60 * 60 * 1000)
            .withDownloadFeature();
    UuidUploadIdFactory ids = new UuidUploadIdFactory();
    ids.setUploadUri(FILES);
    this.inspection = new DiskStorageService(ids, storage.toString());
    this.jetty = new Server();
    this.connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new TusServlet()), FILES + "*");
    jetty.setHandler(context);
  }

  /** Starts a server storing its uploads under {@code storage}; returns once it listens. */
  public static TusServer start(Path storage) throws Exception {
    TusServer server = new TusServer(storage);
    server.jetty.start();
    return server;
  }

  /**
   * While true, a {@code Location} is absolute, built from the request's Host as plain {@code
   * http://}, as tusd does behind a TLS-terminating proxy without {@code -behind-proxy}
   * (tus/tusd#277); tus-java-server's own are relative.
   */
  public void absoluteHttpLocations(boolean absolute) {
    this.absoluteHttpLocations = absolute;
  }

  /** While true, every request is answered 503 Service Unavailable, as by a server under maintenance. */
  public void unavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://127.0.0.1:<port>/files/}, where uploads are created. */
  public URI creationUrl() {
    return URI.create("http://127.0.0.1:" + port() + FILES);
  }

  /** Every upload the server holds, finished or not. */
  public List<StoredUpload> uploads() throws IOException {
    Path uploads = storage.resolve("uploads");
    List<StoredUpload> found = new ArrayList<>();
    if (!Files.isDirectory(uploads)) {
      return found;
    }
    try (Stream<Path> ids = Files.list(uploads)) {
      for (Path id : (Iterable<Path>) ids::iterator) {
        URI url = creationUrl().resolve(id.getFileName().toString());
        info(url).ifPresent(info -> found.add(stored(url, info)));
      }
    }
    return found;
  }

  /** The finished uploads whose {@code filename} metadata is {@code name}. */
  public List<StoredUpload> finishedUploadsNamed(String name) throws IOException {
    List<StoredUpload> named = new ArrayList<>();
    for (StoredUpload upload : uploads()) {
      if (upload.finished() && upload.filename().equals(Optional.of(name))) {
        named.add(upload);
      }
    }
    return named;
  }

  /** The bytes the server holds for the upload at {@code url} (an absolute URL or its path). */
  public byte[] bytes(URI url) throws IOException {
    return whileNoRequestWrites(
        () -> {
          try (InputStream in = inspection.getUploadedBytes(url.getPath(), null)) {
            return in.readAllBytes();
          } catch (TusException e) {
            throw new IOException("no upload at " + url + ": " + e.getMessage(), e);
          }
        });
  }

  /** Deletes the upload at {@code url} behind the client's back, as an expiry would. */
  public void delete(URI url) throws IOException {
    UploadInfo info =
        info(url).orElseThrow(() -> new IOException("no upload at " + url + " to delete"));
    try {
      inspection.terminateUpload(info);
    } catch (TusException e) {
      throw new IOException("cannot delete " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the server has handled {@code count} requests with {@code method} since it
   * started. A request cut off on the wire may reach the server after the client gave up, and
   * until it is handled it holds its upload's lock (tus-java-server answers a request on a locked
   * upload with an empty 200).
   */
  public synchronized void awaitHandled(String method, int count, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (handled.getOrDefault(method, 0) < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            handled.getOrDefault(method, 0) + " " + method + " requests handled after " + timeout + ", not " + count);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private synchronized void started() {
    inFlight++;
  }

  private synchronized void handled(String method) {
    inFlight--;
    handled.merge(method, 1, Integer::sum);
    notifyAll();
  }

  /** Body bytes of every PATCH that reached the server, whether it kept them or not. */
  public long patchBytesReceived() {
    return patchBytes.get();
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  private Optional<UploadInfo> info(URI url) throws IOException {
    return whileNoRequestWrites(() -> Optional.ofNullable(inspection.getUploadInfo(url.getPath(), null)));
  }

  /**
   * Reads what a request thread may be writing: a request still being handled, maybe of a client
   * killed in the middle of it. KillLoopIT read an info file half-written, and met the writer's
   * file lock, which this JVM reports as an {@link OverlappingFileLockException} rather than a
   * wait. Either way the read is tried again once no request is in flight.
   */
  private <T> T whileNoRequestWrites(StorageRead<T> read) throws IOException {
    try {
      return read.get();
    } catch (EOFException | StreamCorruptedException | OverlappingFileLockException e) {
      awaitNoRequestInFlight(INFO_WRITTEN_WITHIN);
      return read.get();
    }
  }

  private interface StorageRead<T> {
    T get() throws IOException;
  }

  private synchronized void awaitNoRequestInFlight(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(inFlight + " requests still being handled after " + timeout);
        }
        wait(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the server handled requests");
    }
  }

  /**
   * tus-java-server keeps an {@code Upload-Length} of 0 as "length not known yet"; clients here
   * never defer the length, so such an upload is an empty file.
   */
  private static StoredUpload stored(URI url, UploadInfo info) {
    return new StoredUpload(
        url,
        filename(info.getEncodedMetadata()),
        info.getOffset() == null ? 0 : info.getOffset(),
        info.getLength() == null ? 0 : info.getLength());
  }

  /** The {@code filename} entry of {@code Upload-Metadata}, decoded as the client encoded it. */
  private static Optional<String> filename(String encodedMetadata) {
    if (encodedMetadata == null) {
      return Optional.empty();
    }
    for (String pair : encodedMetadata.split(",")) {
      String[] keyValue = pair.trim().split(" ", 2);
      if (keyValue[0].equals("filename") && keyValue.length == 2) {
        return Optional.of(new String(Base64.getDecoder().decode(keyValue[1].trim()), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  /** Hands every request under {@link #FILES} to tus-java-server, counting PATCH bodies. */
  private final class TusServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      started();
      if (unavailable) {
        handled(request.getMethod());
        response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "down for maintenance");
        return;
      }
      HttpServletRequest counted =
          "PATCH".equalsIgnoreCase(request.getMethod()) ? new CountingRequest(request) : request;
      try {
        tus.process(counted, absoluteHttpLocations ? new HttpLocations(request, response) : response);
      } finally {
        handled(request.getMethod());
      }
    }
  }

  /** Makes a relative {@code Location} absolute from the Host the request came with, as http. */
  private static final class HttpLocations extends HttpServletResponseWrapper {

    private final String origin;

    HttpLocations(HttpServletRequest request, HttpServletResponse response) {
      super(response);
      this.origin = "http://" + request.getHeader("Host");
    }

    @Override
    public void setHeader(String name, String value) {
      super.setHeader(name, absolute(name, value));
    }

    @Override
    public void addHeader(String name, String value) {
      super.addHeader(name, absolute(name, value));
    }

    private String absolute(String name, String value) {
      return "Location".equalsIgnoreCase(name) && value != null && value.startsWith("/") ? origin + value : value;
    }
  }

  private final class CountingRequest extends HttpServletRequestWrapper {

    CountingRequest(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      ServletInputStream in = super.getInputStream();
      return new ServletInputStream() {
        @Override
        public int read() throws IOException {
          int b = in.read();
          if (b >= 0) {
            patchBytes.incrementAndGet();
          }
          return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          int n = in.read(buffer, offset, length);
          if (n > 0) {
            patchBytes.addAndGet(n);
          }
          return n;
        }

        @Override
        public boolean isFinished() {
          return in.isFinished();
        }

        @Override
        public boolean isReady() {
          return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
          in.setReadListener(listener);
        }
      };
    }
  }
}
