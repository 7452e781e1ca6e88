package dev.autoupload.engine.persistence;

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
      new JdbcContentHashCache(pool).remember(asset(100, modified), "ab".repeat(32));
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
}
