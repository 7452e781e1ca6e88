package dev.autoupload.targets.webdav;

import dev.autoupload.targets.tls.TestCertificates.ServerCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx WebDAV server (Debian {@code nginx-light} with {@code libnginx-mod-http-dav-ext})
 * on 127.0.0.1 and a free port, run in the foreground as a child process from a generated config.
 *
 * <p>{@code /} requires basic auth as {@link #USER}/{@link #PASSWORD}; {@code /busy/} answers 503
 * with {@code Retry-After: 7}, {@code /full/} answers 507. {@code create_full_put_path} is off, so
 * the target's own MKCOLs are what creates folders. {@link #startHttps} serves the same over HTTPS.
 */
public final class NginxWebDav implements AutoCloseable {

  public static final String USER = "anna";
  public static final String PASSWORD = "s3cret-pw";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  private static final List<Path> MODULE_DIRS =
      List.of(Path.of("/usr/lib/nginx/modules"), Path.of("/usr/share/nginx/modules"));

  private final Process process;
  private final Path dir;
  private final Path www;
  private final int port;
  private final String scheme;

  private NginxWebDav(Process process, Path dir, Path www, int port, String scheme) {
    this.process = process;
    this.dir = dir;
    this.www = www;
    this.port = port;
    this.scheme = scheme;
  }

  /** Starts nginx with its config, document root and temp files all under {@code dir}. */
  public static NginxWebDav start(Path dir) throws IOException, InterruptedException {
    return start(dir, Optional.empty());
  }

  /** Like {@link #start}, but speaking only HTTPS, presenting {@code certificate}. */
  public static NginxWebDav startHttps(Path dir, ServerCertificate certificate) throws IOException, InterruptedException {
    return start(dir, Optional.of(certificate));
  }

  private static NginxWebDav start(Path dir, Optional<ServerCertificate> tls) throws IOException, InterruptedException {
    Path module =
        MODULE_DIRS.stream()
            .map(d -> d.resolve("ngx_http_dav_ext_module.so"))
            .filter(Files::isRegularFile)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("install libnginx-mod-http-dav-ext"));
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.createDirectories(dir.resolve("body"));
    Files.writeString(dir.resolve("htpasswd"), USER + ":{PLAIN}" + PASSWORD + "\n");
    int port = freePort();
    // Workers switch to "nobody" unless told otherwise; as root they stay root so they can write
    // into the test's temporary directory, which is private to its owner.
    boolean root = "root".equals(System.getProperty("user.name"));
    String config =
        "load_module " + module + ";\n"
            + (root ? "user root root;\n" : "")
            + "daemon off;\n"
            + "worker_processes 1;\n"
            + "pid " + dir.resolve("nginx.pid") + ";\n"
            + "error_log " + dir.resolve("error.log") + " warn;\n"
            + "events { worker_connections 64; }\n"
            + "http {\n"
            + "  access_log off;\n"
            + "  client_body_temp_path " + dir.resolve("body") + ";\n"
            + "  proxy_temp_path " + dir.resolve("proxy") + ";\n"
            + "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
            + "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
            + "  scgi_temp_path " + dir.resolve("scgi") + ";\n"
            + "  server {\n"
            + "    listen 127.0.0.1:" + port + (tls.isPresent() ? " ssl" : "") + ";\n"
            + tls.map(
                    c -> "    ssl_certificate " + c.certificate() + ";\n"
                        + "    ssl_certificate_key " + c.key() + ";\n")
                .orElse("")
            + "    root " + www + ";\n"
            + "    client_max_body_size 0;\n"
            + "    location / {\n"
            + "      auth_basic \"autoupload test\";\n"
            + "      auth_basic_user_file " + dir.resolve("htpasswd") + ";\n"
            + "      dav_methods PUT DELETE MKCOL COPY MOVE;\n"
            + "      dav_ext_methods PROPFIND OPTIONS;\n"
            + "      dav_access user:rw group:rw all:r;\n"
            + "      create_full_put_path off;\n"
            + "    }\n"
            + "    location /busy/ { add_header Retry-After 7 always; return 503; }\n"
            + "    location /full/ { return 507; }\n"
            + "  }\n"
            + "}\n";
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config, StandardCharsets.UTF_8);
    Path pid = dir.resolve("nginx.pid");
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
      Process process =
          // -e: the log nginx opens before reading its config, else /var/log/nginx (root only).
          new ProcessBuilder(
                  "nginx", "-e", dir.resolve("error.log").toString(), "-c", conf.toString(), "-p", dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("nginx.out").toFile())
              .start();
      NginxWebDav server = new NginxWebDav(process, dir, www, port, tls.isPresent() ? "https" : "http");
      // nginx writes its pid file only after it bound the listening socket.
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!Files.exists(pid)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          server.close();
          throw new IllegalStateException("nginx did not start: " + server.log());
        }
        var key = watcher.poll(100, TimeUnit.MILLISECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      }
      return server;
    }
  }

  /** {@code http://127.0.0.1:port} (or {@code https://…}) followed by {@code encodedPath}. */
  URI uri(String encodedPath) {
    return URI.create(scheme + "://127.0.0.1:" + port + encodedPath);
  }

  public int port() {
    return port;
  }

  /** The server's document root on disk, to check what it really stored. */
  public Path www() {
    return www;
  }

  String log() {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("nginx.out", "error.log")) {
      try {
        out.append(Files.readString(dir.resolve(name))).append('\n');
      } catch (IOException e) {
        out.append("(no ").append(name).append(")\n");
      }
    }
    return out.toString();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
