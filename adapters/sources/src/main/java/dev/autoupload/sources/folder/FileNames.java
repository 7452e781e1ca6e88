package dev.autoupload.sources.folder;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * File names as text that keeps every byte the file system stores. The bytes are read as UTF-8;
 * each byte that is not part of valid UTF-8 becomes {@code ‛} (U+201B) and its two upper-case hex
 * digits ({@code 0xFF} → {@code ‛FF}), and a {@code ‛} of the name itself is doubled ({@code ‛‛}),
 * as rclone's {@code InvalidUtf8} encoding writes them. So a name that is not valid UTF-8 is backed
 * up under a name every target can store, and {@link #bytes} turns it back into the exact bytes.
 *
 * <p>Java decodes file names with the locale's encoding ({@code sun.jnu.encoding}, fixed at
 * start-up) and replaces what it cannot decode, so such a name read as a {@code String} leads
 * nowhere. A path's URI is built from its raw bytes, though, and a path made from a {@code file:}
 * URI gets them back: that is how the bytes are read and how such a file is opened.
 */
final class FileNames {

  static final char QUOTE = '\u201B';

  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  /** Whether Java's own decoding of names is UTF-8, so that a name it decoded cleanly is exact. */
  private static final boolean UTF8_NAMES = jnuEncodingIsUtf8();

  private FileNames() {}

  /** The name of {@code child}, its last element, as text that keeps every byte. */
  static String nameOf(Path child) {
    String decoded = child.getFileName().toString();
    if (UTF8_NAMES && decoded.indexOf(QUOTE) < 0 && decoded.indexOf('\uFFFD') < 0) {
      return decoded;
    }
    return shown(rawBytes(child));
  }

  /** The child of {@code folder} that {@code name}, as {@link #nameOf} shows it, names. */
  static Path child(Path folder, String name) {
    if (UTF8_NAMES && name.indexOf(QUOTE) < 0) {
      return folder.resolve(name);
    }
    String base = folder.toAbsolutePath().toUri().toString();
    return Path.of(URI.create((base.endsWith("/") ? base : base + "/") + percentEncoded(bytes(name))));
  }

  /** The bytes as text: UTF-8, with {@code ‛XX} for a byte that is not part of it and {@code ‛‛} for {@code ‛}. */
  static String shown(byte[] name) {
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(name);
    // Valid UTF-8 never takes more chars than bytes.
    CharBuffer out = CharBuffer.allocate(name.length);
    StringBuilder shown = new StringBuilder(name.length + 8);
    while (true) {
      CoderResult result = utf8.decode(in, out, true);
      out.flip();
      for (int i = 0; i < out.length(); i++) {
        char c = out.charAt(i);
        shown.append(c);
        if (c == QUOTE) {
          shown.append(QUOTE);
        }
      }
      out.clear();
      if (!result.isError()) {
        return shown.toString();
      }
      for (int i = 0; i < result.length(); i++) {
        shown.append(QUOTE).append(HEX.toHexDigits(in.get()));
      }
    }
  }

  /** The bytes {@link #shown} showed as {@code name}; a {@code ‛} that starts no escape is itself. */
  static byte[] bytes(String name) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(name.length() + 8);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == QUOTE && i + 1 < name.length() && name.charAt(i + 1) == QUOTE) {
        text.append(QUOTE);
        i++;
      } else if (c == QUOTE && i + 2 < name.length() && upperHex(name.charAt(i + 1)) && upperHex(name.charAt(i + 2))) {
        bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        text.setLength(0);
        bytes.write(HexFormat.fromHexDigits(name, i + 1, i + 3));
        i += 2;
      } else {
        text.append(c);
      }
    }
    bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
    return bytes.toByteArray();
  }

  private static boolean upperHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  }

  /** The last element's bytes, from the path's URI, which percent-encodes them as stored. */
  private static byte[] rawBytes(Path child) {
    String path = URI.create(child.toAbsolutePath().toUri().toASCIIString()).getRawPath();
    int end = path.endsWith("/") ? path.length() - 1 : path.length();
    String last = path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(last.length());
    for (int i = 0; i < last.length(); i++) {
      char c = last.charAt(i);
      if (c == '%') {
        bytes.write(HexFormat.fromHexDigits(last, i + 1, i + 3));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toByteArray();
  }

  /** Every byte but RFC 3986's unreserved characters as {@code %XX}, for a {@code file:} URI. */
  private static String percentEncoded(byte[] name) {
    StringBuilder out = new StringBuilder(name.length * 3);
    for (byte b : name) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(HEX.toHexDigits(b));
      }
    }
    return out.toString();
  }

  private static boolean jnuEncodingIsUtf8() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "")).equals(StandardCharsets.UTF_8);
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }
}
