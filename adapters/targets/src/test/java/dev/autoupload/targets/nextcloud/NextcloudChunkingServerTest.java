package dev.autoupload.targets.nextcloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test server keeps chunked upload v2 as Nextcloud documents it, with plain HTTP requests: so
 * that the target passing against it means something.
 */
class NextcloudChunkingServerTest {

  private static final int MIB = 1024 * 1024;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path serverDir;
  private static NextcloudChunkingServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = NextcloudChunkingServer.start(serverDir);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void assemblesNumberedChunksInOrderAndStoresTheChecksumAsSent() throws Exception {
    byte[] first = bytes(5 * MIB, 1);
    byte[] second = bytes(1000, 2);
    String upload = "/remote.php/dav/uploads/anna/in-order";
    String destination = server.origin() + "/remote.php/dav/files/anna/assembled.bin";

    assertThat(send("MKCOL", upload, null, "Destination", destination)).isEqualTo(201);
    assertThat(send("PUT", upload + "/00002", second, "Destination", destination, "OC-Total-Length", "5243880")).isEqualTo(201);
    assertThat(send("PUT", upload + "/00001", first, "Destination", destination, "OC-Total-Length", "5243880")).isEqualTo(201);
    HttpResponse<String> listing = request("PROPFIND", upload + "/", null, "Depth", "1");
    assertThat(listing.statusCode()).isEqualTo(207);
    assertThat(listing.body()).contains(".file</d:href>", "<d:getcontentlength>5243880</d:getcontentlength>", "00001", "00002");
    assertThat(request("GET", upload + "/00001", null).statusCode()).isEqualTo(405);

    assertThat(
            send("MOVE", upload + "/.file", null, "Destination", destination, "OC-Total-Length", "5243880",
                "OC-Checksum", "SHA256:abc"))
        .isEqualTo(201);

    byte[] stored = Files.readAllBytes(server.userFiles().resolve("assembled.bin"));
    assertThat(stored).startsWith(first).endsWith(second).hasSize(first.length + second.length);
    assertThat(server.checksumOf("assembled.bin")).contains("SHA256:abc");
    assertThat(request("PROPFIND", "/remote.php/dav/files/anna/assembled.bin", null, "Depth", "0").body())
        .contains("<oc:checksum>SHA256:abc</oc:checksum>");
    assertThat(server.userUploads().resolve("in-order")).doesNotExist();
  }

  @Test
  void isStrictWhereVersionTwoIs() throws Exception {
    String upload = "/remote.php/dav/uploads/anna/strict";
    String destination = server.origin() + "/remote.php/dav/files/anna/strict.bin";

    assertThat(send("MKCOL", upload, null)).as("MKCOL without Destination").isEqualTo(400);
    assertThat(send("MKCOL", upload, null, "Destination", destination)).isEqualTo(201);
    assertThat(send("PUT", upload + "/00001", bytes(10, 3))).as("chunk without Destination").isEqualTo(400);
    for (String name : new String[] {"0", "10001", "abc", "00001.part"}) {
      assertThat(send("PUT", upload + "/" + name, bytes(10, 3), "Destination", destination)).as(name).isEqualTo(400);
    }
    assertThat(send("PUT", upload + "/10000", bytes(10, 3), "Destination", destination)).isEqualTo(201);
    assertThat(send("PUT", upload + "/00001", bytes(MIB, 4), "Destination", destination)).isEqualTo(201);

    HttpResponse<String> tooSmall = request("MOVE", upload + "/.file", null, "Destination", destination);
    assertThat(tooSmall.statusCode()).as("a first chunk under 5 MiB").isEqualTo(400);
    assertThat(tooSmall.body()).contains("<s:message>");
    assertThat(send("PUT", upload + "/00001", bytes(5 * MIB, 4), "Destination", destination)).isEqualTo(201);
    HttpResponse<String> wrongTotal =
        request("MOVE", upload + "/.file", null, "Destination", destination, "OC-Total-Length", "5");
    assertThat(wrongTotal.statusCode()).isEqualTo(400);
    assertThat(wrongTotal.body()).contains("Chunks on server do not sum up to 5 but to " + (5 * MIB + 10) + " bytes");
    assertThat(server.userFiles().resolve("strict.bin")).doesNotExist();
  }

