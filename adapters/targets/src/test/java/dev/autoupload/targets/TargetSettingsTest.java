package dev.autoupload.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.targets.TargetSettings.NameRulesSetting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetSettingsTest {

  @TempDir Path dir;

  private static Config config(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseResources("reference.conf")).resolve();
  }

  @Test
  void theDefaultsVerifyTlsAndHoldNoSecret() {
    TargetSettings settings = TargetSettings.fromConfig(config(""));

    assertThat(settings.verifyTls()).isTrue();
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.readTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(settings.minBytesPerSecond()).isEqualTo(64 * 1024);
    assertThat(settings.s3Key()).isEmpty();
    assertThat(settings.trustedCertificates()).isEmpty();
    assertThat(settings.nameRules()).isEqualTo(NameRulesSetting.AUTO);
  }

  @ParameterizedTest
  @CsvSource({"auto, AUTO", "posix, POSIX", "windows, WINDOWS"})
  void readsWhichNameRulesTheTargetsUse(String value, NameRulesSetting expected) {
    TargetSettings settings = TargetSettings.fromConfig(config("autoupload.target.name-rules = " + value));

    assertThat(settings.nameRules()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ntfs", "Windows", "\"\""})
  void anUnknownNameRulesValueIsRejectedNamingTheKey(String value) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetSettings.fromConfig(config("autoupload.target.name-rules = " + value)))
        .withMessageContaining("autoupload.target.name-rules")
        .withMessageContaining("auto, posix, windows");
  }

  @Test
  void theNameRulesSettingAddsWindowsRulesToATargetsOwn() {
    assertThat(NameRulesSetting.AUTO.apply(NameRules.NEXTCLOUD, false)).isEqualTo(NameRules.NEXTCLOUD);
    assertThat(NameRulesSetting.AUTO.apply(NameRules.POSIX, true)).isEqualTo(NameRules.WINDOWS);
    assertThat(NameRulesSetting.POSIX.apply(NameRules.POSIX, true)).isEqualTo(NameRules.POSIX);
    assertThat(NameRulesSetting.WINDOWS.apply(NameRules.NEXTCLOUD, false))
        .isEqualTo(NameRules.NEXTCLOUD.and(NameRules.WINDOWS));
  }

  @Test
  void aPasswordFileWinsAndItsFirstLineIsThePassword() throws Exception {
    Path file = Files.writeString(dir.resolve("password"), "s3cr3t pass\nignored\n");

    TargetSettings settings =
        TargetSettings.fromConfig(
            config("autoupload.target { password = inline, password-file = \"" + file + "\" }"));

    assertThat(settings.password()).hasValueSatisfying(p -> assertThat(p.value()).isEqualTo("s3cr3t pass"));
  }

  @Test
  void secretsNeverShowInToString() {
    TargetSettings settings =
        TargetSettings.fromConfig(
            config(
                "autoupload.target { password = hunter2, s3 { access-key-id = AKIA1,"
                    + " secret-access-key = wJalrXUtnFEMI } }"));

    assertThat(settings.toString()).doesNotContain("hunter2").doesNotContain("wJalrXUtnFEMI");
    assertThat(settings.s3Key()).hasValueSatisfying(k -> assertThat(k.accessKeyId()).isEqualTo("AKIA1"));
  }

  @Test
  void halfAnS3KeyIsRejectedWithAOneLineReason() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetSettings.fromConfig(config("autoupload.target.s3.access-key-id = AKIA1")))
        .withMessageContaining("both access-key-id and secret-access-key");
  }

  @Test
  void aMissingPasswordFileOrCertificateFileIsNamed() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                TargetSettings.fromConfig(
                    config("autoupload.target.password-file = \"" + dir.resolve("nope") + "\"")))
        .withMessageContaining("cannot read " + dir.resolve("nope"));
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                TargetSettings.fromConfig(
                    config("autoupload.target.trusted-certificates = \"" + dir.resolve("ca.pem") + "\"")))
        .withMessageContaining("cannot read " + dir.resolve("ca.pem"));
  }

  @Test
  void anEmptyPasswordFileIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("empty"), "\n");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> TargetSettings.fromConfig(config("autoupload.target.password-file = \"" + file + "\"")))
        .withMessageContaining("is empty");
  }
}
