package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.EngineStatus;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.internal.EngineInternals;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The Activity page in headless Chromium, against an engine and its control endpoint running in
 * this JVM: log in, see why nothing moves while paused, watch a file's progress bar fill live, then
 * find it at the top of recent uploads, newest upload first whenever the photo was taken.
 * Screenshots go to {@code target/screenshots/}.
 */
class ActivityPageIT {

  private static final String LIBRARY = "camera";
  /** Uploaded one at a time (parallelism 1) in name order, so the order of Recent is known. */
  private static final String NEW_PHOTO = "IMG_0001 \u202Egpj.exe.jpg";
  /** How the page shows it: the right-to-left override that would make it read "….exe" shown, not obeyed. */
  private static final String NEW_PHOTO_SHOWN = "IMG_0001 <U+202E>gpj.exe.jpg";
  private static final String OLD_PHOTO = "IMG_0002.jpg";
  private static final String VIDEO = "VID_0003.mov";
  private static final long VIDEO_BYTES = 7L * MIB;
  /** When the old photo was taken (its modification time: the folder source's creation date). */
  private static final Instant OLD_PHOTO_TAKEN = Instant.parse("2023-06-15T12:00:00Z");

  @TempDir Path tmp;
  private UploadEngine engine;
  private HttpControlServer server;
  private Browser browser;

  /** Runs before {@link #stop()} quits the browser, so a failure leaves a picture of the page. */
  @RegisterExtension
  final AfterTestExecutionCallback screenshotOnFailure =
      context -> {
        if (context.getExecutionException().isPresent() && browser != null) {
          browser.screenshot("failure");
        }
      };

