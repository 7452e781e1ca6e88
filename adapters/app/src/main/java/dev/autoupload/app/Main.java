package dev.autoupload.app;

import dev.autoupload.engine.internal.ScalaConsoleFilter;
import dev.autoupload.targets.http.HttpClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code autoupload} command line: {@code run} backs up a folder, {@code serve} the libraries
 * of a config file, {@code verify} checks a backup; {@code status}, {@code activity} and {@code token} talk to a running one; {@code
 * version} says which build.
 */
@Command(
    name = "autoupload",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Backs up photo and video folders to a storage target: every file exactly once, byte-exact "
          + "(sha256 verified), resuming where it stopped after a kill."
    },
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {RunCommand.class, ServeCommand.class, VerifyCommand.class, StatusCommand.class, ActivityCommand.class, TokenCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file is backed up",
      "1:a file or the scan failed; stderr names the first failure",
      "2:bad command line or configuration",
      "3:cannot start: source missing, target unusable, data dir in use, journal problem, "
          + "HTTP address in use; status/activity: no instance running"
    })
public final class Main implements Callable<Integer> {

  /** Every file found is on the target. */
  static final int OK = 0;
  /** Some file failed for good, or the source could not be scanned. */
  static final int INCOMPLETE = 1;
  /** Bad command line or configuration. */
  static final int USAGE = 2;
  /** The run could not start: source, target, data dir, journal or HTTP address; or no instance to ask. */
  static final int CANNOT_START = 3;

  static final String ERROR_PREFIX = "autoupload: error: ";

  /**
   * Prints {@code message} on {@code err} as one error line, with the stack trace of {@code cause}
   * under {@code --debug}.
   *
   * @return {@code exitCode}
   */
  static int report(PrintWriter err, boolean debug, int exitCode, String message, Throwable cause) {
    err.println(ERROR_PREFIX + OneLine.of(message));
    if (debug && cause != null) {
      cause.printStackTrace(err);
    }
    err.flush();
    return exitCode;
  }

  private static final Pattern USER_INFORMATION = Pattern.compile("(?<=[A-Za-z][A-Za-z0-9+.-]{0,30}://)[^\\s']*(?=@)");

  @Spec CommandSpec spec;

  /**
   * Runs the command line and exits with its code (see the README's exit codes).
   *
   * @param args the command line's arguments
   */
  public static void main(String[] args) {
    // Pekko writes through Scala's Console: to stderr here, as stdout is for the lines scripts read.
    ScalaConsoleFilter.install(System.err);
    if (java.util.Arrays.asList(args).contains("--debug")) {
      // Read by LogSetup when the first logger is made, which is after this.
      System.setProperty(LogSetup.EXCEPTIONS_PROPERTY, "%ex");
    }
    // A library's own thread that dies (H2's lob cleaner once the journal's disk is full) would
    // print its whole stack trace: one log line instead, the stack only with --debug.
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, failure) ->
            org.slf4j.LoggerFactory.getLogger(Main.class)
                .error("thread {} stopped: {}", thread.getName(), failure.toString(), failure));
    int code = commandLine().execute(args);
    // Every command has closed its targets by now; their HTTP clients' threads would hold the
    // JVM's exit for 0.3 s (see HttpClients.stopSelectorThreads).
    HttpClients.stopSelectorThreads();
    System.exit(code);
  }

  /** The command line with error handlers that keep every error to one line on stderr. */
  static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine failed = e.getCommandLine();
          failed.getErr().println(
              ERROR_PREFIX + OneLine.of(withoutUserInformation(e.getMessage()))
                  + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
          return USAGE;
        });
    commandLine.setExecutionExceptionHandler(
        (e, failed, parseResult) -> {
          failed.getErr().println(ERROR_PREFIX + OneLine.of(String.valueOf(e)));
          return INCOMPLETE;
        });
    return commandLine;
  }

  /**
   * {@code text} with the user information of each URI in it (all between {@code scheme://} and
   * the token's last '@') as {@code ***}: picocli quotes the arguments it cannot place, and one may
   * be a target URI with a password in it.
   */
  static String withoutUserInformation(String text) {
    return USER_INFORMATION.matcher(String.valueOf(text)).replaceAll("***");
  }

  /** Without a command there is nothing to do: show what there is. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println(ERROR_PREFIX + "missing command (see 'autoupload --help')");
    spec.commandLine().usage(err);
    return USAGE;
  }

  @Command(name = "version", description = "Prints the version.")
  int version() {
    spec.commandLine().getOut().println("autoupload " + Version.current());
    return OK;
  }

  /** The version Maven stamped into {@code version.properties} at build time. */
  static final class Version implements CommandLine.IVersionProvider {

    static String current() {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        return "unknown";
      }
      return properties.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
      return new String[] {"autoupload " + current()};
    }
  }
}
