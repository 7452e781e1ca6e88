package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The packaged app ({@code java -jar autoupload.jar ...}) running as a child process, with its
 * stdout and stderr collected line by line on reader threads.
 *
 * <p>Start it through {@link AppProcesses}, which kills whatever a test leaves running.
 */
public final class AppProcess implements AutoCloseable {

  /** What a process killed by SIGKILL exits with, as the JDK reports it on Linux (128 + 9). */
  public static final int SIGKILL_EXIT = 137;
  /** What a process ended by an unhandled SIGTERM exits with (128 + 15). */
  static final int SIGTERM_EXIT = 143;

  private static final String SETPRIV = "setpriv";
  private static final String NOBODY = "65534";
  private static final Duration READERS_DRAIN = Duration.ofSeconds(10);

  private final List<String> command;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private boolean stdoutEnded;
  private boolean stderrEnded;

  private AppProcess(List<String> command, Map<String, String> environment) {
    this.command = List.copyOf(command);
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    stdoutReader = reader(process.getInputStream(), stdout, true);
    stderrReader = reader(process.getErrorStream(), stderr, false);
  }

  /** The jar under test: the {@code autoupload.jar} system property the it-tests pom sets. */
  static Path jar() {
    String configured = System.getProperty("autoupload.jar");
    assertThat(configured).as("system property autoupload.jar (set by the it-tests pom)").isNotBlank();
    Path jar = Path.of(configured).toAbsolutePath().normalize();
    assertThat(jar).as("the packaged app; build it with mvn install -DskipTests").isRegularFile();
    return jar;
  }