  @Test
  void neverReplacesAFileWhenTheClientSaysNot() throws Exception {
    Files.write(server.userFiles().resolve("kept.bin"), bytes(10, 5));
    String upload = "/remote.php/dav/uploads/anna/kept";
    String destination = server.origin() + "/remote.php/dav/files/anna/kept.bin";
    send("MKCOL", upload, null, "Destination", destination);
    send("PUT", upload + "/00001", bytes(20, 6), "Destination", destination);

    assertThat(send("MOVE", upload + "/.file", null, "Destination", destination, "Overwrite", "F")).isEqualTo(412);
    assertThat(send("PUT", "/remote.php/dav/files/anna/kept.bin", bytes(30, 7), "If-None-Match", "*")).isEqualTo(412);
    assertThat(Files.readAllBytes(server.userFiles().resolve("kept.bin"))).isEqualTo(bytes(10, 5));
  }

  @Test
  void refusesTheNamesNextcloudsFilenameValidatorRefuses() throws Exception {
    String files = "/remote.php/dav/files/anna/";
    for (String name : new String[] {".htaccess", "clip.PART", "a.filepart", "back%5Cslash", "%20.%20", "y".repeat(251)}) {
      HttpResponse<String> put = request("PUT", files + name, bytes(10, 8));
      assertThat(put.statusCode()).as(name).isEqualTo(400);
      assertThat(put.body()).contains("<s:exception>OCA\\DAV\\Connector\\Sabre\\Exception\\InvalidPath</s:exception>");
      assertThat(send("MKCOL", files + name, null)).as(name).isEqualTo(400);
    }
    assertThat(request("PUT", files + "clip.part", bytes(10, 8)).body()).contains("&quot;.part&quot; is a forbidden file type.");
    assertThat(send("PUT", files + "y".repeat(250), bytes(10, 8))).isEqualTo(201);
    assertThat(send("PUT", files + "clip%EF%BC%8Epart", bytes(10, 8))).isEqualTo(201);
  }

  @Test
  void refusesWrongCredentials() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.origin() + "/remote.php/dav/files/anna/"))
                .header("Authorization", basic("anna", "wrong"))
                .method("PROPFIND", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
  }

  @Test
  void underAWebrootServesOnlyBelowItAndSaysSoInItsHrefs(@TempDir Path webrootDir) throws Exception {
    try (NextcloudChunkingServer underSubPath = NextcloudChunkingServer.start(webrootDir, "/my cloud")) {
      String files = "/my%20cloud/remote.php/dav/files/anna/";
      String destination = underSubPath.origin() + files + "moved.bin";
      Files.write(underSubPath.userFiles().resolve("here.bin"), bytes(10, 8));

      HttpResponse<String> listing = request(underSubPath, "PROPFIND", files, null, "Depth", "1");
      assertThat(listing.statusCode()).isEqualTo(207);
      assertThat(listing.body()).contains("<d:href>" + files + "</d:href>", "<d:href>" + files + "here.bin</d:href>");
      HttpResponse<String> outside = request(underSubPath, "PROPFIND", "/remote.php/dav/files/anna/", null, "Depth", "1");
      assertThat(outside.statusCode()).as("without the webroot").isEqualTo(404);
      assertThat(outside.body()).doesNotContain("<s:message>");
      assertThat(request(underSubPath, "PUT", "/my%20cloud2/remote.php/dav/files/anna/x.bin", bytes(3, 9)).statusCode())
          .as("beside the webroot")
          .isEqualTo(404);
      assertThat(
              request(underSubPath, "MOVE", files + "here.bin", null, "Destination",
                      underSubPath.origin() + "/remote.php/dav/files/anna/moved.bin")
                  .statusCode())
          .as("a Destination without the webroot")
          .isEqualTo(403);
      assertThat(request(underSubPath, "MOVE", files + "here.bin", null, "Destination", destination).statusCode())
          .isEqualTo(201);
      assertThat(underSubPath.userFiles().resolve("moved.bin")).exists();
    }
  }

  private static int send(String method, String path, byte[] body, String... headers) throws Exception {
    return request(method, path, body, headers).statusCode();
  }

  private static HttpResponse<String> request(String method, String path, byte[] body, String... headers)
      throws Exception {
    return request(server, method, path, body, headers);
  }

  private static HttpResponse<String> request(
      NextcloudChunkingServer to, String method, String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(to.origin() + path))
            .header("Authorization", basic(NextcloudChunkingServer.USER, NextcloudChunkingServer.PASSWORD))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(int size, long seed) {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return content;
  }
}
