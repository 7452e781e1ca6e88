package dev.autoupload.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.targets.TargetSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One library {@code serve} runs, as an entry of {@code autoupload.libraries} or the body of {@code
 * POST /api/libraries} gives it: what {@code run} takes on its command line ({@code --library},
 * {@code --source}, {@code --target}) plus, per library, settings over the process's own: {@code
 * rules} over {@code autoupload.rules} and {@code target-settings} over {@code autoupload.target}
 * (a password file per target, say), and whose conditions it follows: the device's (the node's,
 * {@code serve --conditions}) or its own, reported for it alone through {@code PUT
 * /api/libraries/{id}/conditions} (a phone whose camera folder the server backs up).
 *
 * @param id the library's id; derived from source and target as {@code run} does when not given
 * @param source the source folder, absolute
 * @param target the target URI
 * @param rules settings over {@code autoupload.rules}, often empty
 * @param targetSettings settings over {@code autoupload.target}, often empty
 * @param reportedConditions {@code conditions = "reported"}: it follows conditions reported for it
 *     alone and waits for the first; false ({@code "device"}, the default) for the device's
 */
record LibraryDefinition(
    String id, Path source, String target, ConfigObject rules, ConfigObject targetSettings, boolean reportedConditions) {

  static final String RULES = "rules";
  static final String TARGET_SETTINGS = "target-settings";
  static final String CONDITIONS = "conditions";
  static final String DEVICE = "device";
  static final String REPORTED = "reported";
  private static final Set<String> KEYS = Set.of("id", "source", "target", RULES, TARGET_SETTINGS, CONDITIONS);
  private static final String KEY_LIST = "id, source, target, rules, target-settings, conditions";

  /**
   * Reads one definition, adding a line to {@code problems} for each thing wrong with it (each
   * line starts with {@code where}); empty when there was any.
   *
   * @param value the entry
   * @param where how the messages name it, e.g. {@code autoupload.libraries[1]}
   * @param global the process's configuration, which the entry's own settings go over
   */
  static Optional<LibraryDefinition> parse(ConfigValue value, String where, Config global, List<String> problems) {
    if (value.valueType() != ConfigValueType.OBJECT) {
      problems.add(where + ": expected an object such as { id = \"alice\", source = \"/photos\", target = \"file:///backup\" }");
      return Optional.empty();
    }
    ConfigObject entry = (ConfigObject) value;
    Config fields = entry.toConfig();
    Optional<String> named = text(fields, "id", where, problems);
    String label = where + named.map(id -> " (" + OneLine.of(id) + ")").orElse("");
    int before = problems.size();
    for (String key : entry.keySet()) {
      if (!KEYS.contains(key)) {
        problems.add(label + ": unknown key '" + OneLine.of(key) + "'; the keys are " + KEY_LIST);
      }
    }
    Optional<String> source = text(fields, "source", label, problems);
    Optional<String> target = text(fields, "target", label, problems);
    Optional<String> conditions = text(fields, CONDITIONS, label, problems);
    if (conditions.isPresent() && !conditions.get().equals(DEVICE) && !conditions.get().equals(REPORTED)) {
      problems.add(
          label + ": conditions " + OneLine.of(conditions.get()) + " is not one of \"device\" (the default: the node's, "
              + "see 'serve --conditions') or \"reported\" (its own, through PUT /api/libraries/{id}/conditions); "
              + "a library's own limits go in its rules { … } (see autoupload.rules)");
    }
    if (source.isEmpty() && !fields.hasPath("source")) {
      problems.add(label + ": source is missing: the folder to back up, e.g. source = \"/srv/photos/alice\"");
    }
    if (target.isEmpty() && !fields.hasPath("target")) {
      problems.add(label + ": target is missing: where the files go, e.g. target = \"file:///backup/alice\"");
    }
    Optional<Path> sourceDir = source.flatMap(folder -> absolute(folder, label, problems));
    named.ifPresent(id -> LibraryIds.problem(id).ifPresent(problem -> problems.add(label + ": " + problem)));
    ConfigObject rules = object(entry, RULES, label, problems);
    ConfigObject targetSettings = object(entry, TARGET_SETTINGS, label, problems);
    if (problems.size() > before || sourceDir.isEmpty() || target.isEmpty()) {
      return Optional.empty();
    }
    String id = named.orElseGet(() -> LibraryIds.derive(sourceDir.get(), target.get()));
    LibraryDefinition definition =
        new LibraryDefinition(
            id, sourceDir.get(), target.get(), rules, targetSettings, conditions.filter(REPORTED::equals).isPresent());
    try {
      Config settings = definition.settings(global);
      ConfigLoader.validate(settings);
      TargetSettings.fromConfig(settings);
    } catch (ConfigLoader.BadConfigException | IllegalArgumentException | ConfigException e) {
      problems.add(label + ": " + OneLine.of(e.getMessage()));
      return Optional.empty();
    }
    return Optional.of(definition);
  }

  /** The process's configuration with this library's own settings over it. */
  Config settings(Config global) {
    return ConfigFactory.empty()
        .withValue("autoupload.rules", rules)
        .withValue("autoupload.target", targetSettings)
        .withFallback(global);
  }

  /**
   * Opens the library as {@code run} does: the source folder must exist (exit 3), the target URI
   * must open and, when a local folder, keep apart from the source (exit 2), and the target must be
   * usable (exit 3); every failure a {@link RunFailure}. The library is watched.
   */
  Library open(Config global) {
    Config settings = settings(global);
    Path sourceDir = CommandSetup.sourceFolder(source);
    UploadTarget uploadTarget = CommandSetup.openTarget(target, settings, sourceDir);
    try {
      uploadTarget.check();
      Library library = CommandSetup.library(id, sourceDir, uploadTarget, settings).watched();
      return reportedConditions ? library.withOwnConditions() : library;
    } catch (dev.autoupload.engine.upload.UploadException e) {
      uploadTarget.close();
      throw new RunFailure(Main.CANNOT_START, "library " + id + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      uploadTarget.close();
      throw e;
    }
  }

  /** The definition as it is saved, and read back by {@link #parse}. */
  ConfigObject toConfig() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("id", id);
    fields.put("source", source.toString());
    fields.put("target", target);
    fields.put(RULES, rules.unwrapped());
    fields.put(TARGET_SETTINGS, targetSettings.unwrapped());
    fields.put(CONDITIONS, conditionsName());
    return ConfigValueFactory.fromMap(fields);
  }

  /** {@code conditions} as the definition says it: {@code device} or {@code reported}. */
  String conditionsName() {
    return reportedConditions ? REPORTED : DEVICE;
  }

  /** The target URI without the user information a URI may carry, for messages and the API. */
  String shownTarget() {
    return Main.withoutUserInformation(target);
  }

  private static Optional<String> text(Config fields, String key, String where, List<String> problems) {
    if (!fields.hasPath(key)) {
      return Optional.empty();
    }
    if (fields.getValue(key).valueType() != ConfigValueType.STRING || fields.getString(key).isBlank()) {
      problems.add(where + ": " + key + " must be a non-empty string");
      return Optional.empty();
    }
    return Optional.of(fields.getString(key).strip());
  }

  private static Optional<Path> absolute(String folder, String where, List<String> problems) {
    Path path;
    try {
      path = Path.of(folder);
    } catch (java.nio.file.InvalidPathException e) {
      problems.add(where + ": source " + OneLine.of(folder) + " is not a path: " + OneLine.of(e.getMessage()));
      return Optional.empty();
    }
    if (!path.isAbsolute()) {
      problems.add(where + ": source " + OneLine.of(folder) + " must be an absolute path");
      return Optional.empty();
    }
    return Optional.of(path.normalize());
  }

  private static ConfigObject object(ConfigObject entry, String key, String where, List<String> problems) {
    ConfigValue value = entry.get(key);
    if (value == null) {
      return ConfigFactory.empty().root();
    }
    if (value.valueType() != ConfigValueType.OBJECT) {
      problems.add(where + ": " + key + " must be an object of settings, e.g. " + key + " { … }");
      return ConfigFactory.empty().root();
    }
    return (ConfigObject) value;
  }

  /** The entries of {@code autoupload.libraries}, each problem a line of {@code problems}. */
  static List<LibraryDefinition> fromConfig(Config config, List<String> problems) {
    List<LibraryDefinition> definitions = new ArrayList<>();
    List<? extends ConfigValue> entries = config.getList(ServeCommand.LIBRARIES);
    for (int i = 0; i < entries.size(); i++) {
      parse(entries.get(i), ServeCommand.LIBRARIES + "[" + i + "]", config, problems).ifPresent(definitions::add);
    }
    return definitions;
  }
}