  @BeforeEach
  void start() throws Exception {
    Files.deleteIfExists(screenshotDir().resolve("failure.png"));
    Path photos = tmp.resolve("photos");
    Path dataDir = tmp.resolve("data");
    SplittableRandom random = new SplittableRandom(5);
    // Real pictures, so the page shows real thumbnails: the old photo carries the small one a
    // camera embeds in EXIF, the new one has none and is scaled down.
    Files.createDirectories(photos);
    Files.write(photos.resolve(NEW_PHOTO), jpeg(picture(1600, 1200, Color.GREEN)));
    Files.write(photos.resolve(OLD_PHOTO), withExifThumbnail(jpeg(picture(2000, 1500, Color.BLUE)), jpeg(picture(160, 120, Color.RED))));
    MediaFiles.write(photos.resolve(VIDEO), VIDEO_BYTES, random);
    // Not photos or videos: passed over, and the page says so.
    Files.writeString(photos.resolve("Rechnung.pdf"), "an invoice");
    Files.writeString(photos.resolve("readme.txt"), "notes");
    Files.setLastModifiedTime(photos.resolve(OLD_PHOTO), FileTime.from(OLD_PHOTO_TAKEN));
    // Another device's photo under the old photo's remote name: both are kept, and the page says so.
    MediaFiles.write(tmp.resolve("backup/2023/06/" + OLD_PHOTO), 16 * KIB, new SplittableRandom(6));
    // Taken earlier today, so already settled: the folder source offers it at once, in name order.
    Files.setLastModifiedTime(photos.resolve(NEW_PHOTO), FileTime.from(Instant.now().minusSeconds(600)));

    engine =
        EngineInternals.start(
            ConfigFactory.parseMap(
                Map.of(
                    "autoupload.data-dir", dataDir.toString(),
                    // About seven seconds for the video: long enough to watch its bar move.
                    "autoupload.policy.bandwidth-limit", "1MiB",
                    "autoupload.upload.parallelism", 1,
                    // As the folder lists them, by name: the order of Recent is then known.
                    "autoupload.queue.order", "found")));
    // Paused before the library is added, so nothing is sent until the test clicks Resume.
    engine.pause().toCompletableFuture().get(30, TimeUnit.SECONDS);
    engine
        .addLibrary(new Library(LIBRARY, new FolderSource(LIBRARY, photos), new LocalFolderTarget(tmp.resolve("backup"))))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    server = HttpControlServer.start(engine, dataDir, "127.0.0.1", 0);
    browser = Browser.start(tmp.resolve("chromium-profile"), screenshotDir());
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void showsWhyItIsPausedThenAFileFillingLiveThenItAtTheTopOfRecentUploads() throws Exception {
    long started = System.nanoTime();
    // The scan waits for the video, just written, to settle: the page opens on all three queued.
    browser.waitUntil(
        "the scan to queue all three files",
        () -> {
          EngineStatus status = engine.status().toCompletableFuture().join();
          return !status.libraries().get(0).scanning() && status.libraries().get(0).queued() == 3 ? true : null;
        });
    browser.open(server.url());

    browser.waitFor("the login form", By.cssSelector("#login-panel:not([hidden]) form#login-form"));
    browser.find("input#token").sendKeys("not-the-token");
    browser.find("button#login").click();
    assertThat(browser.waitForText("the login error", "#login-error")).isEqualTo("That token is not right.");

    browser.find("input#token").clear();
    browser.find("input#token").sendKeys(Files.readString(server.tokenFile()).trim());
    browser.find("button#login").click();
    browser.waitFor("the live event stream", By.cssSelector("#connection[data-connected='true']"));
    assertThat(browser.find("#login-panel").isDisplayed()).as("login panel shown after login").isFalse();
    assertThat(browser.find("#dashboard").isDisplayed()).as("dashboard shown after login").isTrue();
    // Set once, checked at the end: a reload of the page would lose it.
    browser.script("window.autouploadTestMarker = 'same page';");

    browser.waitFor("the paused state", By.cssSelector("#state[data-state='paused']"));
    // The issue this answers: paused, the page said "Waiting 0" with three files waiting.
    assertThat(assertCountsAgree()).isEqualTo(new Counts(3, 0, 0, 3, 0, 0));
    browser.waitUntil("the chart's backlog of three this hour", () -> "3".equals(lastBacklog()) ? true : null);
    assertThat(browser.waitForText("the pause reason", "#reasons li[data-reason='USER_PAUSED']")).isEqualTo("Paused by you");
    assertThat(browser.waitForText("what the scan passed over", "#not-offered li[data-not-offered='" + LIBRARY + "']"))
        .isEqualTo(
            "2 files under " + tmp.resolve("photos")
                + " are not a photo or video by extension and were not backed up (.pdf 1, .txt 1)");
    assertThat(browser.find("#state").getText()).isEqualTo("Paused");
    assertThat(browser.find("#pause").isEnabled()).as("#pause enabled while paused").isFalse();
    assertThat(browser.find("#resume").isEnabled()).as("#resume enabled while paused").isTrue();
    browser.screenshot("1-logged-in-paused");
    long loggedIn = System.nanoTime();

    browser.find("#resume").click();
    WebElement videoBar =
        browser.waitUntil(
            "the video's progress bar above 0", () -> progressBar(VIDEO).filter(bar -> read(bar).value() > 0).orElse(null));
    Bar first = read(videoBar);
    assertThat(first.size()).isEqualTo(VIDEO_BYTES);
    assertThat(first.value()).isLessThan(100);
    browser.waitFor("the running state", By.cssSelector("#state[data-state='running']"));
    // The same element, filled further by the event stream: no reload, no re-render.
    Bar later =
        browser.waitUntil(
            "the video's progress bar to move past " + first,
            () -> {
              Bar now = read(videoBar);
              return now.value() > first.value() && now.offset() > first.offset() ? now : null;
            });
    assertThat(later.percentText()).startsWith(later.value() + "% — ").endsWith(" of 7.0 MiB");
    // The counts come from the Activity read model, which trails the engine by a moment.
    browser.waitFor("one uploading", By.xpath("//*[@id='counts']//*[@data-count='uploading' and normalize-space()='1']"));
    Counts midRun = assertCountsAgree();
    assertThat(midRun.found()).isEqualTo(3);
    assertThat(midRun.backedUp()).as("the two photos go first: %s", midRun).isEqualTo(2);
    browser.screenshot("2-uploading");
    long moved = System.nanoTime();

    List<Recent> recent =
        browser.waitUntil(
            "the video first in recent uploads",
            () -> {
              List<Recent> items = recent();
              return !items.isEmpty() && items.get(0).path().equals(VIDEO) ? items : null;
            });
    long finished = System.nanoTime();
    // Newest upload first: the 2023 photo, uploaded after IMG_0001, is listed above it although
    // IMG_0001 was taken today.
    assertThat(recent).extracting(Recent::path).containsExactly(VIDEO, OLD_PHOTO, NEW_PHOTO_SHOWN);
    Recent video = recent.get(0);
    Recent oldPhoto = recent.get(1);
    Recent newPhoto = recent.get(2);
    assertThat(oldPhoto.createdAt()).isEqualTo(OLD_PHOTO_TAKEN);
    assertThat(oldPhoto.createdText()).startsWith("Taken ").contains("2023");
    assertThat(newPhoto.createdAt()).isAfter(oldPhoto.createdAt());
    assertThat(newPhoto.createdText()).startsWith("Taken ").doesNotContain("2023");
    assertThat(video.uploadedAt()).isAfterOrEqualTo(oldPhoto.uploadedAt()).isAfter(video.createdAt());
    assertThat(oldPhoto.uploadedAt()).isAfterOrEqualTo(newPhoto.uploadedAt());
    assertThat(video.uploadedText()).startsWith("Uploaded ");
    assertThat(oldPhoto.note()).contains("a different file already exists at 2023/06/" + OLD_PHOTO).endsWith("keeping both");
    assertThat(newPhoto.note()).isEmpty();
    browser.waitUntil("nothing left uploading", () -> browser.findAll("#uploads li.upload").isEmpty() ? true : null);
    assertThat(browser.find("#uploads-empty").isDisplayed()).isTrue();
    browser.waitFor("three backed up", By.xpath("//*[@id='counts']//*[@data-count='backedUp' and normalize-space()='3']"));
    assertThat(assertCountsAgree()).isEqualTo(new Counts(3, 3, 0, 0, 0, 0));
    Map<String, Long> widths =
        browser.waitUntil("every thumbnail loaded", () -> thumbnailWidths().size() == 3 ? thumbnailWidths() : null);
    assertThat(widths)
        .as("the EXIF thumbnail as it is, the photo scaled to 320 px, the video's tile")
        .containsEntry(OLD_PHOTO, 160L)
        .containsEntry(NEW_PHOTO_SHOWN, 320L)
        .containsEntry(VIDEO, 320L);
    assertThat(((Number) browser.script("return document.querySelectorAll('#hours svg rect.bar').length;")).intValue())
        .as("a bar per hour of the last 24")
        .isEqualTo(24);
    browser.waitUntil("the chart's backlog down to none", () -> "0".equals(lastBacklog()) ? true : null);
    browser.waitUntil(
        "the chart's last hour to hold the three backups",
        () -> "3".equals(browser.script("const bars = document.querySelectorAll('#hours svg rect.bar'); return bars[bars.length - 1].dataset.backedUp;")) ? true : null);
    assertThat(browser.find("#failed-empty").isDisplayed()).as("'No failures.' shown").isTrue();
    browser.screenshot("3-recent-uploads");

    browser.find("#pause").click();
    browser.waitFor("the paused state again", By.cssSelector("#state[data-state='paused']"));
    assertThat(browser.waitForText("the pause reason again", "#reasons li[data-reason='USER_PAUSED']")).isEqualTo("Paused by you");
    assertThat(recent()).extracting(Recent::path).containsExactly(VIDEO, OLD_PHOTO, NEW_PHOTO_SHOWN);
    assertThat(assertCountsAgree()).isEqualTo(new Counts(3, 3, 0, 0, 0, 0));
    assertThat(browser.script("return window.autouploadTestMarker;")).as("the page was never reloaded").isEqualTo("same page");
    browser.screenshot("4-paused-again");

    System.out.printf(
        "ActivityPageIT: logged in and paused after %.1f s, bar moved %d%% -> %d%% %.1f s after that, "
            + "video at the top of recent uploads %.1f s after that; screenshots in %s%n",
        seconds(started, loggedIn), first.value(), later.value(), seconds(loggedIn, moved), seconds(moved, finished), screenshotDir());
  }

  /** The header's "X of N files found are backed up" and the counters beside it, read at one instant. */
  private record Counts(long found, long backedUp, long uploading, long waiting, long failed, long skipped) {}

  /** The counts as the page shows them, after checking that the header says the same as the counters. */
  private Counts assertCountsAgree() {
    List<?> values =
        (List<?>)
            browser.script(
                "const summary = document.getElementById('summary');"
                    + "const count = (name) => Number(document.querySelector('#counts [data-count=\"' + name + '\"]').textContent);"
                    + "return [summary.textContent, Number(summary.dataset.found), Number(summary.dataset.backedUp),"
                    + "  count('backedUp'), count('uploading'), count('waiting'), count('failed'), count('skipped')];");
    String header = (String) values.get(0);
    long found = ((Number) values.get(1)).longValue();
    Counts shown =
        new Counts(
            found,
            ((Number) values.get(3)).longValue(),
            ((Number) values.get(4)).longValue(),
            ((Number) values.get(5)).longValue(),
            ((Number) values.get(6)).longValue(),
            ((Number) values.get(7)).longValue());
    assertThat(header).as("the header").startsWith(shown.backedUp() + " of " + found + " files found are backed up");
    assertThat(((Number) values.get(2)).longValue()).as("the header's backed up, %s", shown).isEqualTo(shown.backedUp());
    assertThat(shown.backedUp() + shown.uploading() + shown.waiting() + shown.failed() + shown.skipped())
        .as("every file found in one counter: %s", shown)
        .isEqualTo(found);
    return shown;
  }

  /** The backlog the chart shows for the current hour, or null before it shows one. */
  private String lastBacklog() {
    return (String)
        browser.script(
            "const dots = document.querySelectorAll('#hours svg circle.backlog-dot');"
                + "return dots.length === 0 ? null : dots[dots.length - 1].dataset.backlog;");
  }

  /** The natural width of each recent upload's thumbnail that has loaded, by the path shown. */
  private Map<String, Long> thumbnailWidths() {
    List<?> rows =
        (List<?>)
            browser.script(
                "return Array.from(document.querySelectorAll('#recent li[data-asset-id]'), (item) => {"
                    + "  const img = item.querySelector('img.thumbnail');"
                    + "  return [item.querySelector('.path').firstChild.textContent, img && img.complete ? img.naturalWidth : 0];"
                    + "});");
    Map<String, Long> widths = new java.util.TreeMap<>();
    for (Object row : rows) {
      List<?> cells = (List<?>) row;
      long width = ((Number) cells.get(1)).longValue();
      if (width > 0) {
        widths.put(((String) cells.get(0)).strip(), width);
      }
    }
    return widths;
  }

  // ---- real pictures ----

  private static BufferedImage picture(int width, int height, Color color) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(color);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return image;
  }

