package dev.autoupload.targets.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made for one test run with the {@code openssl} CLI, as PEM files: a private CA and
 * a server certificate it signed for 127.0.0.1, plus two a client trusting that CA must refuse.
 *
 * @param ca the CA to trust ({@code autoupload.target.trusted-certificates})
 * @param loopback for 127.0.0.1 (subjectAltName IP:127.0.0.1, which Java's host name check
 *     needs), signed by {@code ca}
 * @param unknownCa a second, self-signed CA nobody trusts
 * @param fromUnknownCa for 127.0.0.1 too, but signed by {@code unknownCa}
 * @param forOtherHost signed by {@code ca}, but for {@link #OTHER_HOST} only
 */
public record TestCertificates(
    Path ca, ServerCertificate loopback, Path unknownCa, ServerCertificate fromUnknownCa, ServerCertificate forOtherHost) {

  public static final String OTHER_HOST = "photos.example.org";

  /** A server's certificate and its unencrypted private key. */
  public record ServerCertificate(Path certificate, Path key) {}

  private static final long OPENSSL_TIMEOUT_SECONDS = 30;
  private static final AtomicLong SERIALS = new AtomicLong();

  /** Creates all of them in {@code dir}, valid from now for two days. */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path ca = authority(dir, "ca", "Autoupload test CA");
    Path unknownCa = authority(dir, "unknown-ca", "Unknown test CA");
    return new TestCertificates(
        ca,
        server(dir, "loopback", ca, "IP:127.0.0.1"),
        unknownCa,
        server(dir, "from-unknown-ca", unknownCa, "IP:127.0.0.1"),
        server(dir, "other-host", ca, "DNS:" + OTHER_HOST));
  }

  /** A self-signed CA: {@code name.pem}, with its key in {@code name.key}. */
  private static Path authority(Path dir, String name, String commonName) throws IOException, InterruptedException {
    Path certificate = dir.resolve(name + ".pem");
    openssl(
        dir,
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", dir.resolve(name + ".key").toString(), "-out", certificate.toString(), "-days", "2",
        "-subj", "/CN=" + commonName,
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return certificate;
  }

  private static ServerCertificate server(Path dir, String name, Path ca, String subjectAltName)
      throws IOException, InterruptedException {
    Path key = dir.resolve(name + ".key");
    Path request = dir.resolve(name + ".csr");
    Path certificate = dir.resolve(name + ".pem");
    Path extensions = dir.resolve(name + ".ext");
    openssl(
        dir,
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key.toString(), "-out", request.toString(), "-subj", "/CN=" + name);
    Files.writeString(
        extensions,
        "subjectAltName=" + subjectAltName + "\n"
            + "basicConstraints=CA:FALSE\n"
            + "keyUsage=critical,digitalSignature\n"
            + "extendedKeyUsage=serverAuth\n",
        StandardCharsets.US_ASCII);
    Path caKey = ca.resolveSibling(ca.getFileName().toString().replaceFirst("\\.pem$", ".key"));
    openssl(
        dir,
        "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-set_serial", String.valueOf(SERIALS.incrementAndGet()), "-days", "2", "-extfile", extensions.toString(),
        "-out", certificate.toString());
    return new ServerCertificate(certificate, key);
  }

  private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Path output = dir.resolve("openssl.out");
    Process process;
    try {
      process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl (install Debian's openssl): " + e.getMessage(), e);
    }
    if (!process.waitFor(OPENSSL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("openssl did not finish: " + String.join(" ", command));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl failed (exit " + process.exitValue() + "): " + String.join(" ", command) + "\n"
              + Files.readString(output));
    }
  }
}
