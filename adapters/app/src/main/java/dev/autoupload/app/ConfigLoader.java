package dev.autoupload.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.autoupload.engine.internal.ConfigSettings;
import dev.autoupload.engine.internal.EngineSettings;
import dev.autoupload.engine.internal.conditions.PolicySettings;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.internal.verify.Verifier;
import dev.autoupload.http.HttpSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the engine's configuration from, highest precedence first: {@code --set} assignments,
 * JVM system properties, the {@code --config} file, {@code application.conf} and the {@code
 * reference.conf} files on the class path.
 *
 * <p>Every {@code autoupload.*} setting is checked against {@code reference.conf} before the
 * engine starts, so a typo or a bad value is a one-line error instead of a stack trace later.
 */
final class ConfigLoader {

  static final String DATA_DIR = "autoupload.data-dir";

  /** A configuration the user has to fix; the message is one line fit for the terminal. */
  static final class BadConfigException extends RuntimeException {
    BadConfigException(String message) {
      super(message);
    }
  }

  /**
   * Where the command line's defaults differ from an embedded engine's: it runs on a computer, which
   * is a plugged-in desktop until a condition source says otherwise.
   */
  private static final Config COMMAND_LINE_DEFAULTS =
      ConfigFactory.parseMap(Map.of("autoupload.conditions.initial", "desktop"));

  private ConfigLoader() {}

  /** Loads, resolves and checks the configuration. */
  static Config load(Optional<Path> configFile, List<String> assignments) {
    Config merged =
        httpShorthand(parseAssignments(assignments))
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(configFile.map(ConfigLoader::parseFile).map(ConfigLoader::httpShorthand).orElse(ConfigFactory.empty()))
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(COMMAND_LINE_DEFAULTS)
            .withFallback(ConfigFactory.defaultReference());
    Config resolved;
    try {
      resolved = merged.resolve();
    } catch (ConfigException e) {
      throw new BadConfigException("cannot resolve the configuration: " + OneLine.of(e.getMessage()));
    }
    validate(resolved);
    return resolved;
  }

  /** The data dir the configuration names, if it names one. */
  static Optional<Path> dataDir(Config config) {
    return config.hasPath(DATA_DIR) && !config.getString(DATA_DIR).isBlank()
        ? Optional.of(Path.of(config.getString(DATA_DIR)).toAbsolutePath().normalize())
        : Optional.empty();
  }

  static Config withDataDir(Config config, Path dataDir) {
    return config.withValue(
        DATA_DIR, ConfigValueFactory.fromAnyRef(dataDir.toString(), "--data-dir"));
  }

  /** Later assignments win over earlier ones, as they would on a shell command line. */
  static Config parseAssignments(List<String> assignments) {
    Config result = ConfigFactory.empty();
    for (String assignment : assignments) {
      result = parseAssignment(assignment).withFallback(result);
    }
    return result;
  }

