package dev.autoupload.app;

import dev.autoupload.engine.freespace.Freed;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What {@code autoupload verify} prints: one line per file as {@code rclone check --combined}
 * does ({@code = path}, {@code * path: why}, {@code - path}, {@code ! path: why}), on a terminal a
 * live progress line below them, and one {@code verify:} summary line at the end. With {@code
 * --free-space}, a line for each original moved ({@code moved path -> to}), deleted ({@code freed
 * path (deleted, backed up as remote on date)}) or kept although proven ({@code kept path: why}).
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

  /** With how many originals were moved or deleted, and how many proven ones were kept all the same. */
  static String summary(
      long files, long same, long differ, long missing, long unchecked, long freed, long kept, Duration elapsed) {
    String counts = summary(files, same, differ, missing, unchecked, elapsed);
    int cut = counts.lastIndexOf(" elapsed=");
    return counts.substring(0, cut) + " freed=" + freed + " kept=" + kept + counts.substring(cut);
  }

  /** The line for an original moved or deleted after its backup was proven. */
  static String freed(Freed freed) {
    String path = OneLine.of(freed.path());
    if (freed.action() == Freed.Action.MOVED) {
      return "moved " + path + " -> " + OneLine.of(freed.movedTo().orElseThrow().toString());
    }
    String date = freed.backedUpAt().map(at -> " on " + DateTimeFormatter.ISO_LOCAL_DATE.format(at.atOffset(ZoneOffset.UTC))).orElse("");
    return "freed " + path + " (deleted, backed up as " + OneLine.of(freed.remotePath().orElse("?")) + date + ")";
  }

  /** The line for an original proven backed up, kept all the same. */
  static String kept(String path, String why) {
    return "kept " + OneLine.of(path) + ": " + OneLine.of(why);
  }

  void line(String line) {
    clearProgress();
    out.println(line);
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
