package dev.autoupload.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A host app that backs up to a local folder gets the engine and the targets module and nothing it
 * does not use, at most 35 MB in all: the README's "Embedding" promises each of these stays out,
 * and a dependency bump that brings one back should fail the build, not add megabytes unnoticed.
 */
class HostAppDependenciesTest {

  /** A class of each library the engine and the targets module leave out, by what it is. */
  private static final Map<String, String> LEFT_OUT =
      Map.ofEntries(
          Map.entry("Pekko remoting", "org.apache.pekko.remote.RemoteActorRefProvider"),
          Map.entry("Pekko Cluster (the module autoupload-cluster)", "org.apache.pekko.cluster.Cluster"),
          Map.entry("Aeron's agrona", "org.agrona.DirectBuffer"),
          Map.entry("the PostgreSQL driver", "org.postgresql.Driver"),
          Map.entry("the AWS SDK (S3 has its own module)", "software.amazon.awssdk.core.SdkBytes"),
          Map.entry("lz4-java", "net.jpountz.lz4.LZ4Factory"),
          Map.entry("Jackson's Scala module", "com.fasterxml.jackson.module.scala.DefaultScalaModule"),
          Map.entry("paranamer", "com.thoughtworks.paranamer.Paranamer"),
          Map.entry("pekko-persistence-jdbc (the engine has its own journal plugin)",
              "org.apache.pekko.persistence.jdbc.journal.JdbcAsyncWriteJournal"),
          Map.entry("Slick", "slick.jdbc.JdbcBackend"),
          Map.entry("scala-reflect", "scala.reflect.api.Trees"));

  @Test
  void theHostAppsClassPathHoldsNoneOfWhatTheEngineLeavesOut() {
    List<String> present =
        LEFT_OUT.entrySet().stream()
            .filter(library -> loadable(library.getValue()))
            .map(Map.Entry::getKey)
            .sorted()
            .toList();

    assertThat(present).as("libraries on the host app's class path").isEmpty();
  }

  /** Issue 15's bound for the engine and the targets module with everything they bring. */
  private static final long MOST_BYTES = 35_000_000L;

  @Test
  void theEngineAndTheTargetsModuleBringAtMost35MegabytesInAll() throws IOException {
    // Written by the build (maven-dependency-plugin, runtime scope): the app's own jar and the
    // test libraries are not in it.
    List<Path> classPath =
        Stream.of(Files.readString(Path.of("target", "runtime-class-path.txt")).strip().split(File.pathSeparator))
            .map(Path::of)
            .toList();
    Map<Path, Long> sizes = new LinkedHashMap<>();
    classPath.forEach(entry -> sizes.put(entry, bytes(entry)));
    String heaviest =
        sizes.entrySet().stream()
            .sorted(Map.Entry.<Path, Long>comparingByValue().reversed())
            .limit(5)
            .map(entry -> entry.getKey().getFileName() + " " + entry.getValue() / 1000 + " kB")
            .collect(Collectors.joining(", "));

    assertThat(classPath).as("the runtime class path").anyMatch(entry -> entry.toString().contains("autoupload-engine"))
        .anyMatch(entry -> entry.toString().contains("autoupload-targets"));
    assertThat(sizes.values().stream().mapToLong(Long::longValue).sum())
        .as("bytes on the runtime class path (%d entries; heaviest: %s)", classPath.size(), heaviest)
        .isLessThanOrEqualTo(MOST_BYTES);
  }

  /** A jar's size, or the size of a module's classes when the build resolved its folder. */
  private static long bytes(Path entry) {
    try {
      if (!Files.isDirectory(entry)) {
        return Files.size(entry);
      }
      try (Stream<Path> files = Files.walk(entry)) {
        return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void whatItDoesUseIsThere() {
    // The check above means something only if a missing class is told from a present one.
    assertThat(loadable("dev.autoupload.engine.UploadEngine")).isTrue();
    assertThat(loadable("org.apache.pekko.serialization.jackson.JacksonSerializer")).isTrue();
  }

  private static boolean loadable(String className) {
    try {
      Class.forName(className, false, HostAppDependenciesTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
