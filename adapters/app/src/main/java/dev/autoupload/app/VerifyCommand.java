package dev.autoupload.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.autoupload.engine.EngineStartException;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.freespace.AfterBackup;
import dev.autoupload.engine.freespace.Outcome;
import dev.autoupload.engine.internal.ConfigSettings;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.upload.UploadTarget;
import dev.autoupload.engine.verify.FileVerdict;
import dev.autoupload.engine.verify.FileVerdict.Mark;
import dev.autoupload.engine.verify.VerifyException;
import dev.autoupload.engine.verify.VerifyMode;
import dev.autoupload.engine.verify.VerifyProgress;
import dev.autoupload.engine.verify.VerifyReport;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code autoupload verify}: is every file of the folder on the target, with the same content? */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Checks that every file under --source is on --target with the same content, without "
          + "trusting the journal: each is looked for where the journal recorded it, else where the "
          + "layout puts it, else beside that under its keep-both names, and compared by size and the "
          + "strongest hash the target tells (sha256, else MD5), read back where it tells none.",
      "Prints one line per file as 'rclone check --combined' does: '= path' the same, "
          + "'* path: why' other content, '- path' missing, '! path: why' could not be checked; "
          + "then a 'verify:' summary line.",
      "With --free-space and autoupload.after-backup set, each original proven the same is then "
          + "moved ('moved path -> to') or deleted ('freed path (deleted, backed up as remote on date)'), "
          + "or kept with why ('kept path: why'); the summary adds freed= and kept= counts.",
      "When a 'run' holds the data dir, the verification runs in that instance, through its "
          + "control endpoint, with its settings."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file is on the target with the same content",
      "1:a file differs, is missing or could not be checked, or the folder could not be scanned",
      "2:bad command line, --set or --config value, or target URI",
      "3:cannot start: source folder missing, journal problem, data dir held by a run without "
          + "a control endpoint"
    })
final class VerifyCommand implements Callable<Integer> {

  private static final Duration POLL_EVERY = Duration.ofMillis(200);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--source", required = true, paramLabel = "DIR", description = "The folder that was backed up.")
  Path source;

