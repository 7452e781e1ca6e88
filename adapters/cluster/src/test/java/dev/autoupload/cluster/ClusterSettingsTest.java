package dev.autoupload.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static Config config(String cluster) {
    return ConfigFactory.parseString("autoupload.cluster { " + cluster + " }").withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void noSeedNodesMeansNoCluster() {
    assertThat(ClusterSettings.configured(ConfigFactory.defaultReference())).isFalse();
    assertThat(ClusterSettings.configured(config("seed-nodes = [\"127.0.0.1:2551\"]"))).isTrue();
  }

  @Test
  void seedNodesBecomePekkoAddressesOfTheSystemTheEngineNames() {
    Config pekko = ClusterSettings.from(config("port = 2552, seed-nodes = [\"10.0.0.5:2551\", \"10.0.0.6:2551\"], stable-after = 3s")).pekkoSettings();

    assertThat(pekko.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://autoupload@10.0.0.5:2551", "pekko://autoupload@10.0.0.6:2551");
    assertThat(pekko.getInt("pekko.remote.artery.canonical.port")).isEqualTo(2552);
    assertThat(pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis()).isEqualTo(3000);
    assertThat(pekko.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
    assertThat(pekko.getBoolean("pekko.cluster.sharding.remember-entities")).isTrue();
  }

  @Test
  void aNodesEngineLeavesTheActivityProjectionToTheClusterAndReadsOftenWhileIdle() {
    Config engine =
        ClusterSettings.engineSettings(
            ConfigFactory.parseString("autoupload.activity.projection = on")
                .withFallback(config("seed-nodes = [\"127.0.0.1:2551\"], activity-read-again-while-idle = 500ms"))
                .withFallback(ConfigFactory.parseString("autoupload.activity.read-again-while-idle = 30s")));

    assertThat(engine.getBoolean("autoupload.activity.projection")).isFalse();
    assertThat(engine.getDuration("autoupload.activity.read-again-while-idle").toMillis()).isEqualTo(500);
    assertThat(ClusterSettings.engineSettings(config("seed-nodes = [\"127.0.0.1:2551\"]"))
            .getDuration("autoupload.activity.read-again-while-idle").toMillis())
        .isEqualTo(1000);
    assertThatThrownBy(() -> ClusterSettings.engineSettings(config("activity-read-again-while-idle = 0s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("activity-read-again-while-idle");
  }

  @Test
  void aNodesEngineSlicesANewJournalForTheCluster() {
    assertThat(ClusterSettings.engineSettings(config("seed-nodes = [\"127.0.0.1:2551\"]")).getInt("autoupload.activity.slices"))
        .as("the cluster's default")
        .isEqualTo(4);
    assertThat(ClusterSettings.engineSettings(config("activity-slices = 7")).getInt("autoupload.activity.slices"))
        .isEqualTo(7);
    assertThatThrownBy(() -> ClusterSettings.engineSettings(config("activity-slices = 65")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("autoupload.cluster.activity-slices must be 1 to 64, not 65");
  }

  @Test
  void aSeedNodeWithoutPortIsRefused() {
    assertThatThrownBy(() -> ClusterSettings.from(config("seed-nodes = [\"10.0.0.5\"]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host:port");
  }
}
