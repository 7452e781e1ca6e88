package dev.autoupload.engine.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.EngineEvent;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.conditions.Verdict;
import dev.autoupload.engine.upload.UploadError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EngineMetricsTest {

  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong();
  private final EngineMetrics metrics = new EngineMetrics(registry, now::get);

  @Test
  void blockedTimeIsCountedPerReasonForAsLongAsItHolds() {
    metrics.onEvent(new EngineEvent.VerdictChanged(new Verdict(false, 0, Set.of(BlockerReason.WIFI_REQUIRED, BlockerReason.LOW_POWER_MODE))));
    now.addAndGet(5 * SECOND);
    metrics.onEvent(new EngineEvent.VerdictChanged(new Verdict(false, 0, Set.of(BlockerReason.LOW_POWER_MODE))));
    now.addAndGet(2 * SECOND);
    assertThat(blocked(BlockerReason.WIFI_REQUIRED)).isEqualTo(5.0);
    assertThat(blocked(BlockerReason.LOW_POWER_MODE)).as("still in force: counted up to now").isEqualTo(7.0);
    metrics.onEvent(new EngineEvent.VerdictChanged(Verdict.run(4)));
    now.addAndGet(10 * SECOND);
    assertThat(blocked(BlockerReason.LOW_POWER_MODE)).isEqualTo(7.0);
    assertThat(blocked(BlockerReason.TARGET_FULL)).isZero();
  }

  @Test
  void filesAreCountedByOutcomeAndAnUploadIsTimedFromItsStart() {
    metrics.onEvent(new EngineEvent.AssetStarted("lib", "1", "a.jpg", 100));
    now.addAndGet(3 * SECOND);
    metrics.onEvent(new EngineEvent.AssetUploaded("lib", "1", "a.jpg", Optional.of("a.jpg"), 100, Instant.EPOCH, false));
    metrics.onEvent(new EngineEvent.AssetUploaded("lib", "2", "b.jpg", Optional.empty(), 50, Instant.EPOCH, true));
    metrics.onEvent(new EngineEvent.AssetFailed("lib", "3", "c.jpg", new UploadError.Transient("reset"), 1, true, Optional.of(Duration.ofSeconds(2))));
    metrics.onEvent(new EngineEvent.AssetFailed("lib", "3", "c.jpg", new UploadError.Transient("reset"), 2));
    metrics.onEvent(new EngineEvent.AssetSkipped("lib", "4", "d.jpg", "vanished"));

    assertThat(registry.get("autoupload.files").tag("outcome", "uploaded").counter().count()).isEqualTo(1);
    assertThat(registry.get("autoupload.files").tag("outcome", "already").counter().count()).isEqualTo(1);
    assertThat(registry.get("autoupload.files").tag("outcome", "failed").counter().count()).isEqualTo(1);
    assertThat(registry.get("autoupload.files").tag("outcome", "skipped").counter().count()).isEqualTo(1);
    assertThat(registry.get("autoupload.uploaded").counter().count()).as("only bytes sent").isEqualTo(100);
    assertThat(registry.get("autoupload.retries").counter().count()).isEqualTo(1);
    assertThat(registry.get("autoupload.upload.duration").timer().totalTime(TimeUnit.SECONDS)).isEqualTo(3.0);
  }

  private double blocked(BlockerReason reason) {
    return registry.get("autoupload.blocked").tag("reason", reason.name()).functionCounter().count();
  }
}
