package dev.autoupload.app;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Where the engine keeps its journal and lock file when the user does not say. */
final class DataDirs {

  static final String ENV_DATA_DIR = "AUTOUPLOAD_DATA_DIR";

  private DataDirs() {}

  /**
   * {@code $AUTOUPLOAD_DATA_DIR}, else {@code $XDG_DATA_HOME/autoupload}, else {@code
   * ~/.local/share/autoupload}. A relative {@code XDG_DATA_HOME} is ignored, as the XDG Base
   * Directory specification asks.
   */
  static Path defaultDataDir(Map<String, String> env, Path userHome) {
    Optional<String> explicit = nonBlank(env.get(ENV_DATA_DIR));
    if (explicit.isPresent()) {
      return Path.of(explicit.get()).toAbsolutePath().normalize();
    }
    Optional<Path> xdg = nonBlank(env.get("XDG_DATA_HOME")).map(Path::of).filter(Path::isAbsolute);
    if (xdg.isPresent()) {
      return xdg.get().resolve("autoupload").normalize();
    }
    return userHome.resolve(".local").resolve("share").resolve("autoupload").toAbsolutePath().normalize();
  }

  /** The default for this process: its environment and {@code user.home}. */
  static Path defaultDataDir() {
    return defaultDataDir(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
