package dev.autoupload.http;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code <data-dir>/http-address}: where the running instance's control endpoint listens, as
 * {@code host:port}. Written when the endpoint starts, removed when it stops cleanly, so that
 * {@code autoupload status} finds the instance; a file left by a killed instance names an address
 * nobody answers on.
 */
public final class AddressFile {

  /** The file's name in the data dir. */
  public static final String FILE_NAME = "http-address";

  private AddressFile() {}

  /**
   * Where the address of the instance keeping its data in {@code dataDir} is stored; for messages
   * that name the file.
   *
   * @param dataDir the engine's data dir
   * @return {@code <dataDir>/http-address}, whether or not it exists
   */
  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /** Stores {@code address}, replacing what a previous instance may have left. */
  static void write(Path dataDir, InetSocketAddress address) throws IOException {
    Path temp = Files.createTempFile(dataDir, ".http-address", ".tmp");
    try {
      Files.writeString(temp, hostPort(address) + "\n", StandardCharsets.US_ASCII);
      Files.move(temp, file(dataDir), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Removes the file if it still names {@code address}. */
  static void remove(Path dataDir, InetSocketAddress address) throws IOException {
    Optional<String> stored = read(dataDir);
    if (stored.isPresent() && stored.get().equals(hostPort(address))) {
      Files.deleteIfExists(file(dataDir));
    }
  }

  /**
   * The stored {@code host:port}, if an instance stored one: what {@code autoupload status} and
   * the other client commands look up. It may be stale (see above).
   *
   * @param dataDir the engine's data dir
   * @return the address as written, e.g. {@code 127.0.0.1:8686}; empty when there is no file or
   *     it is empty
   * @throws IOException when the file exists but cannot be read
   */
  public static Optional<String> read(Path dataDir) throws IOException {
    Path file = file(dataDir);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  /**
   * The base URL a client on this machine uses for an endpoint bound to {@code hostPort}: a
   * wildcard address (0.0.0.0, ::) is reached through loopback, whose name the endpoint accepts.
   *
   * @param hostPort what {@link #read(Path)} returned, e.g. {@code 0.0.0.0:8686}
   * @return {@code http://host:port/}, e.g. {@code http://127.0.0.1:8686/}
   * @throws IllegalArgumentException when {@code hostPort} is not {@code host:port}
   */
  public static URI localUrl(String hostPort) {
    URI parsed = URI.create("http://" + hostPort + "/");
    if (parsed.getHost() == null || parsed.getPort() < 0) {
      throw new IllegalArgumentException("not a host:port: " + hostPort);
    }
    String host = parsed.getHost();
    if (host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("[::]") || host.equals("[0:0:0:0:0:0:0:0]")) {
      host = "[::1]";
    }
    return URI.create("http://" + host + ":" + parsed.getPort() + "/");
  }

  /** {@code 127.0.0.1:8686}, {@code [::1]:8686}. */
  static String hostPort(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    String host;
    if (ip == null) {
      host = address.getHostString();
    } else if (ip instanceof Inet6Address) {
      host = "[" + (ip.isLoopbackAddress() ? "::1" : ip.isAnyLocalAddress() ? "::" : ip.getHostAddress()) + "]";
    } else {
      host = ip.getHostAddress();
    }
    return host + ":" + address.getPort();
  }
}
