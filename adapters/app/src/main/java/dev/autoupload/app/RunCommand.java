package dev.autoupload.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.conditions.ConditionSources;
import dev.autoupload.engine.EngineStartException;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.conditions.ConditionSource;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.UploadException;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.http.LibraryCatalog;
import dev.autoupload.http.LibraryControl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code autoupload run}: backs up one folder to one target, once or until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Backs up the files under --source to --target. Progress is kept in a journal under the "
          + "data dir, so a run that is killed resumes where it stopped and never uploads a "
          + "finished file twice.",
      "Without --once it keeps running, watching the folder for new photos and videos, until "
          + "SIGINT or SIGTERM, then stops cleanly and prints the summary (the exit status is then "
          + "the signal's, 130 or 143).",
      "While it runs, a control endpoint (JSON API and the Activity web page) listens on --http "
          + "(with --once only if the run is still going after a second); "
          + "'autoupload status' and 'autoupload activity' ask it, with the token that "
          + "'autoupload token' prints."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file is backed up",
      "1:a file or the scan failed; stderr names the first failure and the count",
      "2:bad command line, --set or --config value, or target URI",
      "3:cannot start: source folder missing, target not writable, data dir in use by "
          + "another run, journal problem, --http address in use"
    })
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--source", required = true, paramLabel = "DIR", description = "Folder to back up, with its subfolders.")
  Path source;

  @Option(
      names = "--target",
      required = true,
      paramLabel = "URI",
      description = "Where the files go, e.g. file:///mnt/backup.")
  String target;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "Where the journal and lock file live. Default: autoupload.data-dir if configured, else "
            + "$AUTOUPLOAD_DATA_DIR, else $XDG_DATA_HOME/autoupload, else ~/.local/share/autoupload."
      })
  Path dataDir;

  @Option(
      names = "--library",
      paramLabel = "ID",
      description = {
        "Name of this backup's ledger in the journal. Default: lib- and 12 hex digits derived "
            + "from the source path and the target URI."
      })
  String libraryId;

  @Option(
      names = "--once",
      description = "Exit when everything found is backed up or has failed for good.")
  boolean once;

  @Option(
      names = "--conditions",
      paramLabel = "SOURCE",
      defaultValue = "desktop",
      description = {
        "Where the device's conditions (battery, network, power mode, OS state) come from, which "
            + "pause and resume uploads: desktop (default: plugged in, wired network), linux (this "
            + "machine, read from /sys), or a scenario file: a JSON array of "
            + "{\"afterMs\": N, \"conditions\": {field: value, ...}} steps."
      })
  String conditions;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT|off",
      description = {
        "Where the control endpoint listens: the JSON API, live events and the Activity page "
            + "(default: autoupload.http.listen, 127.0.0.1:8686 unless configured; port 0 picks a "
            + "free one; off: none). The API needs "
            + "the token in <data-dir>/http-token. Listen beyond loopback only on a network you "
            + "trust, and add the name clients use to autoupload.http.allowed-hosts."
      })
  String http;

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with autoupload.* settings.")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = {
        "Overrides one setting; the value is HOCON. Repeatable, wins over --config. E.g.",
        "  --set autoupload.upload.parallelism=2",
        "  --set autoupload.upload.chunk-bytes=64KiB"
      })
  List<String> assignments = new ArrayList<>();

  @Option(names = "--debug", description = "Print stack traces with errors and in the log.")
  boolean debug;

  @Override
  public Integer call() {
    long startedNanos = System.nanoTime();
    try {
      return run(startedNanos);
    } catch (RunFailure failure) {
      return report(failure.exitCode(), failure.getMessage(), failure.getCause());
    } catch (RuntimeException unexpected) {
      return report(Main.INCOMPLETE, "unexpected " + unexpected, unexpected);
    }
  }

  private int run(long startedNanos) {
    Config config = CommandSetup.config(Optional.ofNullable(configFile), assignments, Optional.ofNullable(dataDir));
    Optional<HttpOption> endpoint = HttpOption.resolve(http, config);
    Path dataDirectory = ConfigLoader.dataDir(config).orElseThrow();
    Path sourceDir = CommandSetup.sourceFolder(source);
    String id = Optional.ofNullable(libraryId).orElseGet(() -> LibraryIds.derive(sourceDir, target));

    ConditionSource conditionSource = openConditions(config);
    UploadTarget uploadTarget = CommandSetup.openTarget(target, config, sourceDir);
    Library library;
    UploadEngine engine;
    try {
      uploadTarget.check();
      library = CommandSetup.library(id, sourceDir, uploadTarget, config, Optional.of(dataDirectory));
      if (!once) {
        library = library.watched();
      }
      engine = startEngine(config);
    } catch (UploadException e) {
      uploadTarget.close();
      throw new RunFailure(Main.CANNOT_START, e.getMessage(), e);
    } catch (RuntimeException e) {
      uploadTarget.close();
      throw e;
    }

    // Before the library is added, so that a taken address stops the run before any upload. A run
    // with --once starts its endpoint only if it lasts (DeferredEndpoint), but checks the address
    // now, and its metrics count from now.
    Duration endpointAfter = once ? DeferredEndpoint.delay(config) : Duration.ZERO;
    boolean later = !endpointAfter.isZero();
    Optional<HttpControlServer> server =
        later ? Optional.empty() : endpoint.map(option -> startHttp(engine, uploadTarget, dataDirectory, option));
    if (later) {
      endpoint.ifPresent(option -> checkAddress(engine, uploadTarget, option));
    }
    Optional<HttpControlServer.Metrics> laterMetrics =
        later ? endpoint.map(option -> HttpControlServer.Metrics.countingFromNow(engine)) : Optional.empty();
    Duration askTimeout = config.getDuration("autoupload.ask-timeout");
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProgressPrinter printer =
        new ProgressPrinter(
            out, System.console() != null ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.LINES);
    // A watching run tells what its scans passed over as it goes; a run with --once after its summary.
    if (!once) {
      printer.withNotes(err);
    }
    try {
      engine.addListener(printer::onEvent);
      engine.addConditionSource(conditionSource);
      RunWatch.await(engine.addLibrary(library), askTimeout, "cannot add the library");
    } catch (IllegalStateException e) {
      server.ifPresent(HttpControlServer::close);
      engine.close();
      throw new RunFailure(Main.CANNOT_START, e.getMessage(), e);
    } catch (RuntimeException e) {
      server.ifPresent(HttpControlServer::close);
      engine.close();
      throw e;
    }
    out.println(
        "autoupload: backing up " + OneLine.of(sourceDir.toString())
            + " to " + OneLine.of(uploadTarget.describe())
            + " (data dir " + OneLine.of(dataDirectory.toString()) + ")");
    announceEndpoint(server, out);
    Optional<DeferredEndpoint> deferred =
        endpoint.flatMap(
            option ->
                laterMetrics.map(
                    metrics ->
                        DeferredEndpoint.after(
                            endpointAfter,
                            () -> HttpControlServer.start(engine, dataDirectory, option.host(), option.port(), metrics),
                            printer::announce,
                            line -> {
                              err.println(line);
                              err.flush();
                            })));
    int code =
        RunWatch.untilTheEnd(
            engine,
            printer,
            askTimeout,
            once,
            IdleHeapRelease.from(config),
            () -> {
              deferred.ifPresent(DeferredEndpoint::close);
              laterMetrics.ifPresent(HttpControlServer.Metrics::close);
              server.ifPresent(HttpControlServer::close);
              engine.close();
            },
            startedNanos,
            out,
            err);
    if (once) {
      NotOfferedNote.of(library.source().describe(), library.source().notOffered()).ifPresent(note -> {
        err.println(note);
        err.flush();
      });
    }
    return code;
  }

  /**
   * Prints where the control endpoint listens and where its token is (a line tests and scripts
   * read), then flushes what the command printed so far.
   */
  static void announceEndpoint(Optional<HttpControlServer> server, PrintWriter out) {
    server.ifPresent(started -> out.println(endpointLine(started)));
    out.flush();
  }

  /** {@code autoupload: control endpoint http://127.0.0.1:8686/ (token in <data-dir>/http-token)} */
  static String endpointLine(HttpControlServer server) {
    return "autoupload: control endpoint " + server.url() + " (token in " + server.tokenFile() + ")";
  }

  /** {@link HttpControlServer#checkFree}; the engine and the target are closed when it is taken. */
  private static void checkAddress(UploadEngine engine, UploadTarget uploadTarget, HttpOption option) {
    try {
      startHttp(
          engine,
          () -> {
            HttpControlServer.checkFree(option.host(), option.port());
            return option;
          });
    } catch (RuntimeException e) {
      uploadTarget.close();
      throw e;
    }
  }

  /** Starts the control endpoint; the engine and the target are closed when it cannot start. */
  private static HttpControlServer startHttp(
      UploadEngine engine, UploadTarget uploadTarget, Path dataDir, HttpOption option) {
    try {
      return startHttp(engine, dataDir, option, Optional.empty());
    } catch (RuntimeException e) {
      uploadTarget.close();
      throw e;
    }
  }

  /**
   * Starts the control endpoint, with {@code catalog} behind {@code /api/libraries} when given; the
   * engine is closed when it cannot start.
   */
  static HttpControlServer startHttp(
      UploadEngine engine, Path dataDir, HttpOption option, Optional<LibraryCatalog> catalog) {
    return startHttp(
        engine,
        () ->
            catalog.isPresent()
                ? HttpControlServer.start(engine, dataDir, option.host(), option.port(), catalog.get())
                : HttpControlServer.start(engine, dataDir, option.host(), option.port()));
  }

  /**
   * Starts a cluster node's control endpoint: {@code catalog} behind {@code /api/libraries}, {@code
   * control} behind status, pause, resume and retry; the engine is closed when it cannot start.
   */
  static HttpControlServer startHttp(
      UploadEngine engine, Path dataDir, HttpOption option, LibraryCatalog catalog, LibraryControl control) {
    return startHttp(engine, () -> HttpControlServer.start(engine, dataDir, option.host(), option.port(), catalog, control));
  }

  /**
   * Runs {@code start}, a step of the endpoint's start (the start itself, or the check of its
   * address); the engine is closed when it fails, and a taken address becomes exit 3 with a hint.
   */
  private static <T> T startHttp(UploadEngine engine, Supplier<T> start) {
    try {
      return start.get();
    } catch (HttpControlServer.StartException e) {
      engine.close();
      throw new RunFailure(
          Main.CANNOT_START,
          e.getMessage() + " (is another autoupload running? choose another address with --http HOST:PORT, or --http off)",
          e);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  private ConditionSource openConditions(Config config) {
    try {
      return ConditionSources.open(conditions, config.getDuration("autoupload.conditions.linux-poll-interval"));
    } catch (IllegalArgumentException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
  }

  static UploadEngine startEngine(Config config) {
    return startEngine(config, ConfigFactory.empty());
  }

  /** {@link #startEngine(Config)} with Pekko settings over the engine's wiring (a cluster node's). */
  static UploadEngine startEngine(Config config, Config overWiring) {
    try {
      return EngineInternals.start(config, overWiring);
    } catch (EngineStartException e) {
      int code = e.getCause() instanceof ConfigException ? Main.USAGE : Main.CANNOT_START;
      throw new RunFailure(code, e.getMessage(), e);
    } catch (ConfigException e) {
      throw new RunFailure(Main.USAGE, "bad configuration: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new RunFailure(Main.CANNOT_START, "cannot start the engine: " + e, e);
    }
  }

  private int report(int exitCode, String message, Throwable cause) {
    return Main.report(spec.commandLine().getErr(), debug, exitCode, message, cause);
  }
}
