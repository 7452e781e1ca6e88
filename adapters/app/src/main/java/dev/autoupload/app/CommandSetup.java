package dev.autoupload.app;

import com.typesafe.config.Config;
import dev.autoupload.engine.internal.ConfigSettings;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.TargetSettings;
import dev.autoupload.targets.TargetUris;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * What {@code run} and {@code verify} both do before they start, each failure a {@link RunFailure}
 * with its exit code: settle the configuration and data dir, check the source folder, open the
 * target (apart from the source), make the library.
 */
final class CommandSetup {

  private CommandSetup() {}

  /** Loads the configuration and settles the data dir: {@code dataDir}, else config, else default. */
  static Config config(Optional<Path> configFile, List<String> assignments, Optional<Path> dataDir) {
    try {
      Config loaded = ConfigLoader.load(configFile, assignments);
      Path directory =
          dataDir
              .map(d -> d.toAbsolutePath().normalize())
              .or(() -> ConfigLoader.dataDir(loaded))
              .orElseGet(DataDirs::defaultDataDir);
      return ConfigLoader.withDataDir(loaded, directory);
    } catch (ConfigLoader.BadConfigException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
  }

  /** The source folder, absolute; exit 3 when it is missing or not a folder. */
  static Path sourceFolder(Path source) {
    Path sourceDir = source.toAbsolutePath().normalize();
    if (!Files.exists(sourceDir)) {
      throw new RunFailure(Main.CANNOT_START, "source folder " + sourceDir + " does not exist");
    }
    if (!Files.isDirectory(sourceDir)) {
      throw new RunFailure(Main.CANNOT_START, "source " + sourceDir + " is not a folder");
    }
    return sourceDir;
  }

  /**
   * Opens the target {@code uri} names; exit 2 for a bad URI, and for a local folder that is the
   * source folder, lies inside it or holds it (see {@link FolderOverlap}), refused before anything
   * is created.
   */
  static UploadTarget openTarget(String uri, Config config, Path sourceDir) {
    UploadTarget target;
    try {
      target = TargetUris.open(uri, TargetSettings.fromConfig(config));
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
    if (target instanceof LocalFolderTarget local) {
      Optional<String> overlap = FolderOverlap.problem(sourceDir, local.root());
      if (overlap.isPresent()) {
        target.close();
        throw new RunFailure(Main.USAGE, overlap.get());
      }
    }
    return target;
  }

  static Library library(String id, Path sourceDir, UploadTarget uploadTarget, Config config) {
    return library(id, sourceDir, uploadTarget, config, Optional.empty());
  }

  /**
   * The library of a folder; with {@code dataDir}, its source keeps the creation dates it read in
   * {@code <data dir>/creation-dates-<id>}, so that a restart does not read every photo again.
   */
  static Library library(String id, Path sourceDir, UploadTarget uploadTarget, Config config, Optional<Path> dataDir) {
    try {
      FolderSource.Settings settings = FolderSource.Settings.fromConfig(config);
      FolderSource source =
          dataDir.filter(dir -> LibraryIds.problem(id).isEmpty())
              .map(dir -> FolderSource.keepingDatesIn(id, sourceDir, settings, dir.resolve("creation-dates-" + id)))
              .orElseGet(() -> new FolderSource(id, sourceDir, settings));
      return new Library(id, source, uploadTarget).withRules(ConfigSettings.libraryRules(config, ZoneId.systemDefault()));
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
  }
}
