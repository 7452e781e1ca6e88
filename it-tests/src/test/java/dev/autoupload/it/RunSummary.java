package dev.autoupload.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The app's final line, {@code summary: files=.. backed-up=.. ... bytes-sent=.. elapsed=..s}; {@code
 * left-out-by-only-since=..} only when the rule left files out.
 */
public record RunSummary(
    long files,
    long backedUp,
    long uploaded,
    long already,
    long skipped,
    long failed,
    long leftOutByOnlySince,
    long bytesSent,
    double elapsedSeconds) {

  private static final Pattern LINE =
      Pattern.compile(
          "summary: files=(\\d+) backed-up=(\\d+) uploaded=(\\d+) already=(\\d+) skipped=(\\d+)"
              + " failed=(\\d+)(?: left-out-by-only-since=(\\d+))? bytes-sent=(\\d+) elapsed=([0-9.]+)s");

  public static RunSummary parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      throw new AssertionError("not a summary line: " + line);
    }
    return new RunSummary(
        Long.parseLong(m.group(1)),
        Long.parseLong(m.group(2)),
        Long.parseLong(m.group(3)),
        Long.parseLong(m.group(4)),
        Long.parseLong(m.group(5)),
        Long.parseLong(m.group(6)),
        m.group(7) == null ? 0 : Long.parseLong(m.group(7)),
        Long.parseLong(m.group(8)),
        Double.parseDouble(m.group(9)));
  }
}
