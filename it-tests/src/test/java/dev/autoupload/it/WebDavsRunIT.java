package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.tls.TestCertificates;
import dev.autoupload.targets.webdav.NginxWebDav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code autoupload run --once --target webdavs://…} end to end against a real nginx over HTTPS
 * whose certificate comes from a private CA: trusted through {@code
 * autoupload.target.trusted-certificates} with verification on, refused without it, and the
 * password taken from the environment or a password file without ever being printed.
 */
class WebDavsRunIT {

  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
  private static final String WRONG_PASSWORD = "not-annas-password";

  @TempDir static Path serverDir;
  private static TestCertificates certificates;
  private static NginxWebDav nginx;

  @RegisterExtension final AppProcesses apps = new AppProcesses();
  @TempDir Path tmp;

  @BeforeAll
  static void startNginx() throws Exception {
    certificates = TestCertificates.create(serverDir.resolve("tls"));
    nginx = NginxWebDav.startHttps(serverDir.resolve("nginx"), certificates.loopback());
  }

  @AfterAll
  static void stopNginx() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
  }

  @Test
  void backsUpOverHttpsTrustingAPrivateCaByteExactAndThenSendsNothing() throws IOException {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 20, KIB, 200 * KIB, new SplittableRandom(20));
    MediaFiles.write(source.resolve("Videos/clip 1.mov"), 3 * MediaFiles.MIB, new SplittableRandom(3));
    Map<String, String> sourceHashes = MediaFiles.sha256Tree(source);

    AppProcess first =
        apps.start(
            run(source, "phone", trustingTheCa())
                .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD));
    assertThat(first.waitFor(RUN_TIMEOUT)).as(first.describe()).isZero();
    assertThat(first.summary().uploaded()).isEqualTo(sourceHashes.size());
    assertThat(MediaFiles.withoutHashSidecars(MediaFiles.sha256Tree(nginx.www().resolve("phone")))).isEqualTo(sourceHashes);
    assertThat(first.describe()).doesNotContain(NginxWebDav.PASSWORD);

    // The same password, from a file this time: it must log in just the same.
    AppProcess second =
        apps.start(run(source, "phone", trustingTheCa(), passwordFile(NginxWebDav.PASSWORD)));
    assertThat(second.waitFor(RUN_TIMEOUT)).as(second.describe()).isZero();
    assertThat(second.summary().already()).isEqualTo(sourceHashes.size());
    assertThat(second.summary().bytesSent()).isZero();
    assertThat(second.describe()).doesNotContain(NginxWebDav.PASSWORD);
  }

  @Test
  void withoutTheCaTheRunDoesNotStartAndSaysTheCertificateIsNotTrusted() {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 3, KIB, 10 * KIB, new SplittableRandom(3));

    AppProcess app =
        apps.start(
            run(source, "untrusted").withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
    assertThat(app.errorLines())
        .as(app.describe())
        .singleElement()
        .asString()
        .contains("the server's certificate is not trusted", "autoupload.target.trusted-certificates");
    assertThat(app.stderr()).as(app.describe()).noneMatch(line -> line.contains("\tat "));
    assertThat(nginx.www().resolve("untrusted")).doesNotExist();
  }

  @Test
  void aWrongPasswordInThePasswordFileWinsOverTheEnvironmentStopsTheRunAndIsNeverPrinted() throws IOException {
    Path source = tmp.resolve("photos");
    MediaFiles.randomTree(source, 3, KIB, 10 * KIB, new SplittableRandom(4));

    AppProcess app =
        apps.start(
            run(source, "wrong-password", trustingTheCa(), passwordFile(WRONG_PASSWORD))
                .withEnvironment(TargetSettings.PASSWORD_VARIABLE, NginxWebDav.PASSWORD));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(3);
    assertThat(app.errorLines()).as(app.describe()).singleElement().asString().contains("HTTP 401");
    assertThat(app.describe()).doesNotContain(WRONG_PASSWORD).doesNotContain(NginxWebDav.PASSWORD);
    assertThat(nginx.www().resolve("wrong-password")).doesNotExist();
  }

  @Test
  void aTrustedCertificatesFileThatIsNotPemIsABadSettingNamedInOneLine() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("photos"));
    Path notPem = Files.writeString(tmp.resolve("ca.txt"), "not a certificate\n");

    AppProcess app =
        apps.start(run(source, "not-pem", "autoupload.target.trusted-certificates=\"" + notPem + "\""));

    assertThat(app.waitFor(RUN_TIMEOUT)).as(app.describe()).isEqualTo(2);
    assertThat(app.errorLines())
        .as(app.describe())
        .containsExactly(
            "autoupload: error: autoupload.target.trusted-certificates: " + notPem
                + " holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
    assertThat(app.stderr()).as(app.describe()).noneMatch(line -> line.contains("\tat "));
  }

  private AppProcess.Launch run(Path source, String root, String... settings) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run", "--source", source.toString(),
                "--target", "webdavs://" + NginxWebDav.USER + "@127.0.0.1:" + nginx.port() + "/" + root,
                "--data-dir", tmp.resolve("data").toString(), "--once"));
    for (String setting : settings) {
      args.add("--set");
      args.add(setting);
    }
    return AppProcess.launch(args.toArray(String[]::new));
  }

  private static String trustingTheCa() {
    return "autoupload.target.trusted-certificates=\"" + certificates.ca() + "\"";
  }

  private String passwordFile(String password) throws IOException {
    Path file = Files.writeString(tmp.resolve("password"), password + "\n");
    return "autoupload.target.password-file=\"" + file + "\"";
  }
}
