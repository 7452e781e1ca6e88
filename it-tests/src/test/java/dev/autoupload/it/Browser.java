package dev.autoupload.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven through Debian's chromedriver: Selenium Manager cannot download
 * drivers or browsers here, so both are named explicitly. Waits poll the page, never sleep.
 */
final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ChromeDriver driver;
  private final Path screenshots;

  private Browser(ChromeDriver driver, Path screenshots) {
    this.driver = driver;
    this.screenshots = screenshots;
  }

  /**
   * Starts Chromium with a fresh profile in {@code profile} (an empty or missing folder), saving
   * screenshots to {@code screenshots}.
   */
  static Browser start(Path profile, Path screenshots) throws IOException {
    for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      assertThat(Files.isExecutable(binary))
          .as(binary + " is missing: install the Debian packages chromium and chromium-driver (.ci/run does)")
          .isTrue();
    }
    Files.createDirectories(profile);
    Files.createDirectories(screenshots);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                // --no-sandbox: tests run as root, where Chromium's sandbox refuses to start.
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                // Without these Chromium keeps trying to reach Google's servers.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--lang=en-US",
                "--window-size=1200,1400",
                "--user-data-dir=" + profile.toAbsolutePath());
    return new Browser(new ChromeDriver(service, options), screenshots);
  }

  void open(URI url) {
    driver.get(url.toString());
  }

  WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  List<WebElement> findAll(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  Object script(String javascript, Object... arguments) {
    return driver.executeScript(javascript, arguments);
  }

  /** Waits for a visible element matching {@code locator}. */
  WebElement waitFor(String what, By locator) {
    return waiting(what).until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  /** Waits for a visible element matching {@code css} with text, and returns that text. */
  String waitForText(String what, String css) {
    return waitUntil(
        what,
        () -> {
          List<WebElement> found = findAll(css);
          if (found.isEmpty() || !found.get(0).isDisplayed()) {
            return null;
          }
          String text = found.get(0).getText();
          return text.isBlank() ? null : text;
        });
  }

  /** Waits until {@code probe} gives something other than null (or false), and returns it. */
  <T> T waitUntil(String what, Supplier<T> probe) {
    return waiting(what).until(driver -> probe.get());
  }

  private WebDriverWait waiting(String what) {
    WebDriverWait wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    wait.withMessage(() -> "waiting for " + what + " on " + driver.getCurrentUrl());
    // The page replaces list items as it refreshes: an element gone mid-look is looked for again.
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** Saves the viewport as {@code <name>.png} and returns where. */
  Path screenshot(String name) {
    Path file = screenshots.resolve(name + ".png");
    try {
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
