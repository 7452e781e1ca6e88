package dev.autoupload.app;

/** Makes text from files, targets and exceptions safe to print as a single terminal line. */
final class OneLine {

  private OneLine() {}

  /**
   * Joins lines with a space and replaces other control characters with '?', so a file name with
   * a newline or an escape sequence can neither break a line-based reader nor drive the terminal.
   */
  static String of(String text) {
    if (text == null) {
      return "";
    }
    return text.replaceAll("\\s*\\R\\s*", " ")
        .replace('\t', ' ')
        .replaceAll("\\p{Cntrl}", "?")
        .strip();
  }
}
