package dev.autoupload.engine.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.upload.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An asset's version is stored (in the ledger, in the content-hash cache), so the text its
 * modification time is fingerprinted with must stay exactly {@link Instant#toString()}'s.
 */
class InstantTextTest {

  private static final long YEAR_10000 = LocalDateTime.of(10000, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);

  static Stream<Instant> edges() {
    return Stream.of(
        Instant.EPOCH,
        Instant.ofEpochSecond(0, 1),
        Instant.ofEpochSecond(-1),
        Instant.ofEpochSecond(-1, 999_999_999),
        Instant.parse("1999-12-31T23:59:59Z"),
        Instant.parse("2000-02-29T12:00:00.5Z"),
        Instant.parse("2000-03-01T00:00:00Z"),
        Instant.parse("2023-02-28T23:59:59.999Z"),
        Instant.parse("2024-02-29T00:00:00.000001Z"),
        Instant.parse("2100-02-28T23:59:59.123456789Z"),
        Instant.parse("2100-03-01T00:00:00Z"),
        Instant.parse("2400-02-29T00:00:00.010Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.ofEpochSecond(YEAR_10000),
        Instant.ofEpochSecond(YEAR_10000 - 1),
        Instant.MIN,
        Instant.MAX);
  }

  @ParameterizedTest
  @MethodSource("edges")
  void isInstantToStringAtTheEdges(Instant instant) {
    assertThat(written(instant)).isEqualTo(instant.toString());
  }

  /** Seeded, so a failure repeats; every kind of fraction, in and beyond the years made by hand. */
  @Test
  void isInstantToStringForTwoMillionInstants() {
    Random random = new Random(20261205);
    for (int i = 0; i < 2_000_000; i++) {
      long seconds =
          switch (i % 4) {
            case 0, 1 -> Math.floorMod(random.nextLong(), YEAR_10000);
            case 2 -> 1_000_000_000L + random.nextInt(1_000_000_000);
            default -> random.nextLong() % Instant.MAX.getEpochSecond();
          };
      int nanos = nanos(random);
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      String expected = instant.toString();
      String made = written(instant);
      if (!made.equals(expected)) {
        assertThat(made).as("seconds %d, nanos %d", seconds, nanos).isEqualTo(expected);
      }
    }
  }

  @Test
  void aVersionIsTheFingerprintItAlwaysWas() {
    Random random = new Random(14);
    for (int i = 0; i < 100_000; i++) {
      long seconds = random.nextInt(20) == 0 ? -random.nextInt(Integer.MAX_VALUE) : Math.floorMod(random.nextLong(), YEAR_10000 + 1000);
      Instant modified = Instant.ofEpochSecond(seconds, nanos(random));
      Optional<String> stamp =
          switch (random.nextInt(4)) {
            case 0 -> Optional.empty();
            case 1 -> Optional.of("");
            case 2 -> Optional.of("stämp ✓ " + "x".repeat(random.nextInt(300)));
            default -> Optional.of("stamp-" + random.nextInt());
          };
      long size =
          switch (random.nextInt(4)) {
            case 0 -> random.nextInt(10);
            case 1 -> Long.MAX_VALUE - random.nextInt(3);
            default -> random.nextInt(Integer.MAX_VALUE);
          };
      Asset asset =
          new Asset(
              "id" + i, "lib", "DCIM/" + i + ".jpg", size, modified, CreationDateSource.FILE_TIME, modified, stamp, Optional.empty());
      String fingerprint = size + "|" + modified + "|" + stamp.orElse("");
      String before =
          HexFormat.of().formatHex(Sha256.newDigest().digest(fingerprint.getBytes(StandardCharsets.UTF_8)), 0, 8);
      assertThat(asset.version()).isEqualTo(before);
      assertThat(asset.versionNumber()).isEqualTo(Long.parseUnsignedLong(before, 16));
    }
  }

  /** What {@link InstantText#write} writes for {@code instant}, as text. */
  private static String written(Instant instant) {
    byte[] text = new byte[InstantText.LONGEST];
    return new String(text, 0, InstantText.write(instant, text, 0), StandardCharsets.US_ASCII);
  }

  /** None, or a fraction of three, six or nine digits. */
  private static int nanos(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextInt(1000) * 1_000_000;
      case 2 -> random.nextInt(1_000_000) * 1000;
      default -> random.nextInt(1_000_000_000);
    };
  }
}
