package dev.autoupload.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster in a temp dir on a free loopback port, for one test class, started
 * by {@code scripts/postgres.sh}: the script the README's "Running a cluster" gives users, so what
 * the tests run on is what they are told to set up. Without fsync: the tests kill Autoupload, not
 * the machine.
 */
final class PostgresServer implements AutoCloseable {

  private final Path dir;
  private final String jdbcUrl;

  private PostgresServer(Path dir, String jdbcUrl) {
    this.dir = dir;
    this.jdbcUrl = jdbcUrl;
  }

  static PostgresServer start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("autoupload-pg-");
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    return new PostgresServer(dir, url(script("start", dir.toString(), Integer.toString(port))));
  }

  String jdbcUrl() {
    return jdbcUrl;
  }

  /** Creates another, empty database on the server and {@return its JDBC URL}. */
  String createDatabase(String name) throws IOException, InterruptedException {
    return url(script("createdb", dir.toString(), name));
  }

  String user() {
    return "postgres";
  }

  private static String url(List<String> printed) {
    if (printed.isEmpty() || !printed.get(printed.size() - 1).startsWith("jdbc:postgresql://127.0.0.1:")) {
      throw new IllegalStateException("scripts/postgres.sh printed no JDBC URL: " + printed);
    }
    return printed.get(printed.size() - 1);
  }

  /** Runs the script and {@return the lines it printed on stdout} (its stderr goes to the test's). */
  private static List<String> script(String... arguments) throws IOException, InterruptedException {
    String root = System.getProperty("autoupload.root");
    if (root == null || root.isBlank()) {
      throw new IllegalStateException("system property autoupload.root (set by the it-tests pom) is missing");
    }
    List<String> command =
        new ArrayList<>(List.of("bash", Path.of(root, "scripts", "postgres.sh").normalize().toString()));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("AUTOUPLOAD_PG_FSYNC", "off");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command) + "\n" + output);
    }
    return output.lines().filter(line -> !line.isBlank()).toList();
  }

  @Override
  public void close() throws Exception {
    script("stop", dir.toString());
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
