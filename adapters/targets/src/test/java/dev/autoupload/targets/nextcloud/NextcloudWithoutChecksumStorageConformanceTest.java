package dev.autoupload.targets.nextcloud;

import org.junit.jupiter.api.BeforeAll;

/**
 * The suite again on a Nextcloud that keeps no {@code OC-Checksum} for an assembled upload, as one
 * on object storage with a distributed cache: every file larger than one chunk comes without a
 * hash, and whatever the target would check by it, it checks by reading the file back.
 */
class NextcloudWithoutChecksumStorageConformanceTest extends NextcloudTargetConformanceTest {

  @BeforeAll
  static void withoutChecksumStorage() {
    server.withoutChecksumStorage();
  }
}
