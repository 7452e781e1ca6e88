package dev.autoupload.engine.internal.conditions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DailyWindowTest {

  @Test
  void aNightWindowCrossesMidnight() {
    DailyWindow night = DailyWindow.parse("22:00-07:00");
    assertThat(night.contains(LocalTime.of(23, 30))).isTrue();
    assertThat(night.contains(LocalTime.of(6, 59))).isTrue();
    assertThat(night.contains(LocalTime.of(7, 0))).as("the end is not in it").isFalse();
    assertThat(night.contains(LocalTime.of(12, 0))).isFalse();
    assertThat(night.contains(LocalTime.of(22, 0))).isTrue();
  }

  @Test
  void theScheduleComesFromConfigAndEveryBadWindowIsNamed() {
    PolicySettings settings =
        PolicySettings.from(
            ConfigFactory.parseMap(Map.of("autoupload.policy.schedule", List.of("22:00-07:00", " 12:00 - 13:00 ")))
                .withFallback(ConfigFactory.defaultReference()));
    assertThat(settings.schedule()).containsExactly(DailyWindow.parse("22:00-07:00"), DailyWindow.parse("12:00-13:00"));
    assertThat(settings.inSchedule(LocalTime.of(12, 30))).isTrue();
    assertThat(settings.inSchedule(LocalTime.of(9, 0))).isFalse();
    assertThat(PolicySettings.defaults().inSchedule(LocalTime.of(9, 0))).as("no schedule: any time").isTrue();
    for (String bad : List.of("22:00", "night", "25:00-07:00", "22:00-07:00-08:00", "")) {
      assertThatThrownBy(() -> DailyWindow.parse(bad))
          .hasMessage(
              "autoupload.policy.schedule: \"" + bad + "\" is not a window such as \"22:00-07:00\" (HH:MM-HH:MM, local time)");
    }
  }
}
