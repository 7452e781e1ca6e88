package dev.autoupload.engine.internal;

import java.io.PrintStream;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps stdout for the host's own lines: pekko-projection-jdbc 1.0.0 prints {@code # stop
 * org.apache.pekko.projection…} through Scala's {@code Console} whenever a projection stops, which
 * every engine does when it closes, and Pekko's fallback logger prints there before logging is up.
 * Scala's Console takes the {@code System.out} it finds when first used as every thread's default,
 * so this filter is put there for that moment, before any Pekko code runs: the stray stop line goes
 * to the debug log, everything else to the destination. A process that used Scala's Console before
 * keeps it as it is; only the first install counts.
 */
public final class ScalaConsoleFilter extends PrintStream {

  private static final String STRAY_STOP_LINE = "# stop org.apache.pekko.projection.";
  private static final Logger log = LoggerFactory.getLogger(ScalaConsoleFilter.class);
  private static boolean installed;

  ScalaConsoleFilter(PrintStream destination) {
    super(destination, true, Charset.defaultCharset());
  }

  /**
   * Makes the filter Scala's Console, writing to {@code destination}: the engine installs it on
   * stdout when it starts; the command line installs it on stderr first, where Pekko's output
   * belongs when stdout is for scripts.
   *
   * @param destination where everything but the stray stop line goes
   */
  public static synchronized void install(PrintStream destination) {
    if (installed) {
      return;
    }
    installed = true;
    PrintStream stdout = System.out;
    System.setOut(new ScalaConsoleFilter(destination));
    try {
      scala.Console$.MODULE$.out();
    } finally {
      System.setOut(stdout);
    }
  }

  @Override
  public void println(String line) {
    if (line != null && line.startsWith(STRAY_STOP_LINE)) {
      log.debug("{}", line);
      return;
    }
    super.println(line);
  }

  @Override
  public void println(Object value) {
    println(String.valueOf(value));
  }
}
