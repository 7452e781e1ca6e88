package dev.autoupload.engine;

import java.io.PrintStream;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the host's stdout free of a stray line: pekko-projection-jdbc 1.0.0 prints {@code # stop
 * org.apache.pekko.projection…} through Scala's {@code Console} whenever a projection stops, which
 * every engine does when it closes. Scala's Console takes the {@code System.out} it finds when first
 * used as every thread's default, so the engine puts this filter there for that moment, before any
 * Pekko code runs; everything else still reaches the host's stdout. A host that used Scala's
 * Console before keeps it as it is.
 */
final class ScalaConsoleFilter extends PrintStream {

  private static final String STRAY_STOP_LINE = "# stop org.apache.pekko.projection.";
  private static final Logger log = LoggerFactory.getLogger(ScalaConsoleFilter.class);
  private static boolean installed;

  private ScalaConsoleFilter(PrintStream stdout) {
    super(stdout, true, Charset.defaultCharset());
  }

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    PrintStream stdout = System.out;
    System.setOut(new ScalaConsoleFilter(stdout));
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
