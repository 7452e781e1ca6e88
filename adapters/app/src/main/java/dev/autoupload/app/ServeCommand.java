package dev.autoupload.app;

import com.typesafe.config.Config;
import dev.autoupload.cluster.ClusterNode;
import dev.autoupload.cluster.ClusterSettings;
import dev.autoupload.conditions.ConditionSources;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.internal.persistence.JournalDatabase;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.HttpControlServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code autoupload serve}: backs up every library of the config file, and those the API adds, until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Backs up every library listed in autoupload.libraries of --config, each a source folder to a "
          + "target as 'run' does, in one process with one journal under the data dir, watching the "
          + "folders until SIGINT or SIGTERM; then it stops cleanly and prints the summary (the exit "
          + "status is then the signal's, 130 or 143).",
      "While it runs, POST /api/libraries adds a library and DELETE /api/libraries/ID removes one, "
          + "on the control endpoint (autoupload.http.listen or --http); the changes are kept in "
          + "<data-dir>/libraries.json and win over the config file after a restart.",
      "With autoupload.cluster.seed-nodes set, it runs as one node of a cluster whose nodes share a "
          + "PostgreSQL journal (autoupload.journal.url) and the same config file: the libraries are "
          + "spread over the nodes, those of a node that dies go on on the others; the API's library "
          + "changes, made on any node, are kept in that database for every node. See the README, "
          + "'Running a cluster'."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "1:the engine stopped answering, or every library's backup stopped for good",
      "2:bad command line, --set or --config value, or library definition (one line per problem)",
      "3:cannot start: a source folder missing, a target not writable, data dir in use, journal "
          + "problem, HTTP address in use"
    })
final class ServeCommand implements Callable<Integer> {

