package dev.autoupload.app.build;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A build step, run by Maven on the shaded jar right after it is made: rewrites the jar's {@code
 * reference.conf}, which the shade plugin concatenates from every module's (336 KB, nine tenths of
 * it Pekko's comments), as the same settings without comments or layout (about 55 KB), and fails the
 * build unless both parse to the same settings.
 *
 * <p>Every start of the app parses that file before anything else can run; a fresh JVM parsed the
 * whole one in 155-168 ms and the compact one in 91-97 ms, and {@code run --once} on 2,000
 * backed-up files took 2.15 s against 2.27 s (medians of ten alternated runs, README
 * "Benchmarks"). Substitutions stay unresolved, as they were: {@link ConfigFactory#defaultReference()}
 * still resolves them at run time, over the system properties. Includes are inlined, read from the
 * jar itself. Only the jar changes; the modules' own {@code reference.conf} files, which tests and
 * embedding apps read, keep their comments.
 */
public final class CompactReferenceConf {

  private static final String RESOURCE = "reference.conf";

  private CompactReferenceConf() {}

  /**
   * Compacts the {@code reference.conf} of the jar at {@code args[0]} in place.
   *
   * @param args the jar's path
   * @throws IOException when the jar cannot be read or written
   * @throws IllegalStateException when the compact form would mean other settings
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CompactReferenceConf <jar>");
    }
    Path jar = Path.of(args[0]);
    String compact = compactFormOf(jar);
    long before;
    try (FileSystem zip = FileSystems.newFileSystem(jar)) {
      before = Files.size(zip.getPath(RESOURCE));
      Files.writeString(zip.getPath(RESOURCE), compact, StandardCharsets.UTF_8);
    }
    System.out.println(
        "compacted " + RESOURCE + " in " + jar.getFileName() + ": " + before + " -> "
            + compact.getBytes(StandardCharsets.UTF_8).length + " bytes, the same settings");
  }

  /**
   * The jar's {@code reference.conf} as the app reads it (all of them on the jar's class path, with
   * their includes), rendered compact and checked to parse back to the same settings.
   *
   * @param jar a jar holding a {@code reference.conf}
   * @return the compact text
   * @throws IOException when the jar cannot be read
   * @throws IllegalStateException when the compact text parses to other settings
   */
  static String compactFormOf(Path jar) throws IOException {
    // Only the jar, not this build's class path: its includes must come from the jar itself.
    try (URLClassLoader jarOnly = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Config original = ConfigFactory.parseResources(jarOnly, RESOURCE);
      if (original.isEmpty()) {
        throw new IllegalStateException(jar + " holds no " + RESOURCE);
      }
      String compact = original.root().render(ConfigRenderOptions.concise());
      Config reparsed = ConfigFactory.parseString(compact);
      if (!reparsed.root().equals(original.root()) || !reparsed.resolve().equals(original.resolve())) {
        throw new IllegalStateException(
            "the compact " + RESOURCE + " of " + jar + " would not hold the same settings; leave it as it is");
      }
      return compact;
    }
  }
}
