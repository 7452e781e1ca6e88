package dev.autoupload.it;

import static dev.autoupload.it.MediaFiles.KIB;
import static dev.autoupload.it.MediaFiles.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.autoupload.engine.UploadEngine;
import dev.autoupload.engine.library.Library;
import dev.autoupload.http.HttpControlServer;
import dev.autoupload.sources.folder.FolderSource;
import dev.autoupload.targets.local.LocalFolderTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
    MediaFiles.write(photos.resolve(NEW_PHOTO), 48 * KIB, random);
    MediaFiles.write(photos.resolve(OLD_PHOTO), 32 * KIB, random);
    MediaFiles.write(photos.resolve(VIDEO), VIDEO_BYTES, random);
    Files.setLastModifiedTime(photos.resolve(OLD_PHOTO), FileTime.from(OLD_PHOTO_TAKEN));
    // Another device's photo under the old photo's remote name: both are kept, and the page says so.
    MediaFiles.write(tmp.resolve("backup/2023/06/" + OLD_PHOTO), 16 * KIB, new SplittableRandom(6));
    // Taken earlier today, so already settled: the folder source offers it at once, in name order.
    Files.setLastModifiedTime(photos.resolve(NEW_PHOTO), FileTime.from(Instant.now().minusSeconds(600)));

    engine =
        UploadEngine.start(
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
    assertThat(browser.waitForText("the pause reason", "#reasons li[data-reason='USER_PAUSED']")).isEqualTo("Paused by you");
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
    browser.waitFor("three backed up", By.xpath("//*[@id='counts']//*[@data-count='completed' and normalize-space()='3']"));
    assertThat(browser.find("#failed-empty").isDisplayed()).as("'No failures.' shown").isTrue();
    browser.screenshot("3-recent-uploads");

    browser.find("#pause").click();
    browser.waitFor("the paused state again", By.cssSelector("#state[data-state='paused']"));
    assertThat(browser.waitForText("the pause reason again", "#reasons li[data-reason='USER_PAUSED']")).isEqualTo("Paused by you");
    assertThat(recent()).extracting(Recent::path).containsExactly(VIDEO, OLD_PHOTO, NEW_PHOTO_SHOWN);
    assertThat(browser.script("return window.autouploadTestMarker;")).as("the page was never reloaded").isEqualTo("same page");
    browser.screenshot("4-paused-again");

    System.out.printf(
        "ActivityPageIT: logged in and paused after %.1f s, bar moved %d%% -> %d%% %.1f s after that, "
            + "video at the top of recent uploads %.1f s after that; screenshots in %s%n",
        seconds(started, loggedIn), first.value(), later.value(), seconds(loggedIn, moved), seconds(moved, finished), screenshotDir());
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
