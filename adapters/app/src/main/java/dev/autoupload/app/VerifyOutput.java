package dev.autoupload.app;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * What {@code autoupload verify} prints: one line per file as {@code rclone check --combined}
 * does ({@code = path}, {@code * path: why}, {@code - path}, {@code ! path: why}), on a terminal a
 * live progress line below them, and one {@code verify:} summary line at the end.
 *
 * <p>Called from one thread only.
 */
final class VerifyOutput {

  private static final String ERASE_TO_END_OF_LINE = "\033[K";

  private final PrintWriter out;
  private final ProgressPrinter.Mode mode;
  private boolean progressShown;

  VerifyOutput(PrintWriter out, ProgressPrinter.Mode mode) {
    this.out = out;
    this.mode = mode;
  }

  /** The line for one file; {@code mark} is {@code =}, {@code *}, {@code -} or {@code !}. */
  static String line(char mark, String path, String reason) {
    String line = mark + " " + OneLine.of(path);
    return mark == '*' || mark == '!' ? line + ": " + OneLine.of(reason) : line;
  }

  static String summary(long files, long same, long differ, long missing, long unchecked, Duration elapsed) {
    return String.format(
        Locale.ROOT,
        "verify: files=%d same=%d differ=%d missing=%d unchecked=%d elapsed=%.1fs",
        files,
        same,
        differ,
        missing,
        unchecked,
        elapsed.toMillis() / 1000.0);
  }

  void file(char mark, String path, String reason) {
    clearProgress();
    out.println(line(mark, path, reason));
  }

  /** On a terminal, redraws the progress line; elsewhere the file lines say it all. */
  void progress(long checked, long total, long bytesRead) {
    if (mode == ProgressPrinter.Mode.TERMINAL) {
      out.print(
          "\rverifying: " + checked + "/" + total + " files, " + ProgressPrinter.humanBytes(bytesRead) + " read"
              + ERASE_TO_END_OF_LINE);
      progressShown = true;
    }
    out.flush();
  }

  void finish(String summary) {
    clearProgress();
    out.println(summary);
    out.flush();
  }

  private void clearProgress() {
    if (progressShown) {
      out.print("\r" + ERASE_TO_END_OF_LINE);
      progressShown = false;
    }
  }
}
