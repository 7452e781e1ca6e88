package dev.autoupload.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes {@code POST} and {@code DELETE /api/libraries} made to the libraries of the config
 * file, kept in {@code <data-dir>/libraries.json} so that they outlive the process: the libraries
 * added (with their whole definition) and the ids of the config file's libraries removed. The
 * API's word is the later one, so per id it wins over the config file: an id it added runs as it
 * was added, an id it removed does not run, whatever the config file says about that id; the
 * config file's other libraries run as it says.
 *
 * <p>Each change replaces the file whole: written to a temporary file beside it, forced to disk,
 * renamed over it, and the folder forced too, so a crash leaves the old set or the new one.
 */
final class SavedLibraries {

  static final String FILE = "libraries.json";

  private final Path file;
  private final Map<String, LibraryDefinition> added;
  private final Set<String> removed;

  private SavedLibraries(Path file, Map<String, LibraryDefinition> added, Set<String> removed) {
    this.file = file;
    this.added = added;
    this.removed = removed;
  }

  /** A library as it runs, and whether the config file or the API defined it. */
  record Planned(LibraryDefinition definition, String origin) {}

  /**
   * Reads {@code <data-dir>/libraries.json}; none yet is no change.
   *
   * @throws RunFailure (exit 3) when it cannot be read or does not hold what it should
   */
  static SavedLibraries load(Path dataDir, Config config) {
    Path file = dataDir.resolve(FILE);
    Map<String, LibraryDefinition> added = new LinkedHashMap<>();
    Set<String> removed = new LinkedHashSet<>();
    if (!Files.exists(file)) {
      return new SavedLibraries(file, added, removed);
    }
    String problem = "the libraries added and removed through the API, " + file;
    List<String> problems = new ArrayList<>();
    try {
      Config saved =
          ConfigFactory.parseString(
              Files.readString(file, StandardCharsets.UTF_8),
              ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON).setOriginDescription(file.toString()));
      List<? extends ConfigValue> entries = saved.getList("added");
      for (int i = 0; i < entries.size(); i++) {
        LibraryDefinition.parse(entries.get(i), file + " added[" + i + "]", config, problems)
            .ifPresent(definition -> added.put(definition.id(), definition));
      }
      removed.addAll(saved.getStringList("removed"));
    } catch (IOException e) {
      throw new RunFailure(Main.CANNOT_START, "cannot read " + problem + ": " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw new RunFailure(
          Main.CANNOT_START, "cannot read " + problem + ": " + OneLine.of(e.getMessage()) + "; move it aside to start from the config file alone", e);
    }
    if (!problems.isEmpty()) {
      throw new RunFailure(Main.CANNOT_START, String.join("; ", problems) + " (move " + file + " aside to start from the config file alone)");
    }
    return new SavedLibraries(file, added, removed);
  }

  /**
   * The libraries to run: the config file's, each unless the API removed or added its id, then
   * those the API added, each with its origin ({@code config} or {@code api}). {@code notes} gets a
   * line for each config library the API overrides.
   */
  synchronized List<Planned> applyTo(List<LibraryDefinition> fromConfig, List<String> notes) {
    List<Planned> planned = new ArrayList<>();
    for (LibraryDefinition definition : fromConfig) {
      String id = definition.id();
      if (removed.contains(id)) {
        notes.add("library " + id + " of the config file was removed through the API: it does not run (add it again with POST /api/libraries)");
      } else if (added.containsKey(id)) {
        if (!added.get(id).equals(definition)) {
          notes.add("library " + id + " runs as it was added through the API, not as the config file defines it");
        }
      } else {
        planned.add(new Planned(definition, "config"));
      }
    }
    added.values().forEach(definition -> planned.add(new Planned(definition, "api")));
    return planned;
  }

  /** Records that {@code definition} was added, and saves. */
  synchronized void add(LibraryDefinition definition) throws IOException {
    Map<String, LibraryDefinition> nextAdded = new LinkedHashMap<>(added);
    nextAdded.put(definition.id(), definition);
    Set<String> nextRemoved = new LinkedHashSet<>(removed);
    nextRemoved.remove(definition.id());
    save(nextAdded, nextRemoved);
  }

  /**
   * Records that library {@code id} was removed, and saves; {@code ofConfigFile} when the config
   * file lists it, whose entry must then be remembered as removed. Also takes back an {@link #add}
   * the engine then refused: {@code ofConfigFile} is then whether the id was removed before.
   */
  synchronized void remove(String id, boolean ofConfigFile) throws IOException {
    Map<String, LibraryDefinition> nextAdded = new LinkedHashMap<>(added);
    nextAdded.remove(id);
    Set<String> nextRemoved = new LinkedHashSet<>(removed);
    if (ofConfigFile) {
      nextRemoved.add(id);
    }
    save(nextAdded, nextRemoved);
  }

  synchronized boolean removed(String id) {
    return removed.contains(id);
  }

  private void save(Map<String, LibraryDefinition> nextAdded, Set<String> nextRemoved) throws IOException {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("added", nextAdded.values().stream().map(LibraryDefinition::toConfig).toList());
    content.put("removed", List.copyOf(nextRemoved));
    String json =
        ConfigValueFactory.fromMap(content).render(ConfigRenderOptions.concise().setFormatted(true).setJson(true));
    write(file, json);
    added.clear();
    added.putAll(nextAdded);
    removed.clear();
    removed.addAll(nextRemoved);
  }

  /** Replaces {@code file} with {@code text}: whole, or not at all, also across a power cut. */
  static void write(Path file, String text) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    // Owner only, like the rest of the data dir: a target's settings may hold a password.
    Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    try {
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
    // The rename is durable only once the folder's entry is on disk too.
    try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      folder.force(true);
    }
  }
}
