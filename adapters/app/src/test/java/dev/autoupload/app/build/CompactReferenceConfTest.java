package dev.autoupload.app.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactReferenceConfTest {

  /** Two modules' files as the shade plugin appends them: comments, an include, a substitution, +=. */
  private static final String CONCATENATED =
      """
      # The first module's settings.
      first {
        # How many: a comment the compact form drops.
        count = 4
        list = [a]
        timeout = 30s
      }
      copy = ${first.count}
      optional = ${?AUTOUPLOAD_COMPACT_TEST_NEVER_SET}
      include "extra"
      # The second module's, appended.
      first.list += b
      first.count = 5
      """;

  @TempDir Path dir;

  @Test
  void rewritesTheJarsReferenceConfSmallerWithTheSameSettingsAndLeavesTheRestAlone() throws IOException {
    Path jar = jar(Map.of("reference.conf", CONCATENATED, "extra.conf", "extra { name = \"from the extra file\" }", "other.txt", "untouched\n"));
    Config before = referenceOf(jar);

    CompactReferenceConf.main(new String[] {jar.toString()});

    String compact = entry(jar, "reference.conf");
    assertThat(compact.length()).isLessThan(CONCATENATED.length());
    assertThat(compact).doesNotContain("#").doesNotContain("a comment").doesNotContain("include \"");
    Config after = referenceOf(jar);
    assertThat(after.root()).isEqualTo(before.root());
    Config resolved = after.resolve();
    assertThat(resolved.getStringList("first.list")).containsExactly("a", "b");
    assertThat(resolved.getInt("copy")).as("substituted at run time, after the later module's value").isEqualTo(5);
    assertThat(resolved.getString("extra.name")).isEqualTo("from the extra file");
    assertThat(resolved.hasPath("optional")).isFalse();
    assertThat(resolved.getDuration("first.timeout")).hasSeconds(30);
    assertThat(entry(jar, "other.txt")).isEqualTo("untouched\n");
  }

  @Test
  void aSecondRunChangesNothing() throws IOException {
    Path jar = jar(Map.of("reference.conf", CONCATENATED, "extra.conf", "extra { name = x }"));
    CompactReferenceConf.main(new String[] {jar.toString()});
    String once = entry(jar, "reference.conf");

    CompactReferenceConf.main(new String[] {jar.toString()});

    assertThat(entry(jar, "reference.conf")).isEqualTo(once);
  }

  @Test
  void aJarWithoutReferenceConfFailsTheBuildSayingSo() throws IOException {
    Path jar = jar(Map.of("other.txt", "x"));

    assertThatThrownBy(() -> CompactReferenceConf.main(new String[] {jar.toString()}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(jar + " holds no reference.conf");
  }

  private Path jar(Map<String, String> entries) throws IOException {
    Path jar = Files.createTempFile(dir, "app", ".jar");
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      for (String name : List.copyOf(entries.keySet())) {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(entries.get(name).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return jar;
  }

  private static String entry(Path jar, String name) throws IOException {
    try (FileSystem zip = FileSystems.newFileSystem(jar)) {
      return Files.readString(zip.getPath(name));
    }
  }

  /** The jar's reference.conf as the app reads it, includes and all. */
  private static Config referenceOf(Path jar) throws IOException {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      return ConfigFactory.parseResources(loader, "reference.conf");
    }
  }
}
