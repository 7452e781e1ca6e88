package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The suite again on a Nextcloud older than 26, which speaks chunking version 1 only: it ignores
 * the {@code Destination} header the target sends for version 2, takes chunks of any size and joins
 * them in the order of their names as text.
 */
class NextcloudChunkingV1ConformanceTest extends NextcloudTargetConformanceTest {

  @BeforeAll
  static void chunkingV1() {
    server.chunkingV1();
  }

  /** Eleven chunks: were their numbers not padded, the tenth would be joined second. */
  @Test
  void elevenChunksAreJoinedInOrderByAServerThatSortsTheirNamesAsText() throws Exception {
    int chunk = (int) NextcloudTarget.MIN_CHUNK_SIZE;
    byte[] content = randomBytes(10 * chunk + 4321, 1026);

    Upload upload = upload(target, "clips/eleven chunks.mov", content);

    assertThat(upload.file().sha256()).isEqualTo(sha256(content));
    byte[] stored = serverView().orElseThrow().read("clips/eleven chunks.mov").orElseThrow();
    assertThat(sha256(stored)).as("the file the server joined").isEqualTo(sha256(content));
  }
}
