package dev.autoupload.targets.http;

import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.TargetSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The one way HTTP targets build their {@link HttpClient}: HTTP/1.1 (a stalled upload then holds
 * one connection, not a multiplexed one all uploads share), connections reused, the connect
 * timeout and TLS trust of {@link TargetSettings}, no redirects followed (a redirected PUT would
 * resend the body to a host the user did not name). Public for the target packages and {@code
 * autoupload-targets-s3}; not for host apps.
 */
public final class HttpClients {

  private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  /** Enough of an error answer to quote it. */
  private static final int ERROR_BODY_BYTES = 8 * 1024;
  /**
   * The most of an answer read as text. The longest a target expects is a Nextcloud listing of an
   * upload's chunks, under 5 MiB for 10,000 of them; an answer without end must not fill the memory.
   */
  static final int MAX_TEXT_BYTES = 16 * 1024 * 1024;
  /** The name java.net.http gives a client's selector thread. */
  static final Pattern SELECTOR_THREAD = Pattern.compile("HttpClient-\\d+-SelectorManager");

  private HttpClients() {}

  /**
   * A client for one target; it holds that target's connections, so targets do not share one.
   *
   * @param settings the connect timeout and TLS trust; read timeouts go on each request
   * @return the client
   * @throws IllegalArgumentException when the trusted certificates cannot be read
   */
  public static HttpClient build(TargetSettings settings) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER);
    trustManagers(settings).ifPresent(managers -> builder.sslContext(sslContext(managers)));
    return builder.build();
  }

  /**
   * Ends the selector thread of every java.net.http client in this JVM, for a process that is about
   * to exit with its targets closed: nothing may be sent afterwards (a client whose thread ended
   * no longer answers; its requests wait for their timeouts). Until JDK 21 a client has no close
   * of its own, and its thread waits in {@code epoll_wait} until the client is garbage; a thread in
   * native code holds the JVM's exit for up to 300 ms (HotSpot's {@code VM_Exit} waits for such
   * threads to block, 30 × 10 ms): a third of a second at the end of every {@code run --once} to an
   * HTTP target, against 20 ms to a local folder. Each thread's loop ends when it is interrupted;
   * they are found by the name the JDK gives them, and a JDK that names them otherwise only keeps
   * the wait.
   */
  public static void stopSelectorThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int count = root.enumerate(threads, true);
    for (int i = 0; i < count; i++) {
      if (SELECTOR_THREAD.matcher(threads[i].getName()).matches()) {
        threads[i].interrupt();
      }
    }
  }

  /**
   * The trust managers {@code settings} ask for instead of the JDK's: one that trusts everything
   * when verification is off, the JDK's authorities plus the trusted certificates when some are
   * named; empty for the JDK's own. Also for clients other than java.net.http (the S3 SDK's).
   *
   * @param settings whether TLS is verified, and the extra certificates
   * @return the trust managers to use, or empty to keep the JDK's default
   * @throws IllegalArgumentException when the trusted certificates cannot be read
   */
  public static Optional<TrustManager[]> trustManagers(TargetSettings settings) {
    if (!settings.verifyTls()) {
      return Optional.of(new TrustManager[] {trustingEverything()});
    }
    return settings.trustedCertificates().map(HttpClients::trusting);
  }

  private static SSLContext sslContext(TrustManager[] managers) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, managers, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
    }
  }

  /**
   * The JDK's trusted authorities plus the certificates in {@code pemFile}. {@link
   * TargetSettings#fromConfig} calls it too, so that a bad file fails at start.
   *
   * @param pemFile a file of one or more PEM certificates
   * @return trust managers for an {@link SSLContext}
   * @throws IllegalArgumentException with a one-line message when the file cannot be read or holds
   *     no PEM certificate
   */
  public static TrustManager[] trusting(Path pemFile) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (X509TrustManager jdk : defaultTrustManagers()) {
        for (X509Certificate authority : jdk.getAcceptedIssuers()) {
          store.setCertificateEntry("jdk-" + n++, authority);
        }
      }
      List<Certificate> extra = readPem(pemFile);
      for (Certificate certificate : extra) {
        store.setCertificateEntry("trusted-" + n++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the certificates in " + pemFile + ": " + e.getMessage(), e);
    }
  }

  private static List<Certificate> readPem(Path pemFile) throws IOException, GeneralSecurityException {
    // CertificateFactory would also take DER, and says only "Could not parse" for anything else.
    if (!Files.readString(pemFile, StandardCharsets.ISO_8859_1).contains(PEM_CERTIFICATE)) {
      throw new IllegalArgumentException(
          pemFile + " holds no PEM certificate (a block starting " + PEM_CERTIFICATE + ")");
    }
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    try (InputStream in = Files.newInputStream(pemFile)) {
      Collection<? extends Certificate> read = factory.generateCertificates(in);
      return new ArrayList<>(read);
    }
  }

  private static List<X509TrustManager> defaultTrustManagers() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    List<X509TrustManager> managers = new ArrayList<>();
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        managers.add(x509);
      }
    }
    return managers;
  }

  /**
   * Sends {@code request}; a failure on the wire is classified by {@link HttpErrors#fromIo}, an
   * interruption is transient. Whatever status the server answers is left to the caller.
   *
   * @param <T> the type of the answer's body
   * @param client the target's client
   * @param request the request, with its timeout
   * @param operation what the request does, for messages ("PUT https://host/a.jpg")
   * @param body how the answer's body is read
   * @return the answer, whatever its status
   * @throws UploadException when no answer arrives: classified as {@link HttpErrors#fromIo} says,
   *     transient when the thread is interrupted (its interrupt flag is set again)
   */
  public static <T> HttpResponse<T> send(
      HttpClient client, HttpRequest request, String operation, HttpResponse.BodyHandler<T> body)
      throws UploadException {
    try {
      return client.send(request, body);
    } catch (IOException e) {
      throw new UploadException(HttpErrors.fromIo(operation, e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UploadException(new UploadError.Transient(operation + " interrupted"), e);
    }
  }

  /** How a target turns an error answer into its classified failure. */
  @FunctionalInterface
  public interface Refusal {
    /**
     * The failure a target reports for an answer it did not want.
     *
     * @param status the answer's HTTP status
     * @param retryAfter its {@code Retry-After} header, if any
     * @param body the start of its body, for the message
     * @return the exception for the caller to throw
     */
    UploadException of(int status, Optional<String> retryAfter, String body);
  }

  /**
   * Sends a GET and returns the body as a stream once the server answered 200; any other answer
   * is read (its first few KiB) and classified by {@code refusal}. The caller closes the stream.
   *
   * @param client the target's client
   * @param request the GET
   * @param operation what the request does, for messages
   * @param refusal how an answer other than 200 becomes the target's failure
   * @return the body of the 200 answer, unread
   * @throws UploadException when no answer arrives ({@link #send}) or {@code refusal}'s failure
   */
  public static InputStream download(HttpClient client, HttpRequest request, String operation, Refusal refusal)
      throws UploadException {
    HttpResponse<InputStream> response = send(client, request, operation, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() == 200) {
      return response.body();
    }
    String body;
    try (InputStream in = response.body()) {
      body = new String(in.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      body = "";
    }
    throw refusal.of(response.statusCode(), response.headers().firstValue("Retry-After"), body);
  }

  /**
   * As {@link #send}, reading the answer as UTF-8 text of at most {@link #MAX_TEXT_BYTES}.
   *
   * @param client the target's client
   * @param request the request, built here
   * @param operation what the request does, for messages
   * @return the answer with its body as text, whatever its status
   * @throws UploadException as {@link #send}; transient for a longer answer
   */
  public static HttpResponse<String> sendForText(HttpClient client, HttpRequest.Builder request, String operation)
      throws UploadException {
    return send(client, request.build(), operation, text());
  }

  /**
   * The answer as UTF-8 text of at most {@link #MAX_TEXT_BYTES}: a longer one fails the request
   * ({@link #send} classifies it as transient), never filling the memory.
   *
   * @return a body handler for {@link #send}
   */
  public static HttpResponse.BodyHandler<String> text() {
    return answer -> new BoundedText(MAX_TEXT_BYTES);
  }

  /**
   * The scheme of {@code endpoint}, {@code http} or {@code https} in lower case, once it is checked
   * to name a host and no user (which goes separately, with its password); {@code kind} names the
   * target in the errors ("WebDAV").
   *
   * @param endpoint the server's URL as the target was given it
   * @param kind the target's kind, for the message
   * @return {@code http} or {@code https}
   * @throws IllegalArgumentException saying what is wrong with the endpoint
   */
  public static String requireHttpEndpoint(URI endpoint, String kind) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("a " + kind + " endpoint is http:// or https://, not " + scheme);
    }
    if (endpoint.getHost() == null) {
      throw new IllegalArgumentException("a " + kind + " endpoint needs a host");
    }
    if (endpoint.getRawUserInfo() != null) {
      throw new IllegalArgumentException("pass the " + kind + " user separately, not in the endpoint");
    }
    return scheme;
  }

  /**
   * Basic authentication for {@code user} with {@code password}, if both are known.
   *
   * @param user the login name
   * @param password its password
   * @return the {@code Authorization} header's value, or empty when either is missing
   */
  public static Optional<String> basicAuthorization(Optional<String> user, Optional<TargetSettings.Secret> password) {
    return user.flatMap(
        u ->
            password.map(
                p ->
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString((u + ":" + p.value()).getBytes(StandardCharsets.UTF_8))));
  }

  /** For a server whose certificate the user chose not to verify: no certificate or host check. */
  private static TrustManager trustingEverything() {
    return new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
  }
}