  @Option(names = "--target", required = true, paramLabel = "URI", description = "Where it was backed up, as given to run.")
  String target;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "Where the journal lives. Default: autoupload.data-dir if configured, else "
            + "$AUTOUPLOAD_DATA_DIR, else $XDG_DATA_HOME/autoupload, else ~/.local/share/autoupload."
      })
  Path dataDir;

  @Option(
      names = "--library",
      paramLabel = "ID",
      description = "The backup's ledger in the journal, as given to run. Default: derived from --source and --target.")
  String libraryId;

  @Option(
      names = "--download",
      description = "Read every file back from the target and compare its sha256, even where the target tells a hash.")
  boolean download;

  @Option(
      names = "--free-space",
      description = {
        "Then move or delete each original whose backup this very verification proved, as "
            + "autoupload.after-backup says (move-to:<folder> or delete-after:<days>; keep by default, "
            + "and then this flag is refused). Only files unchanged since they were verified, proven "
            + "by at least autoupload.after-backup-proof; every action is journaled first."
      })
  boolean freeSpace;

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON file with autoupload.* settings.")
  Path configFile;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = {"Overrides one setting; the value is HOCON. Repeatable, wins over --config."})
  List<String> assignments = new ArrayList<>();

  @Option(names = "--debug", description = "Print stack traces with errors and in the log.")
  boolean debug;

  @Override
  public Integer call() {
    long startedNanos = System.nanoTime();
    try {
      return verify(startedNanos);
    } catch (RunFailure failure) {
      return report(failure.exitCode(), failure.getMessage(), failure.getCause());
    } catch (RuntimeException unexpected) {
      return report(Main.INCOMPLETE, "unexpected " + unexpected, unexpected);
    }
  }

  private int verify(long startedNanos) {
    Config config = CommandSetup.config(Optional.ofNullable(configFile), assignments, Optional.ofNullable(dataDir));
    Path dataDirectory = ConfigLoader.dataDir(config).orElseThrow();
    Path sourceDir = CommandSetup.sourceFolder(source);
    String id = Optional.ofNullable(libraryId).orElseGet(() -> LibraryIds.derive(sourceDir, target));
    VerifyMode mode = download ? VerifyMode.DOWNLOAD : VerifyMode.HASHES;
    VerifyOutput output =
        new VerifyOutput(
            spec.commandLine().getOut(),
            System.console() != null ? ProgressPrinter.Mode.TERMINAL : ProgressPrinter.Mode.LINES);
    UploadTarget uploadTarget = CommandSetup.openTarget(target, config, sourceDir);
    try {
      if (freeSpace) {
        checkFreeSpace(config, sourceDir, uploadTarget);
      }
      Library library = CommandSetup.library(id, sourceDir, uploadTarget, config);
      UploadEngine engine;
      try {
        engine = EngineInternals.start(config);
      } catch (EngineStartException.DataDirInUse inUse) {
        if (freeSpace) {
          throw new RunFailure(
              Main.CANNOT_START,
              "cannot free up space while another autoupload runs on data dir " + dataDirectory
                  + " (" + inUse.getMessage() + "); stop it, then verify --free-space again",
              inUse);
        }
        return throughInstance(dataDirectory, id, sourceDir, inUse, output, startedNanos);
      } catch (EngineStartException e) {
        throw new RunFailure(e.getCause() instanceof ConfigException ? Main.USAGE : Main.CANNOT_START, e.getMessage(), e);
      }
      VerifyReport report;
      try (engine) {
        announce("verifying " + sourceDir + " against " + uploadTarget.describe() + " (data dir " + dataDirectory + ")");
        report = here(engine, library, mode, freeSpace, output);
      }
      output.finish(
          freeSpace
              ? VerifyOutput.summary(
                  report.files().size(),
                  report.count(Mark.SAME),
                  report.count(Mark.DIFFERS),
                  report.count(Mark.MISSING),
                  report.count(Mark.UNCHECKED),
                  report.freed().size(),
                  report.keptAfterProof(),
                  elapsed(startedNanos))
              : VerifyOutput.summary(
                  report.files().size(),
                  report.count(Mark.SAME),
                  report.count(Mark.DIFFERS),
                  report.count(Mark.MISSING),
                  report.count(Mark.UNCHECKED),
                  elapsed(startedNanos)));
      return outcome(report.files().size(), report.count(Mark.SAME));
    } finally {
      uploadTarget.close();
    }
  }

  /**
   * Refuses {@code --free-space} unless {@code autoupload.after-backup} says what to do, and a
   * {@code move-to} folder lies outside the source folder (its files would be found again as new
   * ones) and outside a local target (they would pass for backups).
   */
  private static void checkFreeSpace(Config config, Path sourceDir, UploadTarget uploadTarget) {
    AfterBackup setting;
    try {
      setting = ConfigSettings.afterBackup(config);
    } catch (IllegalArgumentException | ConfigException e) {
      throw new RunFailure(Main.USAGE, e.getMessage(), e);
    }
    if (!setting.frees()) {
      throw new RunFailure(
          Main.USAGE,
          "--free-space needs autoupload.after-backup set to move-to:<folder> or delete-after:<days>; it is keep");
    }
    if (setting.action() instanceof AfterBackup.Action.MoveTo move) {
      Path folder = FolderOverlap.real(move.folder());
      Path source = FolderOverlap.real(sourceDir);
      if (folder.startsWith(source) || source.startsWith(folder)) {
        throw new RunFailure(
            Main.USAGE,
            "autoupload.after-backup: the move-to folder " + move.folder() + " and the source folder " + sourceDir
                + " overlap: moved originals would be scanned again; choose a folder outside the source folder");
      }
      if (uploadTarget instanceof LocalFolderTarget local) {
        Path backups = FolderOverlap.real(local.root());
        if (folder.startsWith(backups) || backups.startsWith(folder)) {
          throw new RunFailure(
              Main.USAGE,
              "autoupload.after-backup: the move-to folder " + move.folder() + " and the target folder " + local.root()
                  + " overlap: moved originals would mix with the backups; choose a folder outside the target");
        }
      }
    }
  }

  /** Verifies with an engine of this process, printing each file as it is checked. */
  private static VerifyReport here(
      UploadEngine engine, Library library, VerifyMode mode, boolean freeSpace, VerifyOutput output) {
    Queue<VerifyProgress> events = new ConcurrentLinkedQueue<>();
    CompletableFuture<VerifyReport> verification =
        (freeSpace ? engine.verifyAndFreeSpace(library, mode, events::add) : engine.verify(library, mode, events::add))
            .toCompletableFuture();
    Set<String> proven = new HashSet<>();
    Thread stop =
        new Thread(
            () -> {
              verification.cancel(false);
              engine.close();
            },
            "autoupload-verify-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      VerifyReport report = null;
      while (report == null) {
        try {
          report = verification.get(POLL_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          // Shown below; the engine tells each file as it goes.
        } finally {
          show(events, proven, output);
        }
      }
      return report;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof VerifyException failure) {
        int code = failure.problem() == VerifyException.Problem.SCAN_FAILED ? Main.INCOMPLETE : Main.CANNOT_START;
        throw new RunFailure(code, failure.getMessage(), failure);
      }
      throw new RunFailure(Main.INCOMPLETE, "the verification failed: " + e.getCause(), e.getCause());
    } catch (CancellationException e) {
      throw new RunFailure(Main.INCOMPLETE, "the verification was stopped", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure(Main.INCOMPLETE, "interrupted", e);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException jvmExiting) {
        // The hook is stopping the verification.
      }
    }
  }

  /**
   * Prints what happened since the last call. {@code proven} holds the files found the same whose
   * original's fate is still to come (it follows its verdict), so a kept one is told only when
   * proven: the others' verify lines say why already.
   */
  private static void show(Queue<VerifyProgress> events, Set<String> proven, VerifyOutput output) {
    for (VerifyProgress event; (event = events.poll()) != null; ) {
      if (event instanceof VerifyProgress.AfterBackup after) {
        boolean wasProven = proven.remove(after.outcome().path());
        if (after.outcome() instanceof Outcome.Done done) {
          output.line(VerifyOutput.freed(done.freed()));
        } else if (after.outcome() instanceof Outcome.Kept kept && wasProven) {
          output.line(VerifyOutput.kept(kept.path(), kept.why()));
        }
      } else if (event instanceof VerifyProgress.Checked checked) {
        FileVerdict file = checked.file();
        if (file.mark() == Mark.SAME) {
          proven.add(file.path());
        }
        output.file(file.mark().symbol(), file.path(), file.reason());
        output.progress(checked.checked(), checked.total(), checked.bytesRead());
      } else if (event instanceof VerifyProgress.Started started) {
        output.progress(0, started.files(), 0);
      }
    }
  }

  /**
   * Verifies in the instance that holds the data dir, through its control endpoint: it owns the
   * journal. Its lines come once it is done; meanwhile its progress shows on a terminal.
   */
  private int throughInstance(
      Path dataDirectory,
      String id,
      Path sourceDir,
      EngineStartException.DataDirInUse inUse,
      VerifyOutput output,
      long startedNanos) {
    ControlClient client;
    try {
      client = ControlClient.of(dataDirectory);
    } catch (RunFailure noEndpoint) {
      throw new RunFailure(
          Main.CANNOT_START,
          "cannot verify while another autoupload runs on data dir " + dataDirectory
              + " without a control endpoint (" + inUse.getMessage() + "); stop it, or restart it with --http, then verify again",
          inUse);
    }
    announce(
        "verifying " + sourceDir + " against " + target + " through the autoupload running on data dir "
            + dataDirectory + " (" + client.base() + ")");
    String request = JSON.createObjectNode().put("library", id).put("download", download).toString();
    String verification = client.post("api/verify", request).get("id").asText();
    JsonNode report = client.get("api/verify/" + verification);
    while (report.path("state").asText().equals("running")) {
      output.progress(report.path("checked").asLong(), report.path("total").asLong(), report.path("bytesRead").asLong());
      pause();
      report = client.get("api/verify/" + verification);
    }
    if (!report.path("state").asText().equals("done")) {
      throw new RunFailure(Main.INCOMPLETE, "the verification failed: " + report.path("error").asText());
    }
    for (JsonNode file : report.path("files")) {
      output.file(file.path("mark").asText().charAt(0), file.path("path").asText(), file.path("reason").asText());
    }
    JsonNode counts = report.path("counts");
    output.finish(
        VerifyOutput.summary(
            counts.path("files").asLong(),
            counts.path("same").asLong(),
            counts.path("differ").asLong(),
            counts.path("missing").asLong(),
            counts.path("unchecked").asLong(),
            elapsed(startedNanos)));
    return outcome(counts.path("files").asLong(), counts.path("same").asLong());
  }

  /** Between two asks of the instance: its report is the one place that loses nothing. */
  private static void pause() {
    try {
      Thread.sleep(POLL_EVERY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunFailure(Main.INCOMPLETE, "interrupted", e);
    }
  }

  /** 0 when every file is the same, else 1 with a line on stderr saying how many are not. */
  private int outcome(long files, long same) {
    if (same == files) {
      return Main.OK;
    }
    return report(
        Main.INCOMPLETE,
        (files - same) + " of " + files + (files == 1 ? " file is" : " files are") + " not on the target as they are here",
        null);
  }

  private void announce(String what) {
    PrintWriter out = spec.commandLine().getOut();
    out.println("autoupload: " + OneLine.of(what));
    out.flush();
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private int report(int exitCode, String message, Throwable cause) {
    return Main.report(spec.commandLine().getErr(), debug, exitCode, message, cause);
  }
}
