package dev.autoupload.targets.tus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.FaultProxy;
import dev.autoupload.targets.FaultProxy.Fault;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/**
 * The suite again on a tus server that answers 403 instead of 404 for an upload it does not know
 * (the protocol allows 403, 404 or 410; tusd behind some gateways answers 403): a proxy before
 * tus-java-server turns its 404 on HEAD into 403. The target takes it for "gone" and creates a new
 * upload, as the creation request then succeeds.
 */
class TusAnswering403ConformanceTest extends TusTargetConformanceTest {

  private static final AtomicInteger FORBIDDEN = new AtomicInteger();

  private FaultProxy proxy;

  @Override
  protected URI endpoint(TusServer server) throws Exception {
    if (proxy == null) {
      proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + server.port()));
      proxy.failEvery(
          request -> request.method().equals("HEAD") && unknown(server, request.target()),
          Fault.status(403).body(""));
    }
    return proxy.uri().resolve(TusServer.FILES);
  }

  private static boolean unknown(TusServer server, String target) {
    String path = URI.create(target).getPath();
    try {
      return server.uploads().stream().noneMatch(upload -> upload.url().getPath().equals(path));
    } catch (IOException e) {
      return false;
    }
  }

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      FORBIDDEN.addAndGet((int) proxy.exchanges().stream().filter(exchange -> exchange.fault().isPresent()).count());
      proxy.close();
    }
  }

  /** Without a 403 answered, this class would prove nothing the plain suite does not. */
  @AfterAll
  static void theServerAnswered403() {
    assertThat(FORBIDDEN.get()).as("HEADs of unknown uploads answered 403").isPositive();
  }
}
