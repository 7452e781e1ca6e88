package dev.autoupload.targets.nextcloud;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;

/**
 * The suite again on a Nextcloud behind a proxy that answers the assembling MOVE before the server
 * is done: 423 at once while the chunks are merged in the background for a moment, as rclone meets
 * it. The target waits for the part to appear instead of sending anything again.
 */
class NextcloudSlowAssemblyConformanceTest extends NextcloudTargetConformanceTest {

  @BeforeAll
  static void assemblingSlowly() {
    server.assemblingSlowly(423, Duration.ofMillis(150));
  }
}
