package dev.autoupload.it;

import dev.autoupload.targets.webdav.NginxWebDav;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * nginx with WebDAV on 127.0.0.1 for the tests of one class, started before the first and stopped,
 * its folder deleted, after the last: {@code @RegisterExtension static final NginxServer nginx = new
 * NginxServer();}.
 */
final class NginxServer implements BeforeAllCallback, AfterAllCallback {

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
        MediaFiles.deleteTree(dir);
      }
    }
  }

  /** The app's target URI for {@code folder} on this server (the password goes by environment). */
  String uri(String folder) {
    return "webdav://" + NginxWebDav.USER + "@127.0.0.1:" + server.port() + "/" + folder;
  }

  /** Where the server keeps {@code folder} on disk. */
  Path folder(String folder) {
    return server.www().resolve(folder);
  }
}
