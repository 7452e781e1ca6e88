package dev.autoupload.engine.internal.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.library.LedgerTable.AssetVersion;
import dev.autoupload.engine.internal.library.LedgerTable.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LedgerChunkTest {

  /** Seeded random rows, each fact present or not, of every shape the engine or a user may give. */
  @Test
  void everyFactOfEveryRowComesBackAsItWent() {
    for (long seed = 1; seed <= 200; seed++) {
      Random random = new Random(seed);
      List<Row> rows = new ArrayList<>();
      for (int index = 1; index <= 1 + random.nextInt(300); index++) {
        rows.add(
            new Row(
                5,
                index,
                random.nextBoolean() ? Optional.of(new AssetVersion(text(random), random.nextLong())) : Optional.empty(),
                random.nextBoolean() ? Optional.of(sha256(random)) : Optional.empty(),
                random.nextBoolean() ? OptionalLong.of(random.nextBoolean() ? random.nextInt(1 << 20) : random.nextLong()) : OptionalLong.empty(),
                random.nextBoolean() ? Optional.of(text(random)) : Optional.empty()));
      }

      List<String> decoded = new ArrayList<>();
      LedgerChunk.decode(LedgerChunk.encode(rows), rows.size(), recorder(decoded));

      List<String> expected = new ArrayList<>();
      for (Row row : rows) {
        row.asset().ifPresent(asset -> expected.add("v " + asset.assetId() + " " + asset.version()));
        row.sha256().ifPresent(sha -> expected.add("c " + sha));
        row.size().ifPresent(size -> expected.add("s " + size));
        row.pathFingerprint().ifPresent(path -> expected.add("p " + path));
      }
      assertThat(decoded).as("seed %d", seed).isEqualTo(expected);
    }
  }

  @Test
  void aValueCutShortOrLongerThanItsRowsIsRefused() {
    List<Row> rows =
        List.of(
            new Row(1, 1, Optional.of(new AssetVersion("IMG_0001.jpg", 7)), Optional.of("%064x".formatted(3)), OptionalLong.of(9), Optional.of("0123456789abcdef")),
            new Row(1, 2, Optional.of(new AssetVersion("IMG_0002.jpg", 8)), Optional.empty(), OptionalLong.empty(), Optional.empty()));
    byte[] value = LedgerChunk.encode(rows);

    for (int length = 0; length < value.length; length++) {
      byte[] cut = Arrays.copyOf(value, length);
      assertThatThrownBy(() -> LedgerChunk.decode(cut, 2, recorder(new ArrayList<>())))
          .as("cut to %d bytes", length)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ends in the middle of a row");
    }
    assertThatThrownBy(() -> LedgerChunk.decode(value, 1, recorder(new ArrayList<>())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a ledger chunk of 1 rows has");
    byte[] unknown = value.clone();
    unknown[0] = (byte) 0x40;
    assertThatThrownBy(() -> LedgerChunk.decode(unknown, 2, recorder(new ArrayList<>())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unknown flags 64");
  }

  private static String text(Random random) {
    String[] pieces = {"IMG_", "é", "📷", "/", " ", "\u202e", "a", "0", "Ω"};
    StringBuilder text = new StringBuilder();
    for (int i = random.nextInt(12); i > 0; i--) {
      text.append(pieces[random.nextInt(pieces.length)]);
    }
    return text.toString();
  }

  /** Mostly as the engine writes them, 64 lowercase hex digits; sometimes not. */
  private static String sha256(Random random) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      hex.append(Character.forDigit(random.nextInt(16), 16));
    }
    return switch (random.nextInt(4)) {
      case 0 -> hex.toString().toUpperCase();
      case 1 -> hex.substring(0, 63);
      default -> hex.toString();
    };
  }

  private static LedgerTable.Reader recorder(List<String> calls) {
    return LedgerTableContract.recorder(calls);
  }
}
