package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataDirsTest {

  private static final Path HOME = Path.of("/home/ada");

  @Test
  void autouploadDataDirWinsOverEverything() {
    Map<String, String> env =
        Map.of("AUTOUPLOAD_DATA_DIR", "/srv/autoupload", "XDG_DATA_HOME", "/home/ada/.data");

    assertThat(DataDirs.defaultDataDir(env, HOME)).isEqualTo(Path.of("/srv/autoupload"));
  }

  @Test
  void xdgDataHomeIsUsedNext() {
    assertThat(DataDirs.defaultDataDir(Map.of("XDG_DATA_HOME", "/home/ada/.data"), HOME))
        .isEqualTo(Path.of("/home/ada/.data/autoupload"));
  }

  @Test
  void fallsBackToLocalShareInHome() {
    assertThat(DataDirs.defaultDataDir(Map.of(), HOME))
        .isEqualTo(Path.of("/home/ada/.local/share/autoupload"));
  }

  @Test
  void blankVariablesAndRelativeXdgDataHomeAreIgnored() {
    Map<String, String> env = Map.of("AUTOUPLOAD_DATA_DIR", " ", "XDG_DATA_HOME", "relative/data");

    assertThat(DataDirs.defaultDataDir(env, HOME))
        .isEqualTo(Path.of("/home/ada/.local/share/autoupload"));
  }
}