  static final String LIBRARIES = "autoupload.libraries";

  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "HOCON file with autoupload.libraries and other autoupload.* settings.")
  Path configFile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "Where the journal, lock file and libraries.json live. Default as for 'run'."
      })
  Path dataDir;

  @Option(
      names = "--conditions",
      paramLabel = "SOURCE",
      defaultValue = "desktop",
      description = {
        "Where the device's conditions come from, for every library but those with conditions = \"reported\" "
            + "(which follow PUT /api/libraries/{id}/conditions): desktop (default), linux, or a scenario file, as for 'run'."
      })
  String conditions;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT|off",
      description = {
        "Where the control endpoint listens; wins over autoupload.http.listen (default 127.0.0.1:8686). "
            + "off: none, and no library can be added or removed while it runs."
      })
  String http;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Overrides one setting; the value is HOCON. Repeatable, wins over --config.")
  List<String> assignments = new ArrayList<>();

  @Option(names = "--debug", description = "Print stack traces with errors and in the log.")
  boolean debug;

  @Override
  public Integer call() {
    long startedNanos = System.nanoTime();
    try {
      return serve(startedNanos);
    } catch (BadLibraries bad) {
      PrintWriter err = spec.commandLine().getErr();
      bad.problems.forEach(problem -> err.println(Main.ERROR_PREFIX + OneLine.of(problem)));
      err.flush();
      return Main.USAGE;
    } catch (RunFailure failure) {
      return report(failure.exitCode(), failure.getMessage(), failure.getCause());
    } catch (RuntimeException unexpected) {
      return report(Main.INCOMPLETE, "unexpected " + unexpected, unexpected);
    }
  }

  /** Every problem with the libraries, each its own line on stderr. */
  private static final class BadLibraries extends RuntimeException {
    private final List<String> problems;

    BadLibraries(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = problems;
    }
  }

  private int serve(long startedNanos) {
    Config config = CommandSetup.config(Optional.of(configFile), assignments, Optional.ofNullable(dataDir));
    if (ClusterSettings.configured(config)) {
      return serveOnCluster(config, startedNanos);
    }
    Optional<HttpOption> endpoint = HttpOption.resolve(http, config);
    Path dataDirectory = ConfigLoader.dataDir(config).orElseThrow();
    PrintWriter out = spec.commandLine().getOut();

    List<LibraryDefinition> fromConfig = configured(config);
    SavedLibraries saved = SavedLibraries.load(dataDirectory, config);
    List<SavedLibraries.Planned> planned = plan(fromConfig, saved, dataDirectory, out);
    ConditionSource conditionSource = openConditions(config);
    List<Library> libraries;
    try {
      libraries = open(planned, config);
    } catch (RuntimeException e) {
      conditionSource.close();
      throw e;
    }
    UploadEngine engine;
    try {
      engine = RunCommand.startEngine(config);
    } catch (RuntimeException e) {
      libraries.forEach(library -> library.target().close());
      conditionSource.close();
      throw e;
    }

    ServedLibraries served =
        new ServedLibraries(
            engine,
            config,
            saved,
            fromConfig.stream().map(LibraryDefinition::id).collect(Collectors.toSet()),
            out);
    // Before the endpoint listens, so that a request cannot take the id or folders of one of them.
    planned.forEach(served::started);
    Optional<HttpControlServer> server;
    try {
      server = endpoint.map(option -> RunCommand.startHttp(engine, dataDirectory, option, Optional.of(served)));
    } catch (RuntimeException e) {
      libraries.forEach(library -> library.target().close());
      conditionSource.close();
      throw e;
    }
    Duration askTimeout = config.getDuration("autoupload.ask-timeout");
    ProgressPrinter printer =
        new ProgressPrinter(
            out, System.console() != null ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.LINES, true)
            .withNotes(spec.commandLine().getErr());
    try {
      engine.addListener(printer::onEvent);
      engine.addConditionSource(conditionSource);
      for (Library library : libraries) {
        RunWatch.await(engine.addLibrary(library), askTimeout, "cannot add library " + library.id());
      }
      served.ready();
    } catch (RuntimeException e) {
      server.ifPresent(HttpControlServer::close);
      served.close();
      engine.close();
      throw e;
    }
    out.println(
        "autoupload: serving " + libraries.size() + (libraries.size() == 1 ? " library" : " libraries")
            + " (data dir " + OneLine.of(dataDirectory.toString()) + ")");
    for (SavedLibraries.Planned library : planned) {
      LibraryDefinition definition = library.definition();
      out.println(
          "autoupload: library " + definition.id() + ": backing up " + OneLine.of(definition.source().toString())
              + " to " + OneLine.of(definition.shownTarget()));
    }
    RunCommand.announceEndpoint(server, out);
    return RunWatch.untilTheEnd(
        engine,
        printer,
        askTimeout,
        false,
        IdleHeapRelease.from(config),
        () -> {
          server.ifPresent(HttpControlServer::close);
          served.close();
          engine.close();
        },
        startedNanos,
        out,
        spec.commandLine().getErr());
  }

  /**
   * As one node of the cluster {@code autoupload.cluster} names: the config file's libraries are
   * spread over the nodes (each node must have the same file), the journal is the PostgreSQL
   * database they share, and the API's changes to the libraries are kept there too ({@link
   * ClusterRegistry}), not in {@code libraries.json}.
   */
  private int serveOnCluster(Config config, long startedNanos) {
    ClusterSettings cluster;
    Config engineConfig;
    try {
      cluster = ClusterSettings.from(config);
      engineConfig = ClusterSettings.engineSettings(config);
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
    if (!config.getString("autoupload.journal.url").startsWith("jdbc:postgresql:")) {
      throw new RunFailure(
          Main.USAGE,
          "autoupload.cluster needs a journal every node shares: set autoupload.journal.url = \"jdbc:postgresql://…\"");
    }
    Optional<HttpOption> endpoint = HttpOption.resolve(http, config);
    Path dataDirectory = ConfigLoader.dataDir(config).orElseThrow();
    PrintWriter out = spec.commandLine().getOut();
    List<LibraryDefinition> libraries = configured(config);
    Map<String, LibraryDefinition> byId = new LinkedHashMap<>();
    libraries.forEach(library -> byId.put(library.id(), library));
    Consumer<String> notes =
        line -> {
          synchronized (out) {
            out.println("autoupload: " + line);
            out.flush();
          }
        };
    ConditionSource conditionSource = openConditions(config);
    UploadEngine engine;
    try {
      engine = RunCommand.startEngine(engineConfig, cluster.pekkoSettings());
    } catch (RuntimeException e) {
      conditionSource.close();
      throw e;
    }
    // Once the engine has started: it explains best why the database cannot be reached.
    ClusterLibraries every;
    try {
      ClusterRegistry registry =
          ClusterRegistry.open(
              JournalDatabase.of(
                  config.getString("autoupload.journal.url"),
                  config.getString("autoupload.journal.user"),
                  config.getString("autoupload.journal.password"),
                  dataDirectory));
      every = new ClusterLibraries(byId, registry, config, notes);
    } catch (RuntimeException e) {
      conditionSource.close();
      engine.close();
      throw e;
    }
    Optional<HttpControlServer> server;
    Duration askTimeout = config.getDuration("autoupload.ask-timeout");
    ProgressPrinter printer =
        new ProgressPrinter(
            out, System.console() != null ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.LINES, true)
            .withNotes(spec.commandLine().getErr());
    try {
      engine.addListener(printer::onEvent);
      // Before anything that can fail, so that closing the engine closes it too.
      engine.addConditionSource(conditionSource);
      server = endpoint.map(option -> RunCommand.startHttp(engine, dataDirectory, option, every, every));
      every.joined(ClusterNode.join(engine, cluster, every::ids, every::open, notes));
    } catch (RuntimeException e) {
      engine.close();
      every.close();
      throw e;
    }
    int count = every.ids().size();
    out.println(
        "autoupload: node " + cluster.address() + " of the cluster of " + String.join(", ", cluster.seedNodes())
            + ": " + count + (count == 1 ? " library" : " libraries")
            + " spread over its nodes (data dir " + OneLine.of(dataDirectory.toString()) + ")");
    RunCommand.announceEndpoint(server, out);
    return RunWatch.untilTheEnd(
        engine,
        printer,
        askTimeout,
        false,
        IdleHeapRelease.from(config),
        () -> {
          server.ifPresent(HttpControlServer::close);
          engine.close();
          every.close();
        },
        startedNanos,
        out,
        spec.commandLine().getErr());
  }

  /** The config file's libraries, every problem with them found before anything starts (exit 2, a line each). */
  private static List<LibraryDefinition> configured(Config config) {
    List<String> problems = new ArrayList<>();
    List<LibraryDefinition> fromConfig = LibraryDefinition.fromConfig(config, problems);
    problems.addAll(LibraryConflicts.among(fromConfig));
    if (!problems.isEmpty()) {
      throw new BadLibraries(problems);
    }
    return fromConfig;
  }

  /** The libraries to run: the config file's with the API's saved changes over them (see {@link SavedLibraries}). */
  private static List<SavedLibraries.Planned> plan(
      List<LibraryDefinition> fromConfig, SavedLibraries saved, Path dataDir, PrintWriter out) {
    List<String> notes = new ArrayList<>();
    List<SavedLibraries.Planned> planned = saved.applyTo(fromConfig, notes);
    List<String> conflicts = LibraryConflicts.among(planned.stream().map(SavedLibraries.Planned::definition).toList());
    if (!conflicts.isEmpty()) {
      conflicts.add("(the libraries added through the API are in " + dataDir.resolve(SavedLibraries.FILE) + ")");
      throw new BadLibraries(conflicts);
    }
    notes.forEach(note -> out.println("autoupload: " + note));
    return planned;
  }

  /** Opens every library as {@code run} does; when one cannot be, closes those opened before. */
  private static List<Library> open(List<SavedLibraries.Planned> planned, Config config) {
    List<Library> libraries = new ArrayList<>();
    try {
      for (SavedLibraries.Planned library : planned) {
        libraries.add(library.definition().open(config));
      }
    } catch (RuntimeException e) {
      libraries.forEach(library -> library.target().close());
      throw e;
    }
    return libraries;
  }

  private ConditionSource openConditions(Config config) {
    try {
      return ConditionSources.open(conditions, config.getDuration("autoupload.conditions.linux-poll-interval"));
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
  }

  private int report(int exitCode, String message, Throwable cause) {
    return Main.report(spec.commandLine().getErr(), debug, exitCode, message, cause);
  }
}
