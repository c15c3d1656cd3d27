package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from Debian's packages, driven through Debian's chromedriver. {@code ops/chromium.sh}
 * installs both when missing; when it cannot, the test fails with its words (a browser test that
 * cannot run must not pass by skipping).
 */
final class Browser {

  /**
   * Where the screenshots go: target/screenshots, so a test run changes no file in git; with
   * {@code -Dconsole.screenshots=screenshots} the committed folder the README shows, to renew its pictures.
   */
  static final Path SCREENSHOTS = Path.of(System.getProperty("console.screenshots", "target/screenshots"));
  private static final Path SCRIPT = Path.of("..", "chromium.sh");
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** The tallest page a screenshot takes in. */
  private static final int MAX_SCREENSHOT_HEIGHT = 4_000;

  private Browser() {}

  /** The browser and its driver, installed by ops/chromium.sh when missing. */
  static List<String> installed() throws IOException, InterruptedException {
    Process script = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(false).start();
    byte[] errors;
    byte[] out;
    try (var stderr = script.getErrorStream(); var stdout = script.getInputStream()) {
      // Installing may print a lot to stderr: read it on its own thread so the script never blocks on a full pipe.
      var errorText = new java.util.concurrent.CompletableFuture<byte[]>();
      Thread reader = new Thread(() -> {
        try {
          errorText.complete(stderr.readAllBytes());
        } catch (IOException e) {
          errorText.complete(new byte[0]);
        }
      }, "chromium-sh-stderr");
      reader.start();
      out = stdout.readAllBytes();
      if (!script.waitFor(20, TimeUnit.MINUTES)) {
        script.destroyForcibly();
        fail("ops/chromium.sh did not finish installing chromium within 20 minutes");
      }
      errors = errorText.join();
    }
    String said = new String(errors, StandardCharsets.UTF_8);
    if (script.exitValue() != 0) {
      fail("The browser tests need Debian's chromium and chromium-driver, and ops/chromium.sh could not install them "
          + "(exit " + script.exitValue() + "):\n" + said);
    }
    List<String> paths = Arrays.stream(new String(out, StandardCharsets.UTF_8).split("\n")).map(String::strip)
        .filter(line -> !line.isEmpty()).toList();
    if (paths.size() != 2) fail("ops/chromium.sh printed no browser and driver path:\n" + said);
    return paths;
  }

  /**
   * A headless browser at desktop width. Its temporary files go under target/, not /tmp: Chromium
   * leaves a directory there for its singleton socket each time it runs.
   */
  static ChromeDriver open(List<String> installed) throws IOException {
    Path temporary = Files.createDirectories(Path.of("target", "chromium-tmp")).toAbsolutePath();
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(installed.get(1))).usingAnyFreePort()
        .withEnvironment(Map.of("TMPDIR", temporary.toString())).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(installed.get(0));
    // As root (the test machines) Chromium needs --no-sandbox; /dev/shm is small in containers.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1000", "--lang=en-US");
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return driver;
  }

  /** The whole page at the window's width into {@code SCREENSHOTS/name.png}, checked to be a non-empty PNG. */
  static Path screenshot(ChromeDriver driver, String name) throws IOException {
    Dimension before = driver.manage().window().getSize();
    ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");  // from the page's top, also after a #section link
    long height = (Long) ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
    driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(MAX_SCREENSHOT_HEIGHT, height + 120)));
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    driver.manage().window().setSize(before);
    assertTrue(png.length > 1_000, "screenshot " + name + " is " + png.length + " bytes");
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, PNG_SIGNATURE.length), "screenshot " + name + " is no PNG");
    Path file = Files.createDirectories(SCREENSHOTS).resolve(name + ".png");
    Files.write(file, png);
    assertTrue(Files.size(file) > 1_000, file + " is empty");
    return file;
  }
}
