package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s endpoint listens while the config file's libraries are still being added to the
 * engine: a change asked in that instant waits for them instead of failing.
 */
class ServedLibrariesTest {

  @TempDir Path tmp;

  @Test
  void aRemovalAskedBeforeTheConfigFilesLibrariesAreInTheEngineWaitsForThem() throws Exception {
    Config config = ConfigLoader.withDataDir(ConfigLoader.load(Optional.empty(), List.of()), tmp.resolve("data"));
    LibraryDefinition alice = TestLibraries.define(config, tmp, "alice", "alice");
    Files.createDirectories(alice.source());
    SavedLibraries saved = SavedLibraries.load(tmp.resolve("data"), config);
    try (UploadEngine engine = RunCommand.startEngine(config);
        ServedLibraries served =
            new ServedLibraries(engine, config, saved, Set.of("alice"), new PrintWriter(new StringWriter()))) {
      served.started(new SavedLibraries.Planned(alice, "config"));

      CompletableFuture<Void> removal = served.remove("alice").toCompletableFuture();
      assertThat(removal).as("waits for the config file's libraries").isNotDone();

      Library library = alice.open(config);
      engine.addLibrary(library).toCompletableFuture().get(30, TimeUnit.SECONDS);
      served.ready();

      removal.get(30, TimeUnit.SECONDS);
      assertThat(engine.libraries()).extracting(Library::id).doesNotContain("alice");
      assertThat(served.list()).isEmpty();
    }
  }
}
