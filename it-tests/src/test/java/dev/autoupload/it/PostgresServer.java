package dev.autoupload.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster in a temp dir on a free loopback port, from Debian's {@code
 * postgresql} package, for one test class. initdb refuses to run as root, so as root the cluster
 * belongs to the {@code postgres} user the package creates.
 */
final class PostgresServer implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  static PostgresServer start() throws IOException, InterruptedException {
    Path bin = findBin();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("autoupload-pg-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    PostgresServer server = new PostgresServer(bin, dir, port, root);
    if (root) {
      server.run(List.of("chown", "postgres:postgres", dir.toString()), false);
    }
    server.run(
        List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
        true);
    server.run(
        List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60",
            "-l", dir.resolve("server.log").toString(),
            "-o", "-c listen_addresses=127.0.0.1 -c port=" + port + " -c unix_socket_directories=" + dir
                + " -c fsync=off",
            "start"),
        true);
    server.run(
        List.of(bin.resolve("createdb").toString(),
            "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "autoupload"),
        true);
    return server;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/autoupload";
  }

  /** Creates another, empty database on the server and {@return its JDBC URL}. */
  String createDatabase(String name) throws IOException, InterruptedException {
    run(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", name), true);
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  String user() {
    return "postgres";
  }

  private static Path findBin() throws IOException {
    Path lib = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql (.ci/run does)");
    }
    try (Stream<Path> versions = Files.list(lib)) {
      return versions
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
          .max(Comparator.comparing(Path::toString))
          .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql"));
    }
  }

  private void run(List<String> command, boolean asOwner) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asOwner && asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", full) + "\n" + output);
    }
  }

  @Override
  public void close() throws Exception {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"), true);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