  /**
   * Parses one {@code key=value}. The value is HOCON ({@code 2}, {@code 30s}, {@code 64KiB},
   * {@code [a, b]}, {@code "quoted"}). Unquoted text is taken literally when HOCON would misread it:
   * {@code #} and {@code //} start a comment (a URL would lose its path), {@code :} separates keys
   * (a time such as {@code 22:00} would not parse), braces open an object (a layout pattern such as
   * {@code {path}} would not parse).
   */
  static Config parseAssignment(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new BadConfigException(
          "--set " + assignment + ": expected KEY=VALUE, e.g. --set autoupload.upload.parallelism=2");
    }
    String key = assignment.substring(0, eq).strip();
    String raw = assignment.substring(eq + 1).strip();
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      throw new BadConfigException("--set " + assignment + ": '" + key + "' is not a setting name");
    }
    return ConfigFactory.empty().withValue(key, parseValue(key, raw));
  }

  private static ConfigValue parseValue(String key, String raw) {
    String origin = "--set " + key;
    boolean structured = raw.startsWith("\"") || raw.startsWith("[") || raw.startsWith("{");
    if (raw.isEmpty() || (!structured && (raw.contains("#") || raw.contains("//")))) {
      return ConfigValueFactory.fromAnyRef(raw, origin);
    }
    try {
      return ConfigFactory.parseString(
              "value = " + raw, ConfigParseOptions.defaults().setOriginDescription(origin))
          .root()
          .get("value");
    } catch (ConfigException e) {
      if (!structured || raw.startsWith("{")) {
        // Unquoted text HOCON cannot read, such as 22:00 or a layout's {yyyy}/{filename}, is meant
        // as a string; an object meant and mistyped then fails on its type, naming the key.
        return ConfigValueFactory.fromAnyRef(raw, origin);
      }
      if (isSecret(key)) {
        // The parser's message quotes the text it choked on.
        throw new BadConfigException("--set " + key + "=***: not a HOCON value; quote it, e.g. \"…\"");
      }
      throw new BadConfigException("--set " + key + "=" + raw + ": " + OneLine.of(e.getMessage()));
    }
  }

  /** Whether {@code key} holds a password or secret key, which no message may show. */
  static boolean isSecret(String key) {
    String name = key.substring(key.lastIndexOf('.') + 1);
    return name.equals("password") || name.contains("secret");
  }

  /**
   * {@code autoupload.http = "127.0.0.1:8686"} as the endpoint's address, short for {@code
   * autoupload.http.listen}: {@code autoupload.http} is the endpoint's settings object, which a
   * plain address would otherwise replace whole.
   */
  static Config httpShorthand(Config layer) {
    ConfigValue autoupload = layer.root().get("autoupload");
    if (!(autoupload instanceof ConfigObject settings) || settings.get("http") == null) {
      return layer;
    }
    ConfigValue http = settings.get("http");
    try {
      if (http.valueType() != ConfigValueType.STRING) {
        return layer;
      }
    } catch (ConfigException.NotResolved e) {
      // A substitution: left as it is, so validation names it once resolved.
      return layer;
    }
    return layer.withoutPath("autoupload.http").withValue("autoupload.http.listen", http);
  }

  private static Config parseFile(Path file) {
    if (Files.isDirectory(file)) {
      throw new BadConfigException("config file " + file + " is a folder; name the file");
    }
    if (!Files.isRegularFile(file)) {
      throw new BadConfigException("config file " + file + " does not exist");
    }
    if (!Files.isReadable(file)) {
      throw new BadConfigException("cannot read config file " + file + ": permission denied");
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new BadConfigException("cannot read config file " + file + ": " + OneLine.of(e.getMessage()));
    }
  }

  /**
   * Rejects settings reference.conf does not know, checks every {@code autoupload.*} value against
   * the type of its default there (number, boolean, duration, size, list), then lets the engine's
   * own settings parse theirs and check their ranges.
   */
  static void validate(Config config) {
    Config reference = ConfigFactory.defaultReference().getConfig("autoupload");
    Config actual;
    try {
      actual = config.getConfig("autoupload");
    } catch (ConfigException e) {
      throw new BadConfigException("autoupload must be an object of settings: " + OneLine.of(e.getMessage()));
    }
    for (Map.Entry<String, ConfigValue> entry : actual.entrySet()) {
      String key = entry.getKey();
      if (key.equals("http") && entry.getValue().valueType() != ConfigValueType.OBJECT) {
        throw new BadConfigException(
            "autoupload.http holds the control endpoint's settings; set its address with autoupload.http.listen = \"127.0.0.1:8686\" ("
                + from(entry.getValue()) + ")");
      }
      if (!reference.hasPathOrNull(key)) {
        throw new BadConfigException(
            "unknown setting autoupload." + key + " (" + from(entry.getValue()) + ")");
      }
      checkType(reference, actual, key);
    }
    try {
      UploadSettings.from(config);
      PolicySettings.from(config);
      ConfigSettings.libraryRules(config, ZoneId.systemDefault());
      HttpSettings.from(config);
      Verifier.parallelism(config);
      EngineSettings.check(config);
      if (config.getDuration("autoupload.conditions.linux-poll-interval").toMillis() < 1) {
        throw new IllegalArgumentException("autoupload.conditions.linux-poll-interval must be at least 1ms");
      }
      IdleHeapRelease.quietTime(config);
      DeferredEndpoint.delay(config);
    } catch (IllegalArgumentException e) {
      throw new BadConfigException(OneLine.of(e.getMessage()));
    } catch (ConfigException e) {
      throw new BadConfigException(describe(e));
    }
  }

  private static void checkType(Config reference, Config actual, String key) {
    String expected = expectedType(reference, key);
    boolean fits =
        switch (expected) {
            // A plain number default may still be read as a size or a duration (bandwidth-limit =
            // 0 is read with getBytes): accept those here, the engine's own parsing below decides.
          case "a number" ->
              parses(() -> actual.getNumber(key))
                  || parses(() -> actual.getBytes(key))
                  || parses(() -> actual.getDuration(key));
          case "true or false" -> parses(() -> actual.getBoolean(key));
          case "a duration such as 30s" -> parses(() -> actual.getDuration(key));
          case "a size such as 64KiB" -> parses(() -> actual.getBytes(key));
          case "a list" -> parses(() -> actual.getList(key));
          case "an object" -> parses(() -> actual.getObject(key));
          default -> parses(() -> actual.getString(key));
        };
    if (!fits) {
      ConfigValue value = actual.getValue(key);
      throw new BadConfigException(
          "bad value for autoupload." + key + ": expected " + expected + ", got "
              + (isSecret(key)
                  ? "a value of type " + value.valueType().name().toLowerCase(Locale.ROOT)
                  : value.render(ConfigRenderOptions.concise()))
              + " (" + from(value) + ")");
    }
  }

  private static String expectedType(Config reference, String key) {
    ConfigValueType type = reference.getValue(key).valueType();
    return switch (type) {
      case NUMBER -> "a number";
      case BOOLEAN -> "true or false";
      case LIST -> "a list";
      case OBJECT -> "an object";
      case NULL -> "any value";
      case STRING -> {
        if (parses(() -> reference.getDuration(key))) {
          yield "a duration such as 30s";
        }
        yield parses(() -> reference.getBytes(key)) ? "a size such as 64KiB" : "a string";
      }
    };
  }

  private static boolean parses(Runnable getter) {
    try {
      getter.run();
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  /** "bad value (from --set autoupload.upload.parallelism): parallelism has type STRING ..." */
  private static String describe(ConfigException e) {
    String message = OneLine.of(e.getMessage());
    if (e.origin() == null) {
      return "bad value: " + message;
    }
    String origin = e.origin().description();
    String detail = message.startsWith(origin + ": ") ? message.substring(origin.length() + 2) : message;
    String where = origin.startsWith("--set") ? origin.replaceFirst(": \\d+$", "") : origin;
    return "bad value (from " + where + "): " + detail;
  }

  private static String from(ConfigValue value) {
    String description = value.origin().description();
    // "--set key: 1" carries a line number that means nothing on a command line.
    return "from " + (description.startsWith("--set") ? description.replaceFirst(": \\d+$", "") : description);
  }
}
