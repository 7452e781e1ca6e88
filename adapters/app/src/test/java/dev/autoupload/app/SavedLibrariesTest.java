package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code serve} runs after a restart when the config file and the API's changes disagree. */
class SavedLibrariesTest {

  @TempDir Path tmp;

  private final Config config = ConfigLoader.load(Optional.empty(), List.of());

  @Test
  void withoutChangesTheConfigFilesLibrariesRun() {
    List<String> notes = new ArrayList<>();

    List<SavedLibraries.Planned> planned = SavedLibraries.load(tmp, config).applyTo(List.of(define("alice"), define("bob")), notes);

    assertThat(planned).extracting(p -> p.definition().id() + "/" + p.origin()).containsExactly("alice/config", "bob/config");
    assertThat(notes).isEmpty();
    assertThat(tmp.resolve(SavedLibraries.FILE)).doesNotExist();
  }

  @Test
  void theApisChangesWinPerIdAfterARestartAndTheConfigFilesOthersRunAsItSays() throws IOException {
    SavedLibraries saved = SavedLibraries.load(tmp, config);
    saved.add(define("carol"));
    saved.remove("bob", true);
    saved.add(define("alice", "elsewhere"));

    List<String> notes = new ArrayList<>();
    List<SavedLibraries.Planned> planned =
        SavedLibraries.load(tmp, config).applyTo(List.of(define("alice"), define("bob"), define("dave")), notes);

    assertThat(planned)
        .extracting(p -> p.definition().id() + "/" + p.origin())
        .containsExactly("dave/config", "carol/api", "alice/api");
    assertThat(planned.get(2).definition().target()).endsWith("elsewhere");
    assertThat(notes)
        .containsExactly(
            "library alice runs as it was added through the API, not as the config file defines it",
            "library bob of the config file was removed through the API: it does not run (add it again with POST /api/libraries)");
    assertThat(Files.getPosixFilePermissions(tmp.resolve(SavedLibraries.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(tmp.resolve(SavedLibraries.FILE + ".tmp")).doesNotExist();
  }

  @Test
  void addingARemovedIdAgainLetsItRunAndRemovingAnAddedOneForgetsIt() throws IOException {
    SavedLibraries saved = SavedLibraries.load(tmp, config);
    saved.remove("bob", true);
    saved.add(define("bob"));
    saved.add(define("carol"));
    saved.remove("carol", false);

    List<String> notes = new ArrayList<>();
    List<SavedLibraries.Planned> planned = SavedLibraries.load(tmp, config).applyTo(List.of(define("bob")), notes);

    assertThat(planned).extracting(p -> p.definition().id() + "/" + p.origin()).containsExactly("bob/api");
    assertThat(notes).isEmpty();
  }

  @Test
  void aDamagedFileStopsTheStartNamingIt() throws IOException {
    Files.writeString(tmp.resolve(SavedLibraries.FILE), "{\"added\": [");

    RunFailure failure = assertThrows(RunFailure.class, () -> SavedLibraries.load(tmp, config));

    assertThat(failure.exitCode()).isEqualTo(Main.CANNOT_START);
    assertThat(failure.getMessage()).contains(tmp.resolve(SavedLibraries.FILE).toString()).contains("move it aside");
  }

  private LibraryDefinition define(String id) {
    return define(id, id);
  }

  private LibraryDefinition define(String id, String targetName) {
    return TestLibraries.define(config, tmp, id, targetName);
  }
}
