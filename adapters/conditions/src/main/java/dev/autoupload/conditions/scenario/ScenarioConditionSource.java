package dev.autoupload.conditions.scenario;

import dev.autoupload.conditions.SourceThread;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.conditions.DeviceConditions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scripted timeline of device conditions, for simulations, demos and tests: Wi-Fi drops after a
 * minute, Low Power Mode comes on after two.
 *
 * <p>A scenario file is a JSON array of steps, in time order:
 *
 * <pre>{@code
 * [
 *   {"afterMs": 0,     "conditions": {"network": "WIFI", "wifiSsid": "home", "batteryPercent": 90}},
 *   {"afterMs": 60000, "conditions": {"network": "NONE"}},
 *   {"afterMs": 90000, "conditions": {"network": "wifi", "lowPowerMode": true}}
 * ]
 * }</pre>
 *
 * <p>{@code conditions} names {@link DeviceConditions} fields; a field a step leaves out keeps its
 * value from the step before, and the first step starts from {@link DeviceConditions#desktop()}.
 * Enum values are matched without regard to case; {@code wifiSsid} is a string or {@code null}.
 * Nothing is reported before the first step, so the engine keeps its own default until then.
 */
public final class ScenarioConditionSource implements ConditionSource {

  private static final Logger log = LoggerFactory.getLogger(ScenarioConditionSource.class);

  /**
   * One step of a scenario built in code.
   *
   * @param after when the step applies, counted from {@link #start}; not before the previous step
   * @param changes {@link DeviceConditions} fields by name: numbers, booleans, enum constants or
   *     their names, and for {@code wifiSsid} a string, an {@code Optional} or {@code null}
   */
  public record Step(Duration after, Map<String, Object> changes) {
    /**
     * Copies {@code changes}, keeping null values (no SSID).
     *
     * @param after when the step applies, counted from {@link #start}
     * @param changes {@link DeviceConditions} fields by name
     * @throws NullPointerException when {@code after} or {@code changes} is null
     */
    public Step {
      Objects.requireNonNull(after, "after");
      // Not Map.copyOf: null is a legitimate value (no SSID).
      changes = Collections.unmodifiableMap(new LinkedHashMap<>(changes));
    }
  }

  private final String description;
  private final List<Timeline.Entry> timeline;
  private ScheduledExecutorService scheduler;

  private ScenarioConditionSource(String description, List<Timeline.Entry> timeline) {
    this.description = description;
    this.timeline = timeline;
  }

  /**
   * Reads and checks a scenario file; nothing is left to fail once it has returned.
   *
   * @throws IllegalArgumentException with a one-line message naming the file and the step (counted
   *     from 0) when the file cannot be read, is not a JSON array of steps, a step's {@code afterMs}
   *     is missing, negative or earlier than the step before, or a field is unknown, of the wrong
   *     type or out of range
   *
   * @param file a JSON array of steps
   * @return the source, not yet started
   */
  public static ScenarioConditionSource load(Path file) {
    List<Timeline.Entry> timeline = Timeline.read(file);
    return new ScenarioConditionSource(
        "scenario " + file + " (" + timeline.size() + " steps)", timeline);
  }

  /**
   * A scenario given in code, checked like a file.
   *
   * @param steps the steps, in order of {@code after}
   * @return the source, not yet started
   * @throws IllegalArgumentException with a one-line message naming the step (counted from 0)
   */
  public static ScenarioConditionSource of(List<Step> steps) {
    List<Timeline.Entry> timeline = Timeline.of(steps);
    return new ScenarioConditionSource("scripted scenario (" + timeline.size() + " steps)", timeline);
  }

  @Override
  public String describe() {
    return description;
  }

  /**
   * Reports each step's snapshot when its time comes, on a daemon thread of its own; a step at 0
   * at once.
   *
   * @throws IllegalStateException when already started
   */
  @Override
  public synchronized void start(Consumer<DeviceConditions> sink) {
    Objects.requireNonNull(sink, "sink");
    if (scheduler != null) {
      throw new IllegalStateException(description + " was already started");
    }
    scheduler = SourceThread.start("autoupload-conditions-scenario");
    // One thread and ties broken by submission order: snapshots arrive in step order.
    for (int i = 0; i < timeline.size(); i++) {
      int step = i;
      Timeline.Entry entry = timeline.get(i);
      scheduler.schedule(
          () -> report(step, entry, sink), entry.after().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void report(int step, Timeline.Entry entry, Consumer<DeviceConditions> sink) {
    log.debug("{}: step {} at {} ms: {}", description, step, entry.after().toMillis(), entry.conditions());
    try {
      sink.accept(entry.conditions());
    } catch (RuntimeException e) {
      log.warn("{}: the conditions sink failed on step {}", description, step, e);
    }
  }

  /** Drops the steps still to come and waits briefly for the thread to end. */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      running = scheduler;
    }
    SourceThread.stop(running);
  }
}
