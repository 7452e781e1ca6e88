package dev.autoupload.engine.internal.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.conditions.BlockerReason;
import dev.autoupload.engine.watchdog.LibraryWatch;
import dev.autoupload.engine.watchdog.Stall;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WatchdogSettingsTest {

  private static Config with(String key, Object value) {
    return ConfigFactory.parseMap(Map.of(key, value)).withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void defaultsAreSixHoursSevenDaysAndNoWebhook() {
    WatchdogSettings settings = WatchdogSettings.from(ConfigFactory.defaultReference());
    assertThat(settings.limits()).isEqualTo(new LibraryWatch.Limits(Duration.ofHours(6), Duration.ofDays(7)));
    assertThat(settings.checkEvery()).isEqualTo(Duration.ofMinutes(1));
    assertThat(settings.webhook()).isEmpty();
  }

  @Test
  void aBadWebhookUrlIsRefusedWithoutShowingIt() {
    for (String url : List.of("ftp://hooks.example/T0K3N", "hooks.example/T0K3N", "http:///T0K3N", "http://exa mple/T0K3N")) {
      assertThatThrownBy(() -> WatchdogSettings.from(with("autoupload.alerts.webhook-url", url)))
          .as(url)
          .hasMessage("autoupload.alerts.webhook-url must be an http:// or https:// URL with a host")
          .hasMessageNotContaining("T0K3N");
    }
  }

  @Test
  void aDurationThatIsNotPositiveNamesItsKey() {
    assertThatThrownBy(() -> WatchdogSettings.from(with("autoupload.watchdog.stall-after", "0s")))
        .hasMessageStartingWith("autoupload.watchdog.stall-after must be longer than zero");
    assertThatThrownBy(() -> WatchdogSettings.from(with("autoupload.alerts.retry.max-attempts", 0)))
        .hasMessageStartingWith("autoupload.alerts.retry.max-attempts must be at least 1");
  }

  @Test
  void logsNameTheReceiverByItsHostOnly() {
    assertThat(WatchdogSettings.describe(URI.create("https://hooks.example:8443/services/T0K3N?key=S3CRET")))
        .isEqualTo("https://hooks.example:8443/…");
  }

  @Test
  void theWebhookPayloadSaysWhatWhyAndSinceWhen() {
    Instant since = Instant.parse("2026-12-01T00:00:00Z");
    Stall stall =
        new Stall("camera", Stall.Kind.NO_PROGRESS, since, 40, Set.of(BlockerReason.WIFI_REQUIRED), List.of("the target: HTTP 503"));
    Map<String, Object> json = Webhook.payload(new LibraryWatch.Stalled(stall), since.plus(Duration.ofHours(7)));
    assertThat(json)
        .containsEntry("event", "stalled")
        .containsEntry("library", "camera")
        .containsEntry("kind", "no-progress")
        .containsEntry("since", "2026-12-01T00:00:00Z")
        .containsEntry("stalledForSeconds", 7L * 3600)
        .containsEntry("waiting", 40L)
        .containsEntry("reasons", List.of("WIFI_REQUIRED"))
        .containsEntry("causes", List.of("the target: HTTP 503"));
    Map<String, Object> recovered =
        Webhook.payload(
            new LibraryWatch.Recovered(stall, since.plus(Duration.ofHours(8)), LibraryWatch.Recovery.BACKED_UP),
            since.plus(Duration.ofHours(8)));
    assertThat(recovered).containsEntry("event", "recovered").containsEntry("how", "backed-up");
  }
}
