package dev.autoupload.targets.tus;

import dev.autoupload.targets.tls.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * HTTPS on 127.0.0.1 in front of a plain HTTP server, as a TLS-terminating reverse proxy: bytes
 * are passed as they are, so the server sees plain HTTP with the proxy's Host and builds absolute
 * {@code http://} Locations for an {@code https://} endpoint (tus/tusd#277). Counts them.
 */
final class TlsTerminatingProxy implements AutoCloseable {

  private static final byte[] HTTP_LOCATION = "\r\nLocation: http://".getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket listener;
  private final InetSocketAddress backend;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "tls-terminating-proxy");
            thread.setDaemon(true);
            return thread;
          });
  private final AtomicInteger httpLocations = new AtomicInteger();

  private TlsTerminatingProxy(ServerSocket listener, InetSocketAddress backend) {
    this.listener = listener;
    this.backend = backend;
    threads.execute(this::accept);
  }

  /** Starts on a free port of 127.0.0.1 with the loopback certificate of {@code certificates}. */
  static TlsTerminatingProxy start(TestCertificates certificates, int backendPort) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(keyStore(certificates.loopback()), new char[0]);
    tls.init(keys.getKeyManagers(), null, null);
    ServerSocket listener =
        tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    return new TlsTerminatingProxy(listener, new InetSocketAddress("127.0.0.1", backendPort));
  }

  URI uri() {
    return URI.create("https://127.0.0.1:" + listener.getLocalPort());
  }

  /** Answers whose {@code Location} was an absolute {@code http://} URL. */
  int httpLocations() {
    return httpLocations.get();
  }

  private static KeyStore keyStore(TestCertificates.ServerCertificate server) throws Exception {
    Certificate certificate;
    try (InputStream in = Files.newInputStream(server.certificate())) {
      certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String pem = Files.readString(server.key(), StandardCharsets.US_ASCII);
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, new char[0], new Certificate[] {certificate});
    return store;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(backend.getAddress(), backend.getPort());
        threads.execute(() -> pipe(client, server, false));
        threads.execute(() -> pipe(server, client, true));
      } catch (IOException e) {
        // Closed, or one connection failed: the client sees its connection fail.
      }
    }
  }

  private void pipe(Socket from, Socket to, boolean answers) {
    byte[] buffer = new byte[64 * 1024];
    int matched = 0;
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        if (answers) {
          for (int i = 0; i < n; i++) {
            matched = buffer[i] == HTTP_LOCATION[matched] ? matched + 1 : (buffer[i] == HTTP_LOCATION[0] ? 1 : 0);
            if (matched == HTTP_LOCATION.length) {
              httpLocations.incrementAndGet();
              matched = 0;
            }
          }
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // The other side closed.
    } finally {
      close(from);
      close(to);
    }
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException e) {
      // Closing anyway.
    }
    threads.shutdownNow();
  }
}
