package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.autoupload.engine.UploadEngine;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping the endpoint: its token file, its address file, a taken port. */
class HttpControlServerTest {

  @TempDir Path dataDir;

  @Test
  void firstStartCreatesAnOwnerOnlyTokenThatARestartReuses() throws Exception {
    String first;
    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      Path tokenFile = dataDir.resolve("http-token");
      assertThat(server.tokenFile()).isEqualTo(tokenFile);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
      first = Files.readString(tokenFile).strip();
      assertThat(first).matches("[A-Za-z0-9_-]{43}");
      TestClient client = new TestClient(server.url(), first);
      assertThat(client.get("/api/status").statusCode()).isEqualTo(200);
    }

    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      assertThat(Files.readString(dataDir.resolve("http-token")).strip()).isEqualTo(first);
      assertThat(new TestClient(server.url(), first).get("/api/status").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theBoundAddressIsStoredWhileRunningAndRemovedOnStop() throws Exception {
    try (UploadEngine engine = UploadEngine.start(dataDir)) {
      HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
      int port = server.address().getPort();
      assertThat(port).isPositive();
      assertThat(server.url()).hasToString("http://127.0.0.1:" + port + "/");
      assertThat(AddressFile.read(dataDir)).hasValue("127.0.0.1:" + port);

      server.close();

      assertThat(AddressFile.read(dataDir)).isEmpty();
      server.close();
    }
  }

  @Test
  void aTakenPortFailsToStartWithAClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        UploadEngine engine = UploadEngine.start(dataDir)) {
      assertThatThrownBy(() -> HttpControlServer.start(engine, dataDir, "127.0.0.1", taken.getLocalPort()))
          .isInstanceOf(HttpControlServer.StartException.class)
          .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use");
      assertThat(AddressFile.read(dataDir)).isEmpty();
    }
  }

  @Test
  void anIpv6LoopbackBindingIsReachedInBrackets() throws Exception {
    try (UploadEngine engine = UploadEngine.start(dataDir);
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "::1", 0)) {
      assertThat(server.url()).hasToString("http://[::1]:" + server.address().getPort() + "/");
      assertThat(AddressFile.read(dataDir)).hasValue("[::1]:" + server.address().getPort());
      String token = ApiToken.read(dataDir).orElseThrow().value();
      assertThat(new TestClient(server.url(), token).get("/api/status").statusCode()).isEqualTo(200);
    }
  }
}
