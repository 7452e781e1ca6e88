package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JdbcContentHashCacheTest {

  @TempDir Path dataDir;

  private static Asset asset(long size, Instant modified) {
    Instant taken = Instant.parse("2023-06-01T12:00:00Z");
    return new Asset("a1", "lib", "DCIM/IMG_0001.JPG", size, taken, CreationDateSource.EXIF, modified, Optional.empty());
  }

  @Test
  void remembersAHashAcrossReopeningUntilTheFileChanges() throws Exception {
    Instant modified = Instant.parse("2024-02-03T04:05:06.123456789Z");
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    try (HikariDataSource pool = journal.pool(2)) {
      JdbcContentHashCache cache = new JdbcContentHashCache(pool);
      cache.remember(asset(100, modified), "ab".repeat(32));
      cache.flush();
    }

    try (HikariDataSource pool = journal.pool(2)) {
      JdbcContentHashCache reopened = new JdbcContentHashCache(pool);
      assertThat(reopened.lookup(asset(100, modified))).hasValue("ab".repeat(32));
      assertThat(reopened.lookup(asset(101, modified))).as("another size").isEmpty();
      assertThat(reopened.lookup(asset(100, modified.plusSeconds(1)))).as("modified since").isEmpty();

      reopened.remember(asset(101, modified.plusSeconds(1)), "cd".repeat(32));
      assertThat(reopened.lookup(asset(101, modified.plusSeconds(1)))).hasValue("cd".repeat(32));
      assertThat(reopened.lookup(asset(100, modified))).as("replaced, not kept beside").isEmpty();
    }
  }

  /** Hashes are written many to a transaction: held back until enough wait, and known meanwhile. */
  @Test
  void hashesAreWrittenTogetherAndKnownWhileTheyWait() throws Exception {
    Instant modified = Instant.parse("2024-02-03T04:05:06Z");
    JournalDatabase journal = JournalDatabase.of("", "sa", "", dataDir);
    journal.migrate();
    try (HikariDataSource pool = journal.pool(2)) {
      JdbcContentHashCache cache = new JdbcContentHashCache(pool);
      JdbcContentHashCache database = new JdbcContentHashCache(pool);

      cache.remember(asset(1, modified), "01".repeat(32));
      assertThat(cache.lookup(asset(1, modified))).as("waiting").hasValue("01".repeat(32));
      assertThat(database.lookup(asset(1, modified))).as("not written yet").isEmpty();

      for (int i = 0; i < JdbcContentHashCache.WRITE_EVERY; i++) {
        cache.remember(numbered(i, modified), "%064x".formatted(i));
      }
      assertThat(database.lookup(asset(1, modified))).as("written with the others").hasValue("01".repeat(32));
      assertThat(database.lookup(numbered(62, modified))).hasValue("%064x".formatted(62));

      cache.remember(numbered(1000, modified), "%064x".formatted(1000));
      cache.flush();
      assertThat(database.lookup(numbered(1000, modified))).as("flushed").hasValue("%064x".formatted(1000));
    }
  }

  private static Asset numbered(int i, Instant modified) {
    return new Asset("n" + i, "lib", "DCIM/IMG_" + i + ".JPG", 10 + i, modified, CreationDateSource.EXIF, modified, Optional.empty());
  }
}
