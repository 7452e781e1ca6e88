package dev.autoupload.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.conditions.DeviceConditions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a {@link DeviceConditions} from the JSON a host app sends to {@code PUT /api/conditions}:
 * an object with every field of the record by name, enums by constant name, {@code wifiSsid} a
 * string or null (or left out), {@code networkSince} an ISO-8601 instant or null (or left out).
 * Anything else is refused with the field it is about, so a host
 * app's mistake is a 400 that says what to fix rather than a device state the engine guesses at.
 */
final class ConditionsJson {

  static final List<String> FIELDS =
      List.of(
          "batteryPercent",
          "charging",
          "lowPowerMode",
          "network",
          "metered",
          "wifiSsid",
          "backgroundRefreshAllowed",
          "photoAccess",
          "osState",
          "networkSince");

  /** A field the request got wrong. */
  static final class InvalidField extends RuntimeException {
    private final String field;

    InvalidField(String field, String message) {
      super(field + ": " + message);
      this.field = field;
    }

    String field() {
      return field;
    }
  }

  private ConditionsJson() {}

  static DeviceConditions parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new InvalidField("conditions", "expected a JSON object with the fields " + FIELDS);
    }
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidField(name, "unknown field; expected one of " + FIELDS);
      }
    }
    int battery = integer(json, "batteryPercent");
    if (battery < 0 || battery > 100) {
      throw new InvalidField("batteryPercent", "must be 0-100, got " + battery);
    }
    return new DeviceConditions(
        battery,
        bool(json, "charging"),
        bool(json, "lowPowerMode"),
        constant(json, "network", DeviceConditions.Network.class),
        bool(json, "metered"),
        ssid(json),
        bool(json, "backgroundRefreshAllowed"),
        constant(json, "photoAccess", DeviceConditions.PhotoAccess.class),
        constant(json, "osState", DeviceConditions.OsState.class),
        instant(json, "networkSince"));
  }

  private static Optional<Instant> instant(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (value.isTextual()) {
      try {
        return Optional.of(Instant.parse(value.textValue()));
      } catch (DateTimeParseException e) {
        // fall through to the message below
      }
    }
    throw new InvalidField(field, "expected an ISO-8601 instant such as 2026-12-03T08:00:00Z, or null; got " + value);
  }

  private static JsonNode required(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidField(field, "missing");
    }
    return value;
  }

  private static int integer(JsonNode json, String field) {
    JsonNode value = required(json, field);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidField(field, "expected an integer, got " + value);
    }
    return value.intValue();
  }

  private static boolean bool(JsonNode json, String field) {
    JsonNode value = required(json, field);
    if (!value.isBoolean()) {
      throw new InvalidField(field, "expected true or false, got " + value);
    }
    return value.booleanValue();
  }

  private static <E extends Enum<E>> E constant(JsonNode json, String field, Class<E> type) {
    JsonNode value = required(json, field);
    Set<String> names =
        Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.toCollection(LinkedHashSet::new));
    if (!value.isTextual() || !names.contains(value.textValue().toUpperCase(Locale.ROOT))) {
      throw new InvalidField(field, "expected one of " + names + ", got " + value);
    }
    return Enum.valueOf(type, value.textValue().toUpperCase(Locale.ROOT));
  }

  private static Optional<String> ssid(JsonNode json) {
    JsonNode value = json.get("wifiSsid");
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new InvalidField("wifiSsid", "expected a string or null, got " + value);
    }
    return Optional.of(value.textValue());
  }
}
