package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.autoupload.targets.TargetSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpClientsTest {

  @TempDir Path dir;

  @Test
  void stoppingTheSelectorThreadsEndsTheOneOfAClientThatWasUsed() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    try {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      Set<Thread> before = selectorThreads();
      HttpClient client = HttpClients.build(TargetSettings.defaults());
      Set<Thread> its = new HashSet<>(selectorThreads());
      its.removeAll(before);
      assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(204);
      assertThat(its).hasSize(1);

      HttpClients.stopSelectorThreads();

      Thread thread = its.iterator().next();
      thread.join(10_000);
      assertThat(thread.isAlive()).as("the client's selector thread, which would hold the JVM's exit").isFalse();
    } finally {
      server.stop(0);
    }
  }

  private static Set<Thread> selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> HttpClients.SELECTOR_THREAD.matcher(thread.getName()).matches())
        .collect(Collectors.toSet());
  }

  @Test
  void aFileWithoutAPemCertificateIsRefusedInOneLine() throws Exception {
    Path key =
        Files.writeString(
            dir.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(key));

    assertThat(error).hasMessage(key + " holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void aCertificateBlockThatDoesNotParseNamesTheFile() throws Exception {
    Path broken =
        Files.writeString(
            dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(broken));

    assertThat(error.getMessage()).startsWith("cannot use the certificates in " + broken + ": ").doesNotContain("\n");
  }

  @Test
  void aMissingFileNamesTheFile() {
    Path missing = dir.resolve("missing.pem");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(missing));

    assertThat(error.getMessage()).startsWith("cannot use the certificates in " + missing);
  }
}
