package dev.autoupload.app;

import java.util.Locale;
import java.util.regex.Pattern;

/** Makes text from files, targets and exceptions safe to print as a single terminal line. */
final class OneLine {

  /** A line break and the blanks around it: one space takes their place. */
  private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");

  private static final int ZERO_WIDTH_NON_JOINER = 0x200C;
  private static final int ZERO_WIDTH_JOINER = 0x200D;

  private OneLine() {}

  /**
   * Joins lines with a space, replaces other control characters with '?', and shows each
   * character that is invisible or reorders the text around it as {@code <U+XXXX>}: bidi
   * overrides, embeddings and isolates (a name with U+202E would read backwards), zero-width
   * spaces, the byte order mark, the other Unicode format characters, and lone surrogates. The
   * two joiners emoji and several scripts are written with (U+200C, U+200D) stay. So a file name
   * can neither break a line-based reader, nor drive the terminal, nor show other than it is.
   */
  static String of(String text) {
    if (text == null) {
      return "";
    }
    String joined = LINE_BREAKS.matcher(text).replaceAll(" ").replace('\t', ' ');
    StringBuilder line = new StringBuilder(joined.length());
    joined.codePoints()
        .forEach(
            c -> {
              if (Character.getType(c) == Character.CONTROL) {
                line.append('?');
              } else if (hidden(c)) {
                line.append(String.format(Locale.ROOT, "<U+%04X>", c));
              } else {
                line.appendCodePoint(c);
              }
            });
    return line.toString().strip();
  }

  private static boolean hidden(int c) {
    int type = Character.getType(c);
    return (type == Character.FORMAT && c != ZERO_WIDTH_NON_JOINER && c != ZERO_WIDTH_JOINER)
        || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
