package dev.autoupload.targets.nextcloud;

import org.junit.jupiter.api.BeforeAll;

/**
 * The suite again on a Nextcloud that records an assembled upload with 0 bytes in PROPFIND while
 * serving all of them (nextcloud/server#64029, #59715): the target reads such a file back before it
 * tells its size or calls it the same or different.
 */
class NextcloudZeroSizeRecordsConformanceTest extends NextcloudTargetConformanceTest {

  @BeforeAll
  static void recordingZeroSizes() {
    server.withoutChecksumStorage();
    server.recordingZeroSizeAfterAssembly();
  }
}