  private static byte[] jpeg(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpeg", out);
    return out.toByteArray();
  }

  /** {@code jpeg} with an APP1 EXIF segment whose IFD1 holds {@code thumbnail}, as cameras write it. */
  private static byte[] withExifThumbnail(byte[] jpeg, byte[] thumbnail) {
    int ifd0 = 8;
    int ifd1 = ifd0 + 2 + 12 + 4;
    int data = ifd1 + 2 + 3 * 12 + 4;
    ByteBuffer tiff = ByteBuffer.allocate(data + thumbnail.length);
    tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(ifd0);
    tiff.putShort((short) 1).putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 1).putShort((short) 0);
    tiff.putInt(ifd1);
    tiff.putShort((short) 3);
    tiff.putShort((short) 0x0103).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0);
    tiff.putShort((short) 0x0201).putShort((short) 4).putInt(1).putInt(data);
    tiff.putShort((short) 0x0202).putShort((short) 4).putInt(1).putInt(thumbnail.length);
    tiff.putInt(0);
    tiff.put(thumbnail);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int length = 2 + 6 + tiff.capacity();
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length});
    out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
    out.writeBytes(tiff.array());
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  /** The progress bar of the upload of {@code path} in "Uploading now", if it is listed. */
  private Optional<WebElement> progressBar(String path) {
    return Optional.ofNullable(
        (WebElement)
            browser.script(
                "for (const row of document.querySelectorAll('#uploads li.upload[data-asset-id]')) {"
                    + "  if (row.querySelector('.path').textContent === arguments[0]) return row.querySelector('progress');"
                    + "}"
                    + "return null;",
                path));
  }

  /** An entry of "Recent uploads". */
  private record Recent(
      String path, Instant uploadedAt, String uploadedText, Instant createdAt, String createdText, String note) {}

  /** "Recent uploads" top to bottom, read at one instant: the page re-renders the list as it refreshes. */
  private List<Recent> recent() {
    List<?> rows =
        (List<?>)
            browser.script(
                "return Array.from(document.querySelectorAll('#recent li[data-asset-id]'), (item) => {"
                    + "  const uploaded = item.querySelector('time.uploaded-at');"
                    + "  const created = item.querySelector('time.created-at');"
                    + "  return [item.querySelector('.path').textContent, uploaded.dateTime, uploaded.textContent,"
                    + "          created.dateTime, created.textContent,"
                    + "          item.querySelector('.note') ? item.querySelector('.note').textContent : ''];"
                    + "});");
    return rows.stream()
        .map(row -> (List<?>) row)
        .map(
            row ->
                new Recent(
                    (String) row.get(0),
                    Instant.parse((String) row.get(1)),
                    (String) row.get(2),
                    Instant.parse((String) row.get(3)),
                    (String) row.get(4),
                    (String) row.get(5)))
        .toList();
  }

  /** A progress bar and the text beside it, read at one instant. */
  private record Bar(int value, long offset, long size, String percentText) {
    @Override
    public String toString() {
      return value + "% (" + offset + " of " + size + " bytes)";
    }
  }

  private Bar read(WebElement progress) {
    List<?> values =
        (List<?>)
            browser.script(
                "const bar = arguments[0];"
                    + "return [bar.value, bar.dataset.offset, bar.dataset.size,"
                    + " bar.closest('li').querySelector('.percent').textContent];",
                progress);
    return new Bar(
        ((Number) values.get(0)).intValue(),
        Long.parseLong((String) values.get(1)),
        Long.parseLong((String) values.get(2)),
        (String) values.get(3));
  }

  private static Path screenshotDir() {
    return Path.of(System.getProperty("basedir", ".")).resolve("target").resolve("screenshots");
  }

  private static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }
}