  /**
   * The JIT as the {@code autoupload} launcher sets it, read from the same file
   * ({@code adapters/app/jit.options}: C2 only for the JDK's hashes and ciphers, C1's code compiled
   * sooner), and the compiler threads started once as the launcher starts them. An option or a
   * directives file the JVM cannot take stops every app start here, so a broken one fails the tests
   * rather than slipping past the launcher (which falls back to the JVM's default).
   */
  static List<String> launcherJit() {
    Path appModule = jar().getParent().getParent();
    Path options = appModule.resolve("jit.options");
    assertThat(options).as("the launcher's JIT options").isRegularFile();
    List<String> jit = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(options)) {
        String option = line.strip();
        if (!option.isEmpty() && !option.startsWith("#")) {
          jit.add(option.replace("{dir}", appModule.toString()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(jit).as("options in " + options).anyMatch(o -> o.startsWith("-XX:CompilerDirectivesFile="));
    jit.add("-XX:-UseDynamicNumberOfCompilerThreads");
    return List.copyOf(jit);
  }

  /** True when the tests run as root, where file permissions do not stop anything. */
  static boolean runningAsRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /** The arguments after {@code java -jar autoupload.jar}; see {@link Launch#start}. */
  public static Launch launch(String... args) {
    return new Launch(List.of(args), List.of(), false, Map.of());
  }

  /**
   * How to start the app.
   *
   * @param unprivileged run as uid/gid 65534 (nobody) when the tests run as root, so file
   *     permissions apply; the folders it writes to must then be writable by that user
   * @param environment variables added to the child's environment (e.g. a target's password)
   */
  public record Launch(List<String> args, List<String> jvmOptions, boolean unprivileged, Map<String, String> environment) {

    public Launch withJvmOptions(String... options) {
      return new Launch(args, List.of(options), unprivileged, environment);
    }

    Launch runAsUnprivileged() {
      return new Launch(args, jvmOptions, true, environment);
    }

    public Launch withEnvironment(String name, String value) {
      Map<String, String> more = new java.util.HashMap<>(environment);
      more.put(name, value);
      return new Launch(args, jvmOptions, unprivileged, Map.copyOf(more));
    }

    List<String> command() {
      List<String> command = new ArrayList<>();
      if (unprivileged && runningAsRoot()) {
        // setpriv execs java in place, so the child's pid is java's and signals reach it.
        command.addAll(
            List.of(SETPRIV, "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(ClassDataArchive.options(jar()));
      command.addAll(launcherJit());
      command.addAll(jvmOptions);
      command.add("-jar");
      command.add(jar().toString());
      command.addAll(args);
      if (!args.isEmpty() && args.get(0).equals("run") && !args.contains("--http")) {
        // A free port each: tests run beside each other and beside whatever holds 8686.
        command.addAll(List.of("--http", "127.0.0.1:0"));
      }
      if (!args.isEmpty() && args.get(0).equals("run") && args.stream().noneMatch(a -> a.startsWith("autoupload.layout."))) {
        // Most tests compare the target with the source tree; LayoutIT proves the date layout.
        command.addAll(List.of("--set", "autoupload.layout.pattern=\"{path}\""));
      }
      return command;
    }

    AppProcess start() {
      return new AppProcess(command(), environment);
    }
  }

  /**
   * Blocks until a stdout line matches, and returns it.
   *
   * @throws AssertionError when none does within {@code timeout} or stdout ends first
   */
  public String awaitLine(Predicate<String> matching, Duration timeout) {
    return awaitLineOrEnd(matching, timeout)
        .orElseThrow(() -> new AssertionError("stdout ended without the awaited line\n" + describe()));
  }

  /**
   * Blocks until a stdout line matches and returns it, or returns empty once stdout has ended
   * without one (the app exited first). {@code matching} sees each line once, in order, so it may
   * count.
   *
   * @throws AssertionError when neither happens within {@code timeout}
   */
  public synchronized Optional<String> awaitLineOrEnd(Predicate<String> matching, Duration timeout) {
    return awaitIn(stdout, () -> stdoutEnded, matching, timeout);
  }

  /**
   * Blocks until a stderr line matches, and returns it.
   *
   * @throws AssertionError when none does within {@code timeout} or stderr ends first
   */
  public synchronized String awaitErrorLine(Predicate<String> matching, Duration timeout) {
    return awaitIn(stderr, () -> stderrEnded, matching, timeout)
        .orElseThrow(() -> new AssertionError("stderr ended without the awaited line\n" + describe()));
  }

  private Optional<String> awaitIn(
      List<String> lines, BooleanSupplier ended, Predicate<String> matching, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int checked = 0;
    while (true) {
      for (; checked < lines.size(); checked++) {
        if (matching.test(lines.get(checked))) {
          return Optional.of(lines.get(checked));
        }
      }
      if (ended.getAsBoolean()) {
        return Optional.empty();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no awaited line within " + timeout + "\n" + describe());
      }
      try {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while awaiting a line", e);
      }
    }
  }

  /**
   * Waits for the process to exit and for its output to be read to the end.
   *
   * @return the exit code
   * @throws AssertionError when it is still running after {@code timeout}
   */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("still running after " + timeout + "\n" + describe());
      }
      stdoutReader.join(READERS_DRAIN.toMillis());
      stderrReader.join(READERS_DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the app", e);
    }
    return process.exitValue();
  }

  /** Sends SIGKILL, like {@code kill -9}, and returns once the process is dead. */
  public int kill9() {
    int exit = kill9UnlessExited();
    assertThat(exit).as("exit code after SIGKILL").isEqualTo(SIGKILL_EXIT);
    return exit;
  }

  /**
   * Sends SIGKILL unless the process has exited already, and returns its exit code once it is
   * dead: {@link #SIGKILL_EXIT} when the signal ended it, its own when it was faster.
   */
  public int kill9UnlessExited() {
    // Through the handle: Process.destroyForcibly() also closes our end of the pipes at once,
    // which would lose the last lines the app printed.
    process.toHandle().destroyForcibly();
    int exit = waitFor(Duration.ofSeconds(30));
    assertThat(process.isAlive()).as("alive after SIGKILL").isFalse();
    return exit;
  }

  /**
   * Sends SIGTERM, as a service manager stopping the app would; does not wait. Unlike {@link
   * Process#destroy()}, which closes the pipes right after signalling, this keeps reading what the
   * app prints while it shuts down.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  public synchronized List<String> stdout() {
    return List.copyOf(stdout);
  }

  synchronized List<String> stderr() {
    return List.copyOf(stderr);
  }

  /** The stderr lines the app writes for errors, without log lines. */
  public List<String> errorLines() {
    return stderr().stream().filter(line -> line.startsWith("autoupload: error: ")).toList();
  }

  /** The one {@code summary:} line, parsed; fails when there is none or more than one. */
  public RunSummary summary() {
    List<String> lines = stdout().stream().filter(line -> line.startsWith("summary: ")).toList();
    assertThat(lines).as("summary lines\n" + describe()).hasSize(1);
    return RunSummary.parse(lines.get(0));
  }

  Optional<String> firstLine(Predicate<String> matching) {
    return stdout().stream().filter(matching).findFirst();
  }

  /** The command and what it printed so far, for assertion messages. */
  public synchronized String describe() {
    String exit = process.isAlive() ? "running" : "exit " + process.exitValue();
    return "command: " + String.join(" ", command) + " (" + exit + ")\n"
        + "--- stdout (last 40 of " + stdout.size() + " lines)\n" + tail(stdout) + "\n"
        + "--- stderr (last 40 of " + stderr.size() + " lines)\n" + tail(stderr);
  }

  /** Kills the process if it still runs and waits for its output readers. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      process.waitFor(30, TimeUnit.SECONDS);
      stdoutReader.join(READERS_DRAIN.toMillis());
      stderrReader.join(READERS_DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread reader(InputStream stream, List<String> lines, boolean isStdout) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (this) {
                    lines.add(line);
                    notifyAll();
                  }
                }
              } catch (IOException e) {
                // close() shut the pipe under us; the lines read so far are kept.
              } finally {
                synchronized (this) {
                  if (isStdout) {
                    stdoutEnded = true;
                  } else {
                    stderrEnded = true;
                  }
                  notifyAll();
                }
              }
            },
            "app-" + (isStdout ? "stdout" : "stderr") + "-" + process.pid());
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Makes {@code dir} (created if needed) usable by an {@link Launch#unprivileged} app: world
   * readable, writable and traversable.
   */
  static Path sharedDir(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * Makes every folder and file below {@code root} readable by an {@link Launch#unprivileged}
   * app, whatever the umask was when they were written.
   */
  static Path readableTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Files.setPosixFilePermissions(
            path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root;
  }
}
