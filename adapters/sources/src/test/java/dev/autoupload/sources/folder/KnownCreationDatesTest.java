package dev.autoupload.sources.folder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.sources.media.CreationDates.CreationDate;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The creation dates kept by version: what is known is used for that very version only, across
 * processes and formats.
 */
class KnownCreationDatesTest {

  private static final CreationDate TAKEN =
      new CreationDate(Instant.parse("2023-06-01T12:30:00.123456789Z"), CreationDateSource.EXIF);
  private static final CreationDate READ_AGAIN =
      new CreationDate(Instant.parse("2026-12-07T10:00:00Z"), CreationDateSource.FILE_TIME);

  private static Supplier<CreationDate> mustNotRead() {
    return () -> {
      throw new AssertionError("read although this version's date is known");
    };
  }

  @Test
  void aDateIsUsedForTheVeryVersionItWasReadFromOnly(@TempDir Path dir) {
    Path file = dir.resolve("dates");
    KnownCreationDates dates = KnownCreationDates.in(file);
    assertThat(dates.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", () -> TAKEN)).isEqualTo(TAKEN);
    assertThat(dates.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", mustNotRead())).isEqualTo(TAKEN);
    dates.save();

    KnownCreationDates next = KnownCreationDates.in(file);
    assertThat(next.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", mustNotRead()))
        .as("the next process, the same version")
        .isEqualTo(TAKEN);
    assertThat(next.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:3:t2|t0", () -> READ_AGAIN))
        .as("a new file under the name")
        .isEqualTo(READ_AGAIN);
    assertThat(next.of("2023/other.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", () -> READ_AGAIN))
        .as("the same version text under another path")
        .isEqualTo(READ_AGAIN);
    assertThat(next.reads()).isEqualTo(2);
  }

  /** A file written before versions were kept as 128 bits of their sha256 still spares the reads, and is rewritten. */
  @Test
  void aFileWithVersionTextsIsReadAndWrittenAgainInTheCompactFormat(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("dates");
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(raw)) {
      out.writeInt(0x41554431);
      out.writeInt(1);
      writeString(out, "2023/trip.jpg");
      writeString(out, "5000|2023-06-01T12:30:00Z|1:2:t1|t0");
      out.writeLong(TAKEN.instant().getEpochSecond());
      out.writeInt(TAKEN.instant().getNano());
      writeString(out, TAKEN.source().name());
    }
    long oldSize = Files.size(file);

    KnownCreationDates dates = KnownCreationDates.in(file);
    assertThat(dates.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", mustNotRead())).isEqualTo(TAKEN);
    dates.save();
    assertThat(Files.readAllBytes(file)).startsWith("AUD2".getBytes(StandardCharsets.US_ASCII));
    assertThat(Files.size(file)).isNotEqualTo(oldSize);

    KnownCreationDates next = KnownCreationDates.in(file);
    assertThat(next.of("2023/trip.jpg", "5000|2023-06-01T12:30:00Z|1:2:t1|t0", mustNotRead())).isEqualTo(TAKEN);
    assertThat(next.reads()).isZero();
  }

  private static void writeString(DataOutputStream out, String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }
}
