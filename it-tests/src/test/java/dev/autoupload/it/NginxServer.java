package dev.autoupload.it;

import dev.autoupload.targets.webdav.NginxWebDav;
import dev.autoupload.targets.webdav.NginxWebDavServer;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * nginx with WebDAV on 127.0.0.1 for the tests of one class ({@link NginxWebDavServer}'s life
 * cycle), with the app's target URIs: {@code @RegisterExtension static final NginxServer nginx =
 * new NginxServer();}.
 */
final class NginxServer implements BeforeAllCallback, AfterAllCallback {

  private final NginxWebDavServer server = new NginxWebDavServer();

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server.beforeAll(context);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    server.afterAll(context);
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
