package dev.autoupload.app;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * A log message as {@link OneLine} shows it: file names reach the log too, and a newline or a
 * bidi override in one must not forge or garble a log line. Used as {@code %oneLineMessage} in
 * {@link LogSetup}'s pattern.
 */
public final class OneLineMessage extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return OneLine.of(event.getFormattedMessage());
  }
}
