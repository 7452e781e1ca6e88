package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void referenceDefaultsApplyWhenNothingIsSet() {
    Config config = ConfigLoader.load(Optional.empty(), List.of());

    assertThat(config.getInt("autoupload.upload.parallelism")).isEqualTo(4);
    assertThat(config.getBytes("autoupload.upload.chunk-bytes")).isEqualTo(1024 * 1024);
  }

  @Test
  void setValuesAreHoconSoSizesAndDurationsWork() {
    Config config =
        ConfigLoader.load(
            Optional.empty(),
            List.of(
                "autoupload.upload.parallelism=2",
                "autoupload.upload.chunk-bytes=64KiB",
                "autoupload.upload.retry.min-backoff=250ms"));

    assertThat(config.getInt("autoupload.upload.parallelism")).isEqualTo(2);
    assertThat(config.getBytes("autoupload.upload.chunk-bytes")).isEqualTo(64 * 1024);
    assertThat(config.getDuration("autoupload.upload.retry.min-backoff").toMillis()).isEqualTo(250);
  }

  @Test
  void setWinsOverConfigFileWhichWinsOverReference() throws IOException {
    Path file = dir.resolve("autoupload.conf");
    Files.writeString(
        file,
        "autoupload.upload.parallelism = 3\nautoupload.upload.retry.max-attempts = 7\n");

    Config config =
        ConfigLoader.load(Optional.of(file), List.of("autoupload.upload.parallelism=2"));

    assertThat(config.getInt("autoupload.upload.parallelism")).isEqualTo(2);
    assertThat(config.getInt("autoupload.upload.retry.max-attempts")).isEqualTo(7);
    assertThat(config.getDouble("autoupload.upload.retry.random-factor")).isEqualTo(0.2);
  }

  @Test
  void laterSetWinsOverEarlierSet() {
    Config config =
        ConfigLoader.load(
            Optional.empty(),
            List.of("autoupload.upload.parallelism=2", "autoupload.upload.parallelism=6"));

    assertThat(config.getInt("autoupload.upload.parallelism")).isEqualTo(6);
  }

  @Test
  void urlValuesKeepTheirDoubleSlashInsteadOfBecomingAComment() {
    Config config =
        ConfigLoader.parseAssignment("autoupload.journal.url=jdbc:postgresql://db.local/autoupload");

    assertThat(config.getString("autoupload.journal.url"))
        .isEqualTo("jdbc:postgresql://db.local/autoupload");
  }

  @Test
  void unquotedTextHoconCannotReadIsAString() {
    Config config =
        ConfigLoader.load(
            Optional.empty(),
            List.of("autoupload.policy.quiet-hours.start=22:00", "autoupload.policy.quiet-hours.end=06:30"));

    assertThat(config.getString("autoupload.policy.quiet-hours.start")).isEqualTo("22:00");
    assertThat(config.getString("autoupload.policy.quiet-hours.end")).isEqualTo("06:30");
  }

  @Test
  void setWithoutEqualsSignSaysWhatIsExpected() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage(
            "--set autoupload.upload.parallelism: expected KEY=VALUE, e.g. --set autoupload.upload.parallelism=2");
  }

  @Test
  void unparseableHoconValueIsOneLine() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism=[1,")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageStartingWith("--set autoupload.upload.parallelism=[1,: ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aLayoutPatternInBracesIsTakenAsItIsWritten() {
    Config config =
        ConfigLoader.load(Optional.empty(), List.of("autoupload.layout.pattern={yyyy}/{MM}/{filename}"));

    assertThat(config.getString("autoupload.layout.pattern")).isEqualTo("{yyyy}/{MM}/{filename}");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism={")))
        .hasMessageStartingWith("bad value for autoupload.upload.parallelism: expected a number");
  }

  @Test
  void anUnknownQueueOrderNamesTheChoices() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.queue.order=random")))
        .hasMessageContaining("autoupload.queue.order must be newest-first, oldest-first or found, not \"random\"");
  }

  @Test
  void aBadRuleIsRefusedBeforeTheEngineStarts() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.rules.only-since=last-year")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageContaining("autoupload.rules.only-since must be a date such as 2024-01-01");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.rules.min-age=soon")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageContaining("autoupload.rules.min-age");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.rules.videos.mobile-data=sometimes")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageContaining("autoupload.rules.videos.mobile-data");
  }

  @Test
  void wrongTypeNamesTheSettingTheExpectedTypeAndWhereItCameFrom() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism=lots")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage(
            "bad value for autoupload.upload.parallelism: expected a number, got \"lots\" "
                + "(from --set autoupload.upload.parallelism)");
  }

  @Test
  void badSizeAndDurationAreCaught() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.chunk-bytes=big")))
        .hasMessageStartingWith("bad value for autoupload.upload.chunk-bytes: expected a size such as 64KiB");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.ask-timeout=soon")))
        .hasMessageStartingWith("bad value for autoupload.ask-timeout: expected a duration such as 30s");
  }

  @Test
  void numberDefaultsAcceptSizesWhereTheEngineReadsASize() {
    Config config =
        ConfigLoader.load(Optional.empty(), List.of("autoupload.policy.bandwidth-limit=10MiB"));

    assertThat(config.getBytes("autoupload.policy.bandwidth-limit")).isEqualTo(10L * 1024 * 1024);
  }

  @Test
  void sizeWhereTheEngineWantsACountIsRejectedByTheEngineParser() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism=10MiB")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage(
            "bad value (from --set autoupload.upload.parallelism): "
                + "parallelism has type STRING rather than NUMBER");
  }

  @Test
  void listsAreChecked() {
    assertThat(
            ConfigLoader.load(Optional.empty(), List.of("autoupload.policy.ssid-allow-list=[home, office]"))
                .getStringList("autoupload.policy.ssid-allow-list"))
        .containsExactly("home", "office");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.policy.ssid-allow-list=home")))
        .hasMessageStartingWith("bad value for autoupload.policy.ssid-allow-list: expected a list");
  }

  @Test
  void misspelledSettingIsRejectedInsteadOfIgnored() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.paralelism=2")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage("unknown setting autoupload.upload.paralelism (from --set autoupload.upload.paralelism)");
  }

  @Test
  void theTargetsSettingsAreKnownAndChecked() {
    Config config =
        ConfigLoader.load(
            Optional.empty(),
            List.of(
                "autoupload.target.verify-tls=false",
                "autoupload.target.trusted-certificates=\"/etc/autoupload/ca.pem\"",
                "autoupload.target.password-file=/run/secrets/nas",
                "autoupload.target.connect-timeout=5s",
                "autoupload.target.min-bytes-per-second=1MiB",
                "autoupload.target.s3.access-key-id=AKIDEXAMPLE"));

    assertThat(config.getBoolean("autoupload.target.verify-tls")).isFalse();
    assertThat(config.getString("autoupload.target.trusted-certificates")).isEqualTo("/etc/autoupload/ca.pem");
    assertThat(config.getString("autoupload.target.password-file")).isEqualTo("/run/secrets/nas");
    assertThat(config.getDuration("autoupload.target.connect-timeout").toSeconds()).isEqualTo(5);
    assertThat(config.getBytes("autoupload.target.min-bytes-per-second")).isEqualTo(1024 * 1024);
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.target.verify-tsl=false")))
        .hasMessage("unknown setting autoupload.target.verify-tsl (from --set autoupload.target.verify-tsl)");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.target.verify-tls=maybe")))
        .hasMessageStartingWith("bad value for autoupload.target.verify-tls: expected true or false");
  }

  @Test
  void aSecretThatDoesNotParseIsNotEchoed() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.target.password=\"hunter2")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageStartingWith("--set autoupload.target.password=***: ")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(
            () -> ConfigLoader.load(Optional.empty(), List.of("autoupload.target.s3.secret-access-key=[hunter2]")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage(
            "bad value for autoupload.target.s3.secret-access-key: expected a string, got a value of type list"
                + " (from --set autoupload.target.s3.secret-access-key)")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void outOfRangeValueUsesTheEnginesOwnCheck() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of("autoupload.upload.parallelism=0")))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage("autoupload.upload.parallelism must be at least 1");
  }

  @Test
  void outOfRangeEngineSettingsAreRefusedBeforeAnythingStarts() {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("autoupload.ledger-snapshot-every=0", "autoupload.ledger-snapshot-every must be at least 1, got 0");
    refused.put("autoupload.supervision.once-max-restarts=0", "autoupload.supervision.once-max-restarts must be at least 1");
    refused.put("autoupload.supervision.min-backoff=1m", "autoupload.supervision.min-backoff must be positive and at most max-backoff");
    refused.put("autoupload.journal.max-connections=0", "autoupload.journal.max-connections must be at least 1, got 0");
    refused.put("autoupload.ask-timeout=0s", "autoupload.ask-timeout must be at least 1ms");
    refused.put("autoupload.conditions.debounce=-1s", "autoupload.conditions.debounce must not be negative");
    refused.put("autoupload.conditions.linux-poll-interval=0s", "autoupload.conditions.linux-poll-interval must be at least 1ms");
    refused.put(
        "autoupload.release-memory-when-idle-for=-1s",
        "autoupload.release-memory-when-idle-for must be 0s (never) or longer, not -1s");
    refused.put("autoupload.upload.retry.min-backoff=-1s", "autoupload.upload.retry.min-backoff must not be negative");
    refused.put("autoupload.upload.retry.min-backoff=10m", "autoupload.upload.retry.max-backoff must be at least min-backoff");
    refused.put(
        "autoupload.layout.time-zone=Mars/Olympus",
        "autoupload.layout.time-zone: \"Mars/Olympus\" is not a time zone such as Europe/Berlin or UTC");
    refused.put("autoupload.layout.pattern=\"../{filename}\"", "autoupload.layout.pattern must be a relative path without '..'");
    refused.put("autoupload.layout.pattern=\"{nope}/{filename}\"", "autoupload.layout.pattern: unknown token {nope}");

    refused.forEach(
        (assignment, message) ->
            assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), List.of(assignment)))
                .as(assignment)
                .isInstanceOf(ConfigLoader.BadConfigException.class)
                .hasMessageStartingWith(message));
  }

  @Test
  void aFolderGivenAsConfigFileIsNamedAsAFolder() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir), List.of()))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessage("config file " + dir + " is a folder; name the file");
  }

  @Test
  void badConfigFileNamesTheFileAndLine() throws IOException {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, "autoupload {\n  upload.parallelism = \n");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), List.of()))
        .isInstanceOf(ConfigLoader.BadConfigException.class)
        .hasMessageStartingWith("cannot read config file " + file + ": ")
        .hasMessageNotContaining("\n");
  }

  @Test
  void missingConfigFileIsAnError() {
    Path file = dir.resolve("absent.conf");

    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), List.of()))
        .hasMessage("config file " + file + " does not exist");
  }

  @Test
  void dataDirComesFromConfigOnlyWhenSet() {
    Config unset = ConfigLoader.load(Optional.empty(), List.of());
    Config set = ConfigLoader.load(Optional.empty(), List.of("autoupload.data-dir=" + dir));

    assertThat(ConfigLoader.dataDir(unset)).isEmpty();
    assertThat(ConfigLoader.dataDir(set)).contains(dir);
    assertThat(ConfigLoader.dataDir(ConfigLoader.withDataDir(unset, dir))).contains(dir);
  }
}
