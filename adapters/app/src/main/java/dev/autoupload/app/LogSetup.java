package dev.autoupload.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The app's logging, set up in code rather than from a logback.xml: reading the XML (the XML
 * parser's classes, then Joran's) took about 0.15 s of every start, a twentieth of a `run --once`
 * of 2,000 files already backed up. Found by logback through {@code META-INF/services}. A file
 * named by {@code -Dlogback.configurationFile}, or a logback.xml or logback-test.xml on the class
 * path, still wins: this then steps aside for logback's own configurators, which read it.
 *
 * <p>Logs go to stderr so that stdout stays the progress and summary a script reads. A log line
 * carries an exception's message but not its stack trace, so a failure that repeats (a full disk)
 * stays one line each time; with {@code --debug}, Main sets {@code autoupload.log.exceptions} to
 * print the stack.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

  static final String EXCEPTIONS_PROPERTY = "autoupload.log.exceptions";

  /** Each logger's own level, and why where it is not plain; the root's is WARN. */
  static final Map<String, Level> LEVELS =
      Map.of(
          "dev.autoupload", Level.INFO,
          "org.apache.pekko", Level.WARN,
          // A taken HTTP port is reported as one error line by the app; Pekko's own log of it would repeat it.
          "org.apache.pekko.io.TcpListener", Level.OFF,
          // The engine logs an actor's failure itself, with its reason and what it does about it.
          "org.apache.pekko.actor.SupervisorStrategy", Level.OFF,
          // The Activity projection restarts its stream after a failure; each restart's warning
          // carries the whole stack trace in its message, and the projection's own error line says why.
          "org.apache.pekko.stream.scaladsl.RestartWithBackoffSource", Level.ERROR,
          "org.h2", Level.WARN,
          "h2database", Level.WARN,
          "com.zaxxer.hikari", Level.WARN,
          // The control endpoint adds its Prometheus registry to the engine's composite once, at
          // start, before any library runs: the meters there then (gauges and function counters)
          // read live, so Micrometer's warning that earlier increments are not in the new
          // registry says nothing here.
          "io.micrometer.core.instrument.composite.CompositeMeterRegistry", Level.ERROR);

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null || configurationFileOnTheClassPath()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    logToStderr(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** The app's loggers and their levels, on stderr. */
  static void logToStderr(LoggerContext context) {
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    // Messages carry file names: one line each, with invisible and bidi characters shown as <U+XXXX>.
    layout.getInstanceConverterMap().put("oneLineMessage", OneLineMessage::new);
    layout.setPattern(
        "%d{HH:mm:ss.SSS} %-5level %logger{36} - %oneLineMessage%n"
            + System.getProperty(EXCEPTIONS_PROPERTY, "%nopex"));
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
  }

  /** A logback-test.xml (a test's) or logback.xml on the class path, which logback would read. */
  private static boolean configurationFileOnTheClassPath() {
    ClassLoader loader = LogSetup.class.getClassLoader();
    return loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
  }
}
