package dev.autoupload.app;

import java.util.Locale;
import java.util.Optional;

/**
 * The value of {@code run --http}: {@code HOST:PORT} to listen on ({@code [::1]:8686} for IPv6,
 * port 0 for any free one), or {@code off}.
 */
record HttpOption(String host, int port) {

  /** Where the control endpoint listens when {@code --http} does not say. */
  static final String SETTING = "autoupload.http.listen";

  /**
   * {@code --http} when given, else {@code autoupload.http.listen}; exit 2 when it is not an address.
   *
   * @return empty for {@code off}
   */
  static Optional<HttpOption> resolve(String flag, com.typesafe.config.Config config) {
    String value = flag != null ? flag : config.getString(SETTING);
    try {
      return parse(value);
    } catch (IllegalArgumentException e) {
      String message = flag != null ? e.getMessage() : e.getMessage().replaceFirst("^--http ", SETTING + " = ");
      throw new RunFailure(Main.USAGE, message, e);
    }
  }

  /**
   * @return empty for {@code off}
   * @throws IllegalArgumentException with a message fit for the terminal
   */
  static Optional<HttpOption> parse(String value) {
    String text = value.strip();
    if (text.toLowerCase(Locale.ROOT).equals("off")) {
      return Optional.empty();
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw invalid(value);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]") || host.contains(" ")) {
      throw invalid(value);
    }
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
      if (host.isEmpty()) {
        throw invalid(value);
      }
    } else if (host.contains(":")) {
      // An IPv6 address must be in brackets, or its last group would pass for the port.
      throw invalid(value);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw invalid(value);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--http " + value + ": the port must be 0-65535");
    }
    return Optional.of(new HttpOption(host, port));
  }

  private static IllegalArgumentException invalid(String value) {
    return new IllegalArgumentException(
        "--http " + value + ": expected HOST:PORT (e.g. 127.0.0.1:8686, [::1]:8686) or off");
  }
}
