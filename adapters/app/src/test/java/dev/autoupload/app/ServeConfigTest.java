package dev.autoupload.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code autoupload.libraries} as {@code serve} checks it before it starts anything. */
class ServeConfigTest {

  @TempDir Path tmp;

  private record Checked(List<LibraryDefinition> libraries, List<String> problems) {}

  @Test
  void readsEveryLibraryWithItsOwnSettings() throws IOException {
    Checked checked =
        check(
            "{ id = \"alice\", source = \"" + folder("alice") + "\", target = \"file://" + tmp.resolve("backup/alice") + "\" }",
            "{ id = \"bob\", source = \"" + folder("bob") + "\", target = \"webdav://bob@nas.local/bob/\","
                + " rules { videos.mobile-data = false, min-age = 1h }, target-settings { read-timeout = 2m },"
                + " conditions = \"reported\" }",
            "{ source = \"" + folder("carol") + "\", target = \"file://" + tmp.resolve("backup/carol") + "\" }");

    assertThat(checked.problems()).isEmpty();
    assertThat(checked.libraries()).extracting(LibraryDefinition::id).containsExactly("alice", "bob", LibraryIds.derive(tmp.resolve("carol"), "file://" + tmp.resolve("backup/carol")));
    Config bob = checked.libraries().get(1).settings(ConfigLoader.load(Optional.empty(), List.of()));
    assertThat(bob.getBoolean("autoupload.rules.videos.mobile-data")).isFalse();
    assertThat(bob.getBoolean("autoupload.rules.photos.mobile-data")).as("the rest from the process's settings").isTrue();
    assertThat(bob.getDuration("autoupload.target.read-timeout").toMinutes()).isEqualTo(2);
    assertThat(checked.libraries().get(1).shownTarget()).isEqualTo("webdav://***@nas.local/bob/");
    assertThat(checked.libraries()).extracting(LibraryDefinition::reportedConditions).containsExactly(false, true, false);
    assertThat(checked.libraries().get(1).toConfig().toConfig().getString("conditions")).as("saved as given").isEqualTo("reported");
  }

  @Test
  void namesEveryProblemOfEveryEntryOnALineOfItsOwn() throws IOException {
    Checked checked =
        check(
            "{ id = \"alice\", source = \"" + folder("alice") + "\", target = \"file://" + tmp.resolve("b1") + "\", colour = red }",
            "{ id = \"al ice\", source = \"" + folder("x") + "\", target = \"file://" + tmp.resolve("b2") + "\" }",
            "{ id = \"nothing\" }",
            "{ id = \"rel\", source = \"photos\", target = \"file://" + tmp.resolve("b3") + "\" }",
            "{ id = \"cond\", source = \"" + folder("y") + "\", target = \"file://" + tmp.resolve("b4") + "\", conditions = \"linux\" }",
            "{ id = \"ruled\", source = \"" + folder("z") + "\", target = \"file://" + tmp.resolve("b5") + "\", rules { max-age = 1d } }",
            "\"just text\"");

    assertThat(checked.problems())
        .containsExactly(
            "autoupload.libraries[0] (alice): unknown key 'colour'; the keys are id, source, target, rules, target-settings, conditions",
            "autoupload.libraries[1] (al ice): id al ice must be 1-100 letters, digits, '.', '_' or '-'",
            "autoupload.libraries[2] (nothing): source is missing: the folder to back up, e.g. source = \"/srv/photos/alice\"",
            "autoupload.libraries[2] (nothing): target is missing: where the files go, e.g. target = \"file:///backup/alice\"",
            "autoupload.libraries[3] (rel): source photos must be an absolute path",
            "autoupload.libraries[4] (cond): conditions linux is not one of \"device\" (the default: the node's, see "
                + "'serve --conditions') or \"reported\" (its own, through PUT /api/libraries/{id}/conditions); "
                + "a library's own limits go in its rules { … } (see autoupload.rules)",
            checked.problems().get(6),
            "autoupload.libraries[6]: expected an object such as { id = \"alice\", source = \"/photos\", target = \"file:///backup\" }");
    assertThat(checked.problems().get(6)).startsWith("autoupload.libraries[5] (ruled): unknown setting autoupload.rules.max-age");
  }

  @Test
  void refusesLibrariesThatShareAnIdATargetOrFolders() throws IOException {
    String backup = "file://" + tmp.resolve("backup");
    Checked checked =
        check(
            "{ id = \"alice\", source = \"" + folder("photos/alice") + "\", target = \"" + backup + "/alice\" }",
            "{ id = \"alice\", source = \"" + folder("photos/alice2") + "\", target = \"" + backup + "/alice2\" }",
            "{ id = \"nested\", source = \"" + folder("photos/alice/2024") + "\", target = \"" + backup + "/nested\" }",
            "{ id = \"same\", source = \"" + folder("photos/same") + "\", target = \"" + backup + "/alice/\" }",
            "{ id = \"inside\", source = \"" + folder("photos/inside") + "\", target = \"file://" + tmp.resolve("photos/alice2/copies") + "\" }");

    assertThat(checked.problems())
        .containsExactly(
            "two libraries have the id alice; each needs its own",
            "libraries alice and nested: the source folders " + tmp.resolve("photos/alice") + " and "
                + tmp.resolve("photos/alice/2024") + " overlap; a folder can belong to one library only",
            "libraries alice and same: both back up to " + backup + "/alice; give each its own target",
            "libraries alice and inside: the target folder " + tmp.resolve("photos/alice2/copies")
                + " is inside the source folder " + tmp.resolve("photos/alice2") + " of alice, which would back up the backups");
  }

