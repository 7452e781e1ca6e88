package dev.autoupload.it.history;

import dev.autoupload.it.MediaFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a target holds, read from the disk it (or the server behind it) writes to: each visible
 * file by its path, with its content. Hidden files (part files, hash sidecars) are no backups.
 *
 * @param files by '/'-separated path below the target's root
 */
record TargetView(Map<String, Stored> files) {

  private static final String SIDECAR_SUFFIX = ".autoupload-sha256";

  /**
   * A file on the target.
   *
   * @param provable whether the target can tell this content without a journal: always for a local
   *     folder, which reads the bytes; on a WebDAV server only through a sidecar that names it
   */
  record Stored(String sha256, long size, boolean provable) {}

  /** The visible files below {@code root}; with {@code sidecarsProve}, provable only with a sidecar. */
  static TargetView read(Path root, boolean sidecarsProve) {
    Map<String, Stored> files = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return new TargetView(files);
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path file : paths.filter(Files::isRegularFile).sorted().toList()) {
        if (file.getFileName().toString().startsWith(".")) {
          continue;
        }
        String sha256 = MediaFiles.sha256(file);
        long size = Files.size(file);
        boolean provable = !sidecarsProve || sidecarNames(file, sha256, size);
        files.put(root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"), new Stored(sha256, size, provable));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new TargetView(files);
  }

  /** How many files hold each content. */
  Map<String, Integer> copies() {
    return files.values().stream().collect(Collectors.toMap(Stored::sha256, s -> 1, Integer::sum, TreeMap::new));
  }

  /** Whether the target can tell that {@code path} holds {@code sha256}. */
  boolean proves(String path, String sha256) {
    Stored stored = files.get(path);
    return stored != null && stored.provable() && stored.sha256().equals(sha256);
  }

  List<String> pathsOf(String sha256) {
    List<String> paths = new ArrayList<>();
    files.forEach((path, stored) -> {
      if (stored.sha256().equals(sha256)) {
        paths.add(path);
      }
    });
    return paths;
  }

  /** One line per file: path, content, and whether the target can prove it. */
  String describe() {
    if (files.isEmpty()) {
      return "    (empty)\n";
    }
    StringBuilder out = new StringBuilder();
    files.forEach(
        (path, stored) ->
            out.append("    ").append(path).append(" [").append(stored.sha256(), 0, 8).append(", ")
                .append(stored.size()).append(" B").append(stored.provable() ? "" : ", no valid sidecar")
                .append("]\n"));
    return out.toString();
  }

  /** Whether {@code .<name>.autoupload-sha256} beside {@code file} names this content and size. */
  private static boolean sidecarNames(Path file, String sha256, long size) throws IOException {
    Path sidecar = file.resolveSibling("." + file.getFileName() + SIDECAR_SUFFIX);
    if (!Files.isRegularFile(sidecar)) {
      return false;
    }
    List<String> lines = Files.readAllLines(sidecar, StandardCharsets.UTF_8);
    return lines.contains("sha256 " + sha256) && lines.contains("size " + size);
  }
}
