package dev.autoupload.targets.koofr;

import org.junit.jupiter.api.BeforeAll;

/**
 * The suite again on a mount that keeps no MD5, as a Dropbox or Google Drive connected to Koofr,
 * whose files come with {@code "hash": ""}, and with a taken name answered 400, as Koofr's API v2
 * does: every check the target makes by hash it makes by reading back instead.
 */
class KoofrWithoutHashesConformanceTest extends KoofrTargetConformanceTest {

  @BeforeAll
  static void withoutHashes() {
    koofr.withoutHashes("Koofr", true);
    koofr.answerExistsWith(400);
  }
}
