package dev.autoupload.examples.hostapp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A host app that backs up to a local folder gets the engine and the targets module and nothing it
 * does not use: the README's "Embedding" promises each of these stays out, and a dependency bump
 * that brings one back should fail the build, not add megabytes unnoticed.
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
