package dev.autoupload.targets.webdav;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link NginxWebDav} over plain HTTP for the tests of one class, started before the first and
 * stopped, its folder deleted, after the last: {@code @RegisterExtension static final
 * NginxWebDavServer nginx = new NginxWebDavServer();}. Public for the integration tests, which
 * wrap it.
 */
public final class NginxWebDavServer implements BeforeAllCallback, AfterAllCallback {

  private Path dir;
  private NginxWebDav server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("nginx-webdav");
    server = NginxWebDav.start(dir);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  /** {@code http://127.0.0.1:port} followed by {@code encodedPath}. */
  public URI uri(String encodedPath) {
    return server.uri(encodedPath);
  }

  public int port() {
    return server.port();
  }

  /** The server's document root on disk, to check what it really stored. */
  public Path www() {
    return server.www();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
