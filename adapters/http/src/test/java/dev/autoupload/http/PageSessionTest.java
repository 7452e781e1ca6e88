package dev.autoupload.http;

import static dev.autoupload.http.TestClient.error;
import static dev.autoupload.http.TestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.autoupload.engine.UploadEngine;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Activity page: served from the jar, logged in with the token, its session CSRF-proof. */
class PageSessionTest {

  private static final Pattern ASSET_REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]*)\"");

  @TempDir static Path dataDir;
  private static UploadEngine engine;
  private static HttpControlServer server;
  private static TestClient client;

  @BeforeAll
  static void start() throws Exception {
    engine = UploadEngine.start(dataDir);
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    client = TestClient.of(server, dataDir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void thePageIsServedWithoutATokenAndHasTheElementsABrowserTestUses() {
    HttpResponse<String> page = client.send(client.request("/").GET());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body())
        .contains(
            "id=\"login-form\"", "id=\"token\"", "id=\"login\"", "id=\"login-error\"", "id=\"dashboard\"",
            "id=\"state\"", "id=\"reasons\"", "id=\"pause\"", "id=\"resume\"", "id=\"uploads\"", "id=\"recent\"",
            "id=\"counts\"", "id=\"failed\"", "id=\"connection\"", "id=\"rate\"", "id=\"logout\"")
        .doesNotContain("<script>", "style=\"");
    assertThat(client.send(client.request("/app.js").GET()).body())
        .contains("#uploads .upload", "progress", "uploaded-at", "created-at", "/api/events");
    HttpResponse<String> css = client.send(client.request("/app.css").GET());
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/css"));
  }

  @Test
  void thePageLoadsNothingFromTheInternet() {
    for (String asset : List.of("/", "/app.js", "/app.css")) {
      String body = client.send(client.request(asset).GET()).body();
      assertThat(body).as(asset).doesNotContainPattern("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}").doesNotContain("@import");
    }
    Matcher references = ASSET_REFERENCE.matcher(client.send(client.request("/").GET()).body());
    while (references.find()) {
      assertThat(references.group(1)).startsWith("/");
      assertThat(client.send(client.request(references.group(1)).GET()).statusCode()).as(references.group(1)).isEqualTo(200);
    }
  }

  @Test
  void aWrongTokenDoesNotLogIn() {
    HttpResponse<String> response = login("wrong-" + client.token());

    assertThat(error(response, 401)).isEqualTo("wrong token");
    assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(error(client.send(client.request("/login").header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("nothing=here"))), 400)).contains("token");
  }

  @Test
  void loggingInGivesAnHttpOnlyStrictCookieThatOpensTheApi() {
    HttpResponse<String> response = login(client.token());

    assertThat(response.statusCode()).isEqualTo(200);
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith(Sessions.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/");
    assertThat(setCookie).doesNotContain(client.token());
    String csrf = json(response).get("csrfToken").asText();
    String cookie = cookie(response);

    assertThat(client.send(client.request("/api/status").header("Cookie", cookie)).statusCode()).isEqualTo(200);
    JsonNode session = json(client.send(client.request("/api/session").header("Cookie", cookie)));
    assertThat(session.get("auth").asText()).isEqualTo("cookie");
    assertThat(session.get("csrfToken").asText()).isEqualTo(csrf);
    HttpResponse<java.util.stream.Stream<String>> events =
        client.send(client.request("/api/events").header("Cookie", cookie), HttpResponse.BodyHandlers.ofLines());
    assertThat(events.statusCode()).isEqualTo(200);
    events.body().close();
  }

  @Test
  void aStateChangeWithTheCookieButWithoutTheCsrfTokenIs403() {
    HttpResponse<String> response = login(client.token());
    String cookie = cookie(response);
    String csrf = json(response).get("csrfToken").asText();

    assertThat(error(client.send(client.request("/api/pause").header("Cookie", cookie).POST(HttpRequest.BodyPublishers.noBody())), 403))
        .contains("X-CSRF-Token");
    assertThat(error(client.send(client.request("/api/pause").header("Cookie", cookie).header(Sessions.CSRF_HEADER, "guess")
        .POST(HttpRequest.BodyPublishers.noBody())), 403)).contains("X-CSRF-Token");
    assertThat(error(client.send(client.request("/api/conditions").header("Cookie", cookie).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{}"))), 403)).contains("X-CSRF-Token");
    String otherSessionsCsrf = json(login(client.token())).get("csrfToken").asText();
    assertThat(client.send(client.request("/api/pause").header("Cookie", cookie).header(Sessions.CSRF_HEADER, otherSessionsCsrf)
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(403);

    assertThat(client.send(client.request("/api/pause").header("Cookie", cookie).header(Sessions.CSRF_HEADER, csrf)
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(204);
    assertThat(client.send(client.request("/api/resume").header("Cookie", cookie).header(Sessions.CSRF_HEADER, csrf)
        .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(204);
  }

  @Test
  void aBearerTokenNeedsNoCsrfToken() {
    assertThat(client.post("/api/resume").statusCode()).isEqualTo(204);
    JsonNode session = client.getJson("/api/session");
    assertThat(session.get("auth").asText()).isEqualTo("bearer");
    assertThat(session.get("csrfToken").isNull()).isTrue();
  }

  @Test
  void aWrongBearerTokenIsNotRescuedByAGoodCookie() {
    String cookie = cookie(login(client.token()));

    HttpResponse<String> response =
        client.send(client.request("/api/status").header("Cookie", cookie).header("Authorization", "Bearer wrong"));

    assertThat(response.statusCode()).isEqualTo(401);
  }

  @Test
  void loggingOutEndsTheSession() {
    HttpResponse<String> response = login(client.token());
    String cookie = cookie(response);
    String csrf = json(response).get("csrfToken").asText();

    HttpResponse<String> logout =
        client.send(client.request("/api/logout").header("Cookie", cookie).header(Sessions.CSRF_HEADER, csrf).POST(HttpRequest.BodyPublishers.noBody()));

    assertThat(logout.statusCode()).isEqualTo(204);
    assertThat(logout.headers().firstValue("Set-Cookie")).hasValueSatisfying(value -> assertThat(value).contains("Max-Age=0"));
    assertThat(error(client.send(client.request("/api/status").header("Cookie", cookie)), 401)).contains("log in again");
  }

  private static HttpResponse<String> login(String token) {
    return client.send(
        client.request("/login")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8))));
  }

  /** The {@code name=value} pair of the response's session cookie. */
  private static String cookie(HttpResponse<String> response) {
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }
}
