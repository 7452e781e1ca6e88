package dev.autoupload.engine.internal.persistence;

import dev.autoupload.engine.internal.library.LedgerTable;
import dev.autoupload.engine.internal.library.LedgerTable.Row;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Consecutive rows of a whole ledger as one binary value (a row of table {@code ledger_chunk}):
 * H2 reads a row of a table in 2.5 to 3 µs at best on the 2-core machine, so a million rows of
 * {@code ledger_row} cost a restart about 3 s before any of its facts was used; a million facts in
 * chunks of {@link JdbcLedgerTable#BATCH} are 200 rows.
 *
 * <p>Each row: a byte of flags saying which facts follow, then the asset's id (UTF-8, its length
 * first) and version, the sha256 (32 bytes when it is 64 lowercase hex digits, as the engine
 * writes them, else as text), the size, and the path's fingerprint (text). Lengths and sizes are
 * unsigned varints; a version is 8 bytes.
 */
final class LedgerChunk {

  private static final int ASSET = 1;
  private static final int SHA256_BYTES = 2;
  private static final int SHA256_TEXT = 4;
  private static final int SIZE = 8;
  private static final int PATH = 16;
  private static final int KNOWN = ASSET | SHA256_BYTES | SHA256_TEXT | SIZE | PATH;

  private LedgerChunk() {}

  /** The rows, in their order, as one value. */
  static byte[] encode(List<Row> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 96);
    for (Row row : rows) {
      Optional<String> sha256 = row.sha256();
      boolean hex = sha256.isPresent() && isLowerHex256(sha256.get());
      int flags =
          (row.asset().isPresent() ? ASSET : 0)
              | (sha256.isPresent() ? (hex ? SHA256_BYTES : SHA256_TEXT) : 0)
              | (row.size().isPresent() ? SIZE : 0)
              | (row.pathFingerprint().isPresent() ? PATH : 0);
      out.write(flags);
      if (row.asset().isPresent()) {
        writeText(out, row.asset().get().assetId());
        writeLong(out, row.asset().get().version());
      }
      if (hex) {
        out.writeBytes(HexFormat.of().parseHex(sha256.get()));
      } else if (sha256.isPresent()) {
        writeText(out, sha256.get());
      }
      if (row.size().isPresent()) {
        writeVarLong(out, row.size().getAsLong());
      }
      if (row.pathFingerprint().isPresent()) {
        writeText(out, row.pathFingerprint().get());
      }
    }
    return out.toByteArray();
  }

  /**
   * Hands each fact of the chunk's rows to {@code reader}, in their order.
   *
   * @param rows how many rows the chunk holds, as its table row says
   * @throws IllegalStateException when the value does not hold that many well-formed rows
   */
  static void decode(byte[] value, int rows, LedgerTable.Reader reader) {
    Input in = new Input(value);
    for (int row = 0; row < rows; row++) {
      int flags = in.readByte();
      if ((flags & ~KNOWN) != 0) {
        throw new IllegalStateException("a ledger chunk's row " + row + " has unknown flags " + flags);
      }
      if ((flags & ASSET) != 0) {
        String assetId = in.readText();
        reader.version(assetId, in.readLong());
      }
      if ((flags & SHA256_BYTES) != 0) {
        reader.content(in.readHex(32));
      } else if ((flags & SHA256_TEXT) != 0) {
        reader.content(in.readText());
      }
      if ((flags & SIZE) != 0) {
        reader.size(in.readVarLong());
      }
      if ((flags & PATH) != 0) {
        reader.path(in.readText());
      }
    }
    if (in.position != value.length) {
      throw new IllegalStateException(
          "a ledger chunk of " + rows + " rows has " + (value.length - in.position) + " bytes more");
    }
  }

  private static boolean isLowerHex256(String text) {
    if (text.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = text.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static void writeText(ByteArrayOutputStream out, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    writeVarLong(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeLong(ByteArrayOutputStream out, long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
  }

  private static void writeVarLong(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** Reads the value; every read past its end is an {@link IllegalStateException}. */
  private static final class Input {
    private final byte[] value;
    private int position;

    Input(byte[] value) {
      this.value = value;
    }

    int readByte() {
      if (position >= value.length) {
        throw new IllegalStateException("a ledger chunk ends in the middle of a row");
      }
      return value[position++] & 0xFF;
    }

    long readLong() {
      long result = 0;
      for (int i = 0; i < 8; i++) {
        result = result << 8 | readByte();
      }
      return result;
    }

    long readVarLong() {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readByte();
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      throw new IllegalStateException("a ledger chunk holds a number of more than 64 bits");
    }

    String readText() {
      long length = readVarLong();
      if (length < 0 || length > value.length - position) {
        throw new IllegalStateException("a ledger chunk ends in the middle of a row");
      }
      String text = new String(value, position, (int) length, StandardCharsets.UTF_8);
      position += (int) length;
      return text;
    }

    String readHex(int bytes) {
      if (bytes > value.length - position) {
        throw new IllegalStateException("a ledger chunk ends in the middle of a row");
      }
      String hex = HexFormat.of().formatHex(value, position, position + bytes);
      position += bytes;
      return hex;
    }
  }
}
