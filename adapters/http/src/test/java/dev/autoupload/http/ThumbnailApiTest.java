package dev.autoupload.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.engine.testing.InMemorySource;
import dev.autoupload.engine.testing.InMemoryTarget;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/thumbnails/{library}/{assetId}} on a real engine: every recent upload's {@code
 * thumbnailUrl} answers a JPEG of at most 320 px with the token, 401 without, 404 for an asset the
 * Activity view does not know; made once, kept under the data dir, never sent to the target.
 */
class ThumbnailApiTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void everyRecentUploadHasAThumbnailBehindTheToken() throws Exception {
    InMemorySource camera = new InMemorySource("camera");
    byte[] photo = ThumbnailsTest.encode(ThumbnailsTest.picture(1600, 1200, Color.GREEN), "jpeg");
    camera.add("DCIM/IMG_0001.JPG", 1);
    camera.rewrite("DCIM/IMG_0001.JPG", photo);
    camera.add("DCIM/IMG_0002.MOV", 5000);
    InMemoryTarget target = new InMemoryTarget();
    try (UploadEngine engine =
            EngineInternals.start(ConfigFactory.parseMap(Map.of("autoupload.data-dir", dataDir.toString())));
        HttpControlServer server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0)) {
      TestClient client = TestClient.of(server, dataDir);
      engine.addLibrary(new Library("camera", camera, target)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      JsonNode items =
          await()
              .atMost(TIMEOUT)
              .until(() -> client.getJson("/api/activity?limit=10").get("items"), page -> page.size() == 2);
      Map<String, String> urls = new HashMap<>();
      items.forEach(item -> urls.put(item.get("path").asText(), item.get("thumbnailUrl").asText()));
      String photoUrl = urls.get("DCIM/IMG_0001.JPG");
      assertThat(photoUrl).startsWith("/api/thumbnails/camera/");

      assertThat(client.send(client.request(photoUrl).GET()).statusCode()).as("without the token").isEqualTo(401);

      BufferedImage thumbnail = jpeg(client, photoUrl);
      assertThat(thumbnail.getWidth()).isEqualTo(320);
      assertThat(thumbnail.getHeight()).isEqualTo(240);
      assertThat(new Color(thumbnail.getRGB(160, 120)).getGreen()).isGreaterThan(200);
      BufferedImage tile = jpeg(client, urls.get("DCIM/IMG_0002.MOV"));
      assertThat(Math.max(tile.getWidth(), tile.getHeight())).isLessThanOrEqualTo(320);

      String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(photo));
      Path kept = dataDir.resolve("thumbnails").resolve(sha256 + ".jpg");
      assertThat(kept).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.getParent()))).isEqualTo("rwx------");
      assertThat(target.files()).as("only the originals are backed up").hasSize(2);

      int opens = camera.opens();
      assertThat(jpeg(client, photoUrl).getWidth()).isEqualTo(320);
      assertThat(camera.opens()).as("the second time from the data dir").isEqualTo(opens);

      for (String unknown :
          List.of(
              "/api/thumbnails/camera/no-such-asset",
              "/api/thumbnails/elsewhere/" + photoUrl.substring(photoUrl.lastIndexOf('/') + 1),
              "/api/thumbnails/camera/..%2F..%2Fhttp-token")) {
        HttpResponse<String> missing = client.get(unknown);
        assertThat(missing.statusCode()).as(unknown).isEqualTo(404);
        assertThat(TestClient.json(missing).get("error").asText()).contains("no asset");
      }
    }
  }

  private static BufferedImage jpeg(TestClient client, String path) throws Exception {
    HttpResponse<byte[]> response = client.send(client.authorized(path).GET(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertThat(image).as(path).isNotNull();
    return image;
  }
}
