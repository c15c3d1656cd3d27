package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import dev.tally.client.UnauthenticatedException;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.ListApiKeysRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * An org's API keys in a real browser against a real node: its owner key makes a key (shown once, and it
 * works) and revokes it (and it stops working) on the org's page; its reader and metering keys see no keys
 * and a forged form of theirs makes none.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleKeysBrowserTest {

  private List<String> browserInstall;
  private Console console;
  private TallyClient admin;
  private ChromeDriver browser;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  void startConsole() throws Exception {
    browserInstall = Browser.installed();
    console = Console.startLocal(List.of(TestNode.address()), 0);
    admin = TallyClient.builder().nodes(TestNode.address()).apiKey(TestKeys.ADMIN).build();
  }

  @BeforeEach
  void openBrowser() throws IOException {
    browser = Browser.open(browserInstall);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) browser.quit();
  }

  @AfterAll
  void stopConsole() {
    if (console != null) console.close();
    if (admin != null) admin.close();
  }

  private String org() {
    String org = "keyed-" + UUID.randomUUID().toString().substring(0, 8);
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setDisplayName("Keyed").setPlan("payg").build());
    return org;
  }

  private String key(String role, String org) {
    return admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).build()).getKey();
  }

  private List<ApiKeyInfo> keysOf(String org) {
    return admin.accounts().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build()).getKeysList();
  }

  private String url(String path) {
    return console.url() + path.substring(1);
  }

  private void signIn(String org, String key) {
    browser.get(url("/signin"));
    browser.findElement(By.id("signin-org")).sendKeys(org);
    browser.findElement(By.id("signin-key")).sendKeys(key);
    browser.findElement(By.cssSelector("main button[type=submit]")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("available")));
  }

  private void awaitPage(org.openqa.selenium.support.ui.ExpectedCondition<?> condition) {
    try {
      new WebDriverWait(browser, Duration.ofSeconds(30)).until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("expected another page than " + browser.getCurrentUrl() + ":\n"
          + browser.findElement(By.tagName("body")).getText(), e);
    }
  }

  /** GetBalance of {@code org} with {@code key}: whether the node takes the key. */
  private boolean works(String key, String org) {
    try (TallyClient client = TallyClient.builder().nodes(TestNode.address()).apiKey(key).build()) {
      client.balance(org);
      return true;
    } catch (UnauthenticatedException e) {
      return false;
    }
  }

  @Test
  void anOwnerKeyMakesAKeyShownOnceThatWorksAndRevokesIt() throws Exception {
    String org = org();
    signIn(org, key("owner", org));
    assertTrue(browser.findElement(By.tagName("header")).getText().contains("owner key"));

    WebElement form = browser.findElement(By.cssSelector("form[action='" + Links.orgAction(org, "keys") + "']"));
    new Select(form.findElement(By.id("key-role"))).selectByVisibleText("metering");
    form.findElement(By.id("key-label")).sendKeys("chat service");
    form.findElement(By.cssSelector("button[type=submit]")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector("ul.secrets code")));
    String made = browser.findElement(By.cssSelector("ul.secrets code")).getText();
    assertTrue(made.startsWith("tk_"), made);
    assertTrue(works(made, org), "the key made on the page works");
    ApiKeyInfo info = keysOf(org).stream().filter(key -> key.getLabel().equals("chat service")).findFirst().orElseThrow();
    assertEquals("metering", info.getRole());
    Browser.screenshot(browser, "org-api-keys");

    browser.navigate().refresh();
    assertFalse(browser.getPageSource().contains(made), "the key is shown once");
    String table = browser.findElement(By.id("keys")).getText();
    assertTrue(table.contains(info.getHint()) && table.contains("chat service"), table);

    browser.findElement(By.cssSelector("button[aria-label='Revoke " + info.getHint() + "']")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.ok")));
    assertTrue(browser.findElement(By.cssSelector(".notice.ok")).getText().contains("Revoked key " + info.getKeyId()));
    assertFalse(works(made, org), "a revoked key is refused (the node that revoked it forgets it at once)");
  }

  @Test
  void readerAndMeteringKeysSeeNoKeysAndAForgedFormOfTheirsMakesNone() throws Exception {
    String org = org();
    int before = keysOf(org).size();
    for (String role : List.of("reader", "metering")) {
      signIn(org, key(role, org));
      assertTrue(browser.findElements(By.id("keys-h")).isEmpty(), role + " sees the org's keys");
      String session = browser.manage().getCookieNamed(Routes.SESSION_COOKIE).getValue();
      String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");
      HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(url(Links.orgAction(org, "keys"))))
          .header("Cookie", Routes.SESSION_COOKIE + "=" + session)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("csrf=" + csrf + "&role=owner&label=mine&request_id=" + UUID.randomUUID()))
          .build(), HttpResponse.BodyHandlers.ofString());
      // The node refused it: the form's notice says so (on a section this key does not see), the page goes on.
      assertEquals(303, forged.statusCode(), role);
      browser.manage().deleteAllCookies();
    }
    assertEquals(before + 2, keysOf(org).size(), "only the two keys the test made");
    assertThrows(dev.tally.client.PermissionDeniedException.class, () -> {
      try (TallyClient reader = TallyClient.builder().nodes(TestNode.address()).apiKey(key("reader", org)).build()) {
        reader.accounts().listApiKeys(ListApiKeysRequest.newBuilder().setOrgId(org).build());
      }
    });
  }
}
