package dev.autoupload.targets.nextcloud;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;

/**
 * The suite again behind a proxy whose timeout cuts the assembling MOVE off with 504 while PHP goes
 * on assembling, on object storage that keeps no checksum: the target waits for the part, then
 * reads nothing back it sent itself.
 */
class NextcloudProxyTimeoutConformanceTest extends NextcloudTargetConformanceTest {

  @BeforeAll
  static void behindAProxyWithAShortTimeout() {
    server.assemblingSlowly(504, Duration.ofMillis(150));
    server.withoutChecksumStorage();
  }
}
