package dev.autoupload.app;

import java.io.PrintStream;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps stdout for the lines scripts read. Pekko prints through Scala's {@code Console}, which
 * writes to the {@code System.out} it found when first used: pekko-projection-jdbc 1.0.0 prints
 * {@code # stop org.apache.pekko.projection…} whenever a projection stops, and Pekko's fallback
 * logger prints warnings there before logging is up. Set up before anything uses it, that output
 * goes to stderr instead, where errors belong, and the stray stop line to the debug log.
 */
final class ScalaConsole extends PrintStream {

  private static final String STRAY_STOP_LINE = "# stop org.apache.pekko.projection.";

  private static final Logger log = LoggerFactory.getLogger(ScalaConsole.class);

  ScalaConsole(PrintStream stderr) {
    super(stderr, true, Charset.defaultCharset());
  }

  /**
   * Makes this the {@code Console.out} of every thread. Scala's Console takes the current {@code
   * System.out} as the default of all threads once, when it is first used: so {@code System.out}
   * is this stream for that moment only, before any Pekko code ran.
   */
  static void install() {
    PrintStream stdout = System.out;
    ScalaConsole console = new ScalaConsole(System.err);
    System.setOut(console);
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
