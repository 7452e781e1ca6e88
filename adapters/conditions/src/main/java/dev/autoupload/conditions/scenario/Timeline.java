package dev.autoupload.conditions.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.autoupload.engine.conditions.DeviceConditions;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The snapshot each step of a scenario produces, worked out and checked before anything runs.
 *
 * <p>Every step is merged here, whether it came from a file or from {@link
 * ScenarioConditionSource.Step}: its changes are laid over the previous snapshot as JSON and the
 * result is read into the record, so the record's own checks (battery 0–100) apply unchanged.
 */
final class Timeline {

  /** When a snapshot is due, counted from start. */
  record Entry(Duration after, DeviceConditions conditions) {}

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new Jdk8Module())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /**
   * The fields a step may change, in the record's order, with their types; not {@code
   * networkSince}, an instant that a scenario of relative steps has no use for (a network change
   * starts the engine's own count).
   */
  private static final Map<String, Class<?>> FIELDS =
      Arrays.stream(DeviceConditions.class.getRecordComponents())
          .filter(component -> !component.getName().equals("networkSince"))
          .collect(
              Collectors.toMap(
                  RecordComponent::getName, RecordComponent::getType, (a, b) -> a, LinkedHashMap::new));

  private static final String AFTER = "afterMs";
  private static final String CONDITIONS = "conditions";
  private static final Set<String> STEP_FIELDS = Set.of(AFTER, CONDITIONS);

  private final String where;
  private final List<Entry> entries = new ArrayList<>();
  private ObjectNode current = MAPPER.valueToTree(DeviceConditions.desktop());

  private Timeline(String where) {
    this.where = where;
  }

  /**
   * Reads a scenario file: a JSON array of {@code {"afterMs": ms, "conditions": {...}}}.
   *
   * @throws IllegalArgumentException with a one-line message naming the file and the step
   */
  static List<Entry> read(Path file) {
    String where = "conditions scenario file " + file;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " cannot be read: " + reason(e));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new IllegalArgumentException(
          where
              + " is not valid JSON: "
              + oneLine(e.getOriginalMessage())
              + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " cannot be read: " + reason(e));
    }
    if (root == null || root.isMissingNode()) {
      throw new IllegalArgumentException(where + " is empty; it must be a JSON array of steps");
    }
    if (!root.isArray()) {
      throw new IllegalArgumentException(
          where + " must be a JSON array of steps, got " + describe(root));
    }
    Timeline timeline = new Timeline(where);
    for (JsonNode step : root) {
      timeline.addFromFile(step);
    }
    return List.copyOf(timeline.entries);
  }

  /**
   * Checks and merges steps given in code.
   *
   * @throws IllegalArgumentException with a one-line message naming the step
   */
  static List<Entry> of(List<ScenarioConditionSource.Step> steps) {
    Timeline timeline = new Timeline("conditions scenario");
    for (ScenarioConditionSource.Step step : steps) {
      JsonNode changes;
      try {
        changes = MAPPER.valueToTree(step.changes());
      } catch (IllegalArgumentException e) {
        throw timeline.problem("changes cannot be read: " + oneLine(e.getMessage()));
      }
      timeline.add(step.after().toMillis(), changes);
    }
    return List.copyOf(timeline.entries);
  }

  private void addFromFile(JsonNode step) {
    if (!step.isObject()) {
      throw problem(
          "must be an object like {\"afterMs\": 0, \"conditions\": {...}}, got " + describe(step));
    }
    for (Map.Entry<String, JsonNode> field : step.properties()) {
      if (!STEP_FIELDS.contains(field.getKey())) {
        throw problem("unknown field \"" + field.getKey() + "\"; a step has afterMs and conditions");
      }
    }
    JsonNode after = step.get(AFTER);
    if (after == null) {
      throw problem("afterMs is missing");
    }
    if (!after.isIntegralNumber() || !after.canConvertToLong()) {
      throw problem("afterMs must be a whole number of milliseconds, got " + describe(after));
    }
    JsonNode changes = step.get(CONDITIONS);
    if (changes == null) {
      throw problem("conditions is missing");
    }
    add(after.longValue(), changes);
  }

  private void add(long afterMs, JsonNode changes) {
    if (afterMs < 0) {
      throw problem("afterMs must not be negative, got " + afterMs);
    }
    long previous = entries.isEmpty() ? 0 : entries.get(entries.size() - 1).after().toMillis();
    if (afterMs < previous) {
      throw problem(
          "afterMs "
              + afterMs
              + " is before the previous step's "
              + previous
              + "; steps must be in time order");
    }
    if (!changes.isObject()) {
      throw problem("conditions must be an object, got " + describe(changes));
    }
    ObjectNode next = current.deepCopy();
    for (Map.Entry<String, JsonNode> field : changes.properties()) {
      next.set(field.getKey(), checked(field.getKey(), field.getValue()));
    }
    DeviceConditions conditions;
    try {
      conditions = MAPPER.treeToValue(next, DeviceConditions.class);
    } catch (JsonProcessingException e) {
      // The record's constructor rejects values (battery outside 0–100); Jackson wraps its message.
      throw problem(
          e.getCause() instanceof IllegalArgumentException invalid
              ? invalid.getMessage()
              : oneLine(e.getOriginalMessage()));
    }
    current = next;
    entries.add(new Entry(Duration.ofMillis(afterMs), conditions));
  }

  /** The value as the record reads it, enum names in their declared case. */
  private JsonNode checked(String field, JsonNode value) {
    Class<?> type = FIELDS.get(field);
    if (type == null) {
      throw problem(
          "unknown field \""
              + field
              + "\" in conditions; valid fields: "
              + String.join(", ", FIELDS.keySet()));
    }
    if (type == int.class) {
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw problem(field + " must be a whole number, got " + describe(value));
      }
    } else if (type == boolean.class) {
      if (!value.isBoolean()) {
        throw problem(field + " must be true or false, got " + describe(value));
      }
    } else if (type.isEnum()) {
      List<String> names =
          Arrays.stream(type.getEnumConstants()).map(constant -> ((Enum<?>) constant).name()).toList();
      String valid = String.join(", ", names);
      if (!value.isTextual()) {
        throw problem(field + " must be one of " + valid + ", got " + describe(value));
      }
      return names.stream()
          .filter(name -> name.equalsIgnoreCase(value.textValue()))
          .findFirst()
          .map(TextNode::valueOf)
          .orElseThrow(
              () -> problem("unknown " + field + " " + describe(value) + "; valid values: " + valid));
    } else if (type == Optional.class) {
      if (!value.isTextual() && !value.isNull()) {
        throw problem(field + " must be a string or null, got " + describe(value));
      }
    }
    return value;
  }

  private IllegalArgumentException problem(String what) {
    return new IllegalArgumentException(where + ", step " + entries.size() + ": " + what);
  }

  /** A value as it would be written in the file, short enough for one line. */
  private static String describe(JsonNode value) {
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "an array";
    }
    String text = value.toString();
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s+", " ");
  }
}
