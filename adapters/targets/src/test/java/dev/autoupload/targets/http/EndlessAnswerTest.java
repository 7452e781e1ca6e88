package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.autoupload.engine.upload.UploadError;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.koofr.KoofrTarget;
import dev.autoupload.targets.nextcloud.NextcloudTarget;
import dev.autoupload.targets.tus.TusTarget;
import dev.autoupload.targets.webdav.WebDavTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server that answers every request with a body that never ends: every HTTP target stops
 * reading at {@link HttpClients#MAX_TEXT_BYTES} and fails the request, instead of filling the
 * memory until the JVM dies.
 */
class EndlessAnswerTest {

  private static final byte[] ENTRY =
      ("<d:response><d:href>/remote.php/dav/files/u/photos/a.jpg</d:href><d:propstat><d:prop>"
              + "<d:getcontentlength>3</d:getcontentlength></d:prop></d:propstat></d:response>\n")
          .getBytes(StandardCharsets.UTF_8);

  @TempDir Path spoolDir;
  private HttpServer server;
  private ExecutorService threads;
  private final AtomicLong sent = new AtomicLong();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    threads = Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/xml; charset=utf-8");
          exchange.getResponseHeaders().add("Tus-Version", "1.0.0");
          exchange.sendResponseHeaders(exchange.getRequestMethod().equals("PROPFIND") ? 207 : 200, 0);
          try (OutputStream body = exchange.getResponseBody()) {
            body.write("<?xml version=\"1.0\"?><d:multistatus xmlns:d=\"DAV:\">\n".getBytes(StandardCharsets.UTF_8));
            while (true) {
              body.write(ENTRY);
              sent.addAndGet(ENTRY.length);
            }
          } catch (IOException clientGone) {
            exchange.close();
          }
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    threads.shutdownNow();
  }

  static Stream<Arguments> targets() {
    return Stream.of(
        Arguments.of("WebDAV PROPFIND", (Probe) (origin, settings) ->
            () -> new WebDavTarget(origin.resolve("/photos"), Optional.of("u"), settings).probe("a.jpg")),
        Arguments.of("Nextcloud PROPFIND", (Probe) (origin, settings) ->
            () -> new NextcloudTarget(origin, "u", "/photos", NextcloudTarget.DEFAULT_CHUNK_SIZE, settings).probe("a.jpg")),
        Arguments.of("Koofr mounts", (Probe) (origin, settings) ->
            () -> new KoofrTarget(origin, "u@example.com", "Koofr", "/photos", settings).check()),
        Arguments.of("tus OPTIONS", (Probe) (origin, settings) ->
            () -> new TusTarget(origin.resolve("/files/"), Optional.empty(), settings).check()));
  }

  /** What a target asks the server, as a call that must fail. */
  interface Probe {
    ThrowingCallable of(URI origin, TargetSettings settings);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void anAnswerWithoutEndFailsTheRequestOnceItPassesTheLimit(String what, Probe probe) {
    URI origin = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    TargetSettings settings =
        TargetSettings.defaults().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), 64 * 1024)
            .withSpoolDir(spoolDir).withPassword("secret");

    Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> catchThrowable(probe.of(origin, settings)));

    assertThat(thrown).as(what).isInstanceOf(UploadException.class);
    UploadError error = ((UploadException) thrown).error();
    assertThat(error).isInstanceOf(UploadError.Transient.class);
    assertThat(error.message()).contains("the answer is longer than " + HttpClients.MAX_TEXT_BYTES + " bytes");
    assertThat(sent.get()).as("bytes the server got out before the client hung up").isLessThan(4L * HttpClients.MAX_TEXT_BYTES);
  }
}
