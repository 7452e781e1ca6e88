package dev.autoupload.targets.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpClientsTest {

  @TempDir Path dir;

  @Test
  void aFileWithoutAPemCertificateIsRefusedInOneLine() throws Exception {
    Path key =
        Files.writeString(
            dir.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(key));

    assertThat(error).hasMessage(key + " holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void aCertificateBlockThatDoesNotParseNamesTheFile() throws Exception {
    Path broken =
        Files.writeString(
            dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(broken));

    assertThat(error.getMessage()).startsWith("cannot use the certificates in " + broken + ": ").doesNotContain("\n");
  }

  @Test
  void aMissingFileNamesTheFile() {
    Path missing = dir.resolve("missing.pem");

    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class, () -> HttpClients.trusting(missing));

    assertThat(error.getMessage()).startsWith("cannot use the certificates in " + missing);
  }
}
