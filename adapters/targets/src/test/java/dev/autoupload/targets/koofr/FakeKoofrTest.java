package dev.autoupload.targets.koofr;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake answers as Koofr's API does, so that a client passing against it is not merely passing
 * against a lenient stub: Koofr renames a clash unless told not to, refuses a taken name, and
 * answers errors in its JSON shape.
 */
class FakeKoofrTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private FakeKoofr koofr;
  private String mountId;

  @BeforeEach
  void start() throws Exception {
    koofr = FakeKoofr.start();
    mountId = koofr.mountId("Koofr");
  }

  @AfterEach
  void stop() {
    koofr.close();
  }

  @Test
  void aPutWithoutOptionsStoresAClashUnderANewNameAsKoofrDoes() throws Exception {
    koofr.store("Koofr", "/a.jpg", new byte[] {1});

    HttpResponse<String> response = put("/", "a.jpg", "");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"name\":\"a (1).jpg\"", "\"hash\":\"");
    assertThat(koofr.files("Koofr", "/")).containsOnlyKeys("a.jpg", "a (1).jpg");
  }

  @Test
  void aPutWithAutorenameOffRefusesATakenNameWithKoofrsErrorJson() throws Exception {
    koofr.store("Koofr", "/A.JPG", new byte[] {1});

    HttpResponse<String> response = put("/", "a.jpg", "&autorename=false");

    assertThat(response.statusCode()).isEqualTo(409);
    assertThat(response.body()).contains("{\"error\":{\"code\":\"Conflict\",\"message\":\"File already exists\"}", "\"requestId\"");
  }

  @Test
  void overwriteIfHashReplacesOnlyAFileWithThatHash() throws Exception {
    koofr.store("Koofr", "/a.jpg", new byte[] {1});

    HttpResponse<String> other = put("/", "a.jpg", "&overwriteIfHash=00000000000000000000000000000000");

    assertThat(other.statusCode()).isEqualTo(409);
    assertThat(other.body()).contains("Overwrite if hash does not match");
    assertThat(koofr.read("Koofr", "/a.jpg")).hasValue(new byte[] {1});
  }

  @Test
  void aMissingPathIs404AndAWrongPasswordIs401() throws Exception {
    HttpResponse<String> missing = send(request("/api/v2/mounts/" + mountId + "/files/info?path=/nope", FakeKoofr.APP_PASSWORD).GET());
    HttpResponse<String> refused = send(request("/api/v2/mounts", "wrong").GET());

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"code\":\"NotFound\"");
    assertThat(refused.statusCode()).isEqualTo(401);
  }

  private HttpResponse<String> put(String folder, String name, String options) throws Exception {
    String boundary = "b0undary";
    String body =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\nnew bytes\r\n--"
            + boundary + "--\r\n";
    return send(
        request(
                "/content/api/v2/mounts/" + mountId + "/files/put?path=" + folder + "&filename=" + name + "&info=true" + options,
                FakeKoofr.APP_PASSWORD)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpRequest.Builder request(String pathAndQuery, String password) {
    String credentials = FakeKoofr.EMAIL + ":" + password;
    return HttpRequest.newBuilder(URI.create(koofr.endpoint() + pathAndQuery))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
