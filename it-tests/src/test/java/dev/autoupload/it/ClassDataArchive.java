package dev.autoupload.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class-data archive of what the packaged app loads, made once per test JVM by one short
 * training run and mapped by every app the tests start: each start then parses about half as many
 * classes, which halves the CPU a start costs (the integration tests start the app hundreds of
 * times on two cores). The app's code runs as shipped; the {@code autoupload} launcher does the same.
 */
final class ClassDataArchive {

  /** JVM options that keep the JVM's own warnings (a stale archive, say) off stdout, which tests read. */
  static final List<String> JVM_LOG = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");

  private static final long TRAINING_TIMEOUT_SECONDS = 120;
  private static List<String> options;

  private ClassDataArchive() {}

  /**
   * The JVM options that map the archive, made on first use; only {@link #JVM_LOG} when the
   * training run failed, so that tests still run, only slower.
   */
  static synchronized List<String> options(Path jar) {
    if (options == null) {
      options = make(jar);
    }
    return options;
  }

  private static List<String> make(Path jar) {
    List<String> made = new ArrayList<>(JVM_LOG);
    try {
      Path dir = Files.createDirectories(Path.of("target", "class-data").toAbsolutePath());
      Path archive = dir.resolve("autoupload.jsa");
      Files.deleteIfExists(archive);
      Path training = Files.createTempDirectory(dir, "training");
      Path source = Files.createDirectories(training.resolve("source"));
      Files.write(source.resolve("IMG_0001.jpg"), new byte[3000]);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_LOG);
      command.add("-XX:ArchiveClassesAtExit=" + archive);
      command.addAll(
          List.of(
              "-jar", jar.toString(), "run", "--once", "--source", source.toString(),
              "--target", training.resolve("target").toUri().toString(),
              "--data-dir", training.resolve("data").toString(), "--http", "off"));
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      if (!process.isAlive() && process.exitValue() == 0 && Files.isRegularFile(archive)) {
        made.add("-XX:SharedArchiveFile=" + archive);
      } else {
        System.err.println("ClassDataArchive: the training run failed; apps start without an archive");
      }
    } catch (IOException e) {
      System.err.println("ClassDataArchive: " + e + "; apps start without an archive");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.copyOf(made);
  }
}
