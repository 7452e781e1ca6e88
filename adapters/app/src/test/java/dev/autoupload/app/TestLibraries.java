package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Library definitions for the tests, as a config file's entry would give them. */
final class TestLibraries {

  private TestLibraries() {}

  /** Library {@code id}: {@code <tmp>/photos/<id>} to the folder {@code <tmp>/backup/<targetName>}. */
  static LibraryDefinition define(Config config, Path tmp, String id, String targetName) {
    List<String> problems = new ArrayList<>();
    LibraryDefinition definition =
        LibraryDefinition.parse(
                ConfigFactory.parseString(
                        "{ id = \"" + id + "\", source = \"" + tmp.resolve("photos").resolve(id) + "\", target = \""
                            + tmp.resolve("backup").resolve(targetName).toUri() + "\" }")
                    .root(),
                "test",
                config,
                problems)
            .orElseThrow();
    assertThat(problems).isEmpty();
    return definition;
  }
}
