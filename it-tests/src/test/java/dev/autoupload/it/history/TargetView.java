package dev.autoupload.it.history;

import dev.autoupload.it.MediaFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
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
 * file by its path, with its content. Hidden files (part files, hash sidecars and manifests) are
 * no backups.
 *
 * @param files by '/'-separated path below the target's root
 */
record TargetView(Map<String, Stored> files) {

  private static final String SIDECAR_SUFFIX = ".autoupload-sha256";

  /**
   * A file on the target.
   *
   * @param provable whether the target can tell this content without a journal: always for a local
   *     folder, which reads the bytes; on a WebDAV server only through its folder's manifest or a
   *     sidecar that names it
   */
  record Stored(String sha256, long size, boolean provable) {}

  /**
   * The visible files below {@code root}; with {@code sidecarsProve}, provable only with a manifest
   * entry or a sidecar.
   */
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
        boolean provable = !sidecarsProve || manifestNames(file, sha256, size) || sidecarNames(file, sha256, size);
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
                .append(stored.size()).append(" B").append(stored.provable() ? "" : ", no valid manifest entry or sidecar")
                .append("]\n"));
    return out.toString();
  }

  /**
   * Whether the manifest {@code .autoupload-sha256} in the folder of {@code file} has an entry
   * for it with this content and size: a line {@code sha256 size name modified}, the name
   * percent-encoded. The modification time is the target's to check.
   */
  private static boolean manifestNames(Path file, String sha256, long size) throws IOException {
    Path manifest = file.resolveSibling(SIDECAR_SUFFIX);
    if (!Files.isRegularFile(manifest)) {
      return false;
    }
    String name = file.getFileName().toString();
    for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
      String[] fields = line.split(" ", 4);
      if (fields.length == 4
          && fields[0].equals(sha256)
          && fields[1].equals(Long.toString(size))
          && URLDecoder.decode(fields[2], StandardCharsets.UTF_8).equals(name)) {
        return true;
      }
    }
    return false;
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
