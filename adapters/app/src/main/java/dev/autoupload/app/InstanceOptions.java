package dev.autoupload.app;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --data-dir} for the commands that talk to a running instance, resolved as {@code run} does. */
final class InstanceOptions {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "The data dir of the instance. Default: autoupload.data-dir if configured, else "
            + "$AUTOUPLOAD_DATA_DIR, else $XDG_DATA_HOME/autoupload, else ~/.local/share/autoupload."
      })
  Path dataDir;

  /** --data-dir, else the configured one, else the default. */
  Path dataDir() {
    if (dataDir != null) {
      return dataDir.toAbsolutePath().normalize();
    }
    try {
      return ConfigLoader.dataDir(ConfigLoader.load(Optional.empty(), List.of())).orElseGet(DataDirs::defaultDataDir);
    } catch (ConfigLoader.BadConfigException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
  }
}