  @Test
  void serveStartsNothingAndExitsTwoWithALineForEachProblem() throws IOException {
    Path config = tmp.resolve("serve.conf");
    Files.writeString(
        config,
        "autoupload.libraries = [\n"
            + "  { id = \"a\", source = \"" + folder("a") + "\", target = \"file://" + tmp.resolve("t") + "\" },\n"
            + "  { id = \"a\", source = \"" + folder("b") + "\", target = \"file://" + tmp.resolve("t") + "\" },\n"
            + "  { id = \"c\" }\n"
            + "]\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));

    int code = commandLine.execute("serve", "--config", config.toString(), "--data-dir", tmp.resolve("data").toString(), "--http", "off");

    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "autoupload: error: autoupload.libraries[2] (c): source is missing: the folder to back up, e.g. source = \"/srv/photos/alice\"",
            "autoupload: error: autoupload.libraries[2] (c): target is missing: where the files go, e.g. target = \"file:///backup/alice\"",
            "autoupload: error: two libraries have the id a; each needs its own");
    assertThat(out.toString()).isEmpty();
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void anAddressInPlaceOfTheEndpointsSettingsIsItsAddressAndTheOtherSettingsStay() throws IOException {
    Path config = tmp.resolve("serve.conf");
    Files.writeString(config, "autoupload { http = \"127.0.0.1:18686\", libraries = [] }\n");

    Config loaded = ConfigLoader.load(Optional.of(config), List.of());

    assertThat(loaded.getString("autoupload.http.listen")).isEqualTo("127.0.0.1:18686");
    assertThat(loaded.hasPath("autoupload.http.max-body")).as("the endpoint's other settings").isTrue();
    assertThat(ConfigLoader.load(Optional.of(config), List.of("autoupload.http=127.0.0.1:18687")).getString("autoupload.http.listen"))
        .as("--set the same way, winning over the file")
        .isEqualTo("127.0.0.1:18687");
  }

  /** The configuration of the cluster as its issue writes it, every key as written there. */
  @Test
  void theClusterIssuesExampleReadsAsWritten() throws IOException {
    Path config = tmp.resolve("cluster.conf");
    Files.writeString(
        config,
        "autoupload {\n"
            + "  journal.url = \"jdbc:postgresql://127.0.0.1:5432/autoupload\"\n"
            + "  cluster { host = \"127.0.0.1\", port = 2551, seed-nodes = [\"127.0.0.1:2551\", \"127.0.0.1:2552\"] }\n"
            + "  http = \"127.0.0.1:8686\"\n"
            + "  libraries = [\n"
            + "    { id = \"alice\", source = \"" + folder("srv/photos/alice") + "\", target = \"webdav://nas.local/alice\" },\n"
            + "    { id = \"bob\",   source = \"" + folder("srv/photos/bob") + "\",   target = \"file:///backup/bob\", conditions = \"reported\" }\n"
            + "  ]\n"
            + "}\n");

    Config loaded = ConfigLoader.load(Optional.of(config), List.of());
    List<String> problems = new ArrayList<>();
    List<LibraryDefinition> libraries = LibraryDefinition.fromConfig(loaded, problems);

    assertThat(problems).isEmpty();
    assertThat(libraries).extracting(LibraryDefinition::id).containsExactly("alice", "bob");
    assertThat(libraries).extracting(LibraryDefinition::reportedConditions).containsExactly(false, true);
    assertThat(loaded.getString("autoupload.http.listen")).isEqualTo("127.0.0.1:8686");
    assertThat(loaded.getString("autoupload.journal.url")).isEqualTo("jdbc:postgresql://127.0.0.1:5432/autoupload");
    dev.autoupload.cluster.ClusterSettings cluster = dev.autoupload.cluster.ClusterSettings.from(loaded);
    assertThat(cluster.host()).isEqualTo("127.0.0.1");
    assertThat(cluster.port()).isEqualTo(2551);
    assertThat(cluster.seedNodes()).containsExactly("127.0.0.1:2551", "127.0.0.1:2552");
  }

  @Test
  void anAddressThatIsNotTextIsNamedWithTheKeyToUse() throws IOException {
    Path config = tmp.resolve("serve.conf");
    Files.writeString(config, "autoupload { http = 8686, libraries = [] }\n");

    ConfigLoader.BadConfigException bad =
        org.junit.jupiter.api.Assertions.assertThrows(
            ConfigLoader.BadConfigException.class, () -> ConfigLoader.load(Optional.of(config), List.of()));

    assertThat(bad.getMessage()).startsWith("autoupload.http holds the control endpoint's settings; set its address with autoupload.http.listen = \"127.0.0.1:8686\"");
  }

  private Checked check(String... entries) throws IOException {
    Path config = tmp.resolve("libraries.conf");
    Files.writeString(config, "autoupload.libraries = [\n  " + String.join(",\n  ", Arrays.asList(entries)) + "\n]\n");
    Config loaded = ConfigLoader.load(Optional.of(config), List.of());
    List<String> problems = new ArrayList<>();
    List<LibraryDefinition> libraries = LibraryDefinition.fromConfig(loaded, problems);
    problems.addAll(LibraryConflicts.among(libraries));
    return new Checked(libraries, problems);
  }

  private String folder(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name)).toString();
  }
}
