package dev.autoupload.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example as a user would, on a real H2 journal and a real folder. */
class HostAppTest {

  @TempDir Path dataDir;
  @TempDir Path backup;

  @Test
  void backsUpEveryPhotoByteExactAndSaysWhereEachWent() throws Exception {
    List<String> firstRun = run();

    Map<String, String> expected = new TreeMap<>();
    HostApp.library().forEach((name, bytes) -> expected.put("2024/06/" + name, sha256(bytes)));
    assertThat(filesOnTarget()).isEqualTo(expected);
    assertThat(firstRun)
        .containsExactlyInAnyOrder(
            "uploaded DCIM/IMG_0001.JPG -> 2024/06/IMG_0001.JPG 80000",
            "uploaded DCIM/IMG_0002.JPG -> 2024/06/IMG_0002.JPG 160000",
            "uploaded DCIM/IMG_0003.JPG -> 2024/06/IMG_0003.JPG 240000",
            "backed up 3 of 3, failed 0");
    assertThat(firstRun.get(3)).isEqualTo("backed up 3 of 3, failed 0");
  }

  @Test
  void runAgainItUploadsNothingAndTheBackupIsUnchanged() throws Exception {
    run();
    Map<String, String> afterFirst = filesOnTarget();

    assertThat(run()).containsExactly("backed up 3 of 3, failed 0");
    assertThat(filesOnTarget()).isEqualTo(afterFirst).hasSize(3);
  }

  /**
   * Every line the example printed on stdout, run from the command line in a JVM of its own, as a
   * user runs it: the engine must print nothing there of its own.
   */
  private List<String> run() throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HostApp.class.getName(),
                dataDir.toString(),
                backup.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the host app ends").isTrue();
    System.out.print(output);
    assertThat(process.exitValue()).as("exit code").isZero();
    return output.lines().toList();
  }

  private Map<String, String> filesOnTarget() throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(backup)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(backup.relativize(file).toString().replace('\\', '/'), sha256(Files.readAllBytes(file)));
      }
    }
    return files;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
