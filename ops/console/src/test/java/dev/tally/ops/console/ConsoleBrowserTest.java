package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import dev.tally.node.auth.ApiKey;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (headless Chromium) against a real node on a real Cassandra: what an
 * org and an operator see and do, and what one org may never see of another.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {

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
  void openBrowser() {
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

  // ---- fixtures: orgs, credits and keys made through the API with the admin key ----

  private String org(String prefix, String displayName, long grantedMicros) {
    String org = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    admin.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setDisplayName(displayName).setPlan("payg").build());
    if (grantedMicros > 0) {
      admin.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setKind(GrantKind.PURCHASE)
          .setAmount(grantedMicros).build());
    }
    return org;
  }

  private String key(String role, String org) {
    return admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole(role).setOrgId(org).build()).getKey();
  }

  private long available(String org) {
    return admin.balance(org).getBalance().getAvailable();
  }

  // ---- the browser ----

  private String url(String path) {
    return console.url() + path.substring(1);
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  private void signIn(String org, String key) {
    browser.get(url("/signin"));
    browser.findElement(By.id("signin-org")).sendKeys(org);
    browser.findElement(By.id("signin-key")).sendKeys(key);
    browser.findElement(By.cssSelector("main button[type=submit]")).click();
    awaitPage(ExpectedConditions.or(
        ExpectedConditions.presenceOfElementLocated(By.id("available")),
        ExpectedConditions.presenceOfElementLocated(By.id("decide-h")),
        ExpectedConditions.presenceOfElementLocated(By.id("signin-refused"))));
  }

  /** Signs in with a key the console must accept. */
  private void signedIn(String org, String key) {
    signIn(org, key);
    List<WebElement> refusal = browser.findElements(By.id("signin-refused"));
    assertTrue(refusal.isEmpty(), () -> "sign-in refused: " + refusal.get(0).getText());
  }

  /** Waits for the page {@code condition} describes; when it does not come, fails with the page there is. */
  private void awaitPage(org.openqa.selenium.support.ui.ExpectedCondition<?> condition) {
    try {
      waiting().until(condition);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("expected another page than " + browser.getCurrentUrl() + ":\n"
          + browser.findElement(By.tagName("body")).getText(), e);
    }
  }

  private void signOut() {
    browser.findElement(By.cssSelector("header button[type=submit]")).click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("signin-key")));
  }

  /** The available balance the page shows, read back from its text into micro-credits. */
  private long shownAvailable() {
    return Credits.parse(browser.findElement(By.id("available")).getText());
  }

  private void submit(String formAction) {
    WebElement form = browser.findElement(By.cssSelector("form[action='" + formAction + "']"));
    form.findElement(By.cssSelector("button[type=submit]")).click();
  }

  private String sessionCookie() {
    return browser.manage().getCookieNamed(Routes.SESSION_COOKIE).getValue();
  }

  private HttpResponse<String> get(String path, String session) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Cookie", Routes.SESSION_COOKIE + "=" + session)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String session, String form, String origin) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
        .header("Cookie", Routes.SESSION_COOKIE + "=" + session)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
    if (origin != null) request.header("Origin", origin);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  // ---- the tests ----

  @Test
  void anOrgKeySeesTheBalanceGetBalanceReportsAndNamesStayText() throws Exception {
    String name = "<img class=\"xss\" src=x onerror=\"document.title='owned'\"> Acme & Co";
    String org = org("acme", name, 1_234_500_000L);
    admin.charge(ChargeRequest.newBuilder().setOrgId(org).setAmount(250_000).build());
    signedIn(org, key("reader", org));

    assertEquals(available(org), shownAvailable(), "the page's available balance is GetBalance's");
    assertTrue(browser.findElement(By.id("available")).getText().contains(","), "thousands separated");
    assertEquals(name, browser.findElement(By.tagName("h1")).getText(), "the name shows as the text it is");
    assertTrue(browser.findElements(By.cssSelector("img.xss")).isEmpty(), "the name made no element");
    assertEquals(name + " · Tally console", browser.getTitle(), "no script of the name ran to change the title");
    assertTrue(browser.findElement(By.id("grants")).getText().contains("purchase"));
    assertTrue(browser.findElement(By.id("ledger-table")).getText().contains("credits charged"));
    assertTrue(browser.findElements(By.id("redeem-code")).isEmpty(), "a reader key is offered no redeem form");
    Browser.screenshot(browser, "org-view");

    browser.manage().window().setSize(new Dimension(390, 844));
    browser.navigate().refresh();
    long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assertTrue(overflow <= 0, "at phone width the page does not scroll sideways (" + overflow + " px)");
    Browser.screenshot(browser, "org-view-phone");
  }

  @Test
  void redeemingACodeRaisesTheBalanceShown() throws Exception {
    String org = org("redeemer", "Redeemer", 10_000_000L);
    String code = admin.accounts().createRedemptionCodes(CreateRedemptionCodesRequest.newBuilder()
        .setRequestId("batch-" + org).setCount(1).setCredits(25_000_000L).setLabel("console test").build()).getCodes(0);
    signedIn(org, key("metering", org));
    long before = shownAvailable();

    browser.findElement(By.id("redeem-code")).sendKeys(code);
    submit(Links.orgAction(org, "redeem"));
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.ok")));

    assertTrue(browser.findElement(By.cssSelector(".notice.ok")).getText().contains("25 credits added"));
    assertEquals(before + 25_000_000L, shownAvailable());
    assertEquals(available(org), shownAvailable());
    assertFalse(browser.getPageSource().contains(code), "the code is not echoed into the page");
    Browser.screenshot(browser, "org-redeemed");

    browser.findElement(By.id("redeem-code")).sendKeys("tc_wrongwrongwrongwrongwrongwrongw");
    submit(Links.orgAction(org, "redeem"));
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.error")));
    assertEquals(before + 25_000_000L, shownAvailable(), "a wrong code changes nothing");
  }

  @Test
  void anOrgKeyCannotLoadOrChangeAnotherOrgsPages() throws Exception {
    String victim = org("victim", "Victim Corp", 777_777_000L);
    String victimBalance = Credits.withSeparators(available(victim));
    String intruder = org("intruder", "Intruder", 0);
    signedIn(intruder, key("metering", intruder));
    String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");
    String session = sessionCookie();

    browser.get(url(Links.org(victim)));
    assertEquals("No permission", browser.findElement(By.tagName("h1")).getText());
    Browser.screenshot(browser, "no-permission");

    for (String path : List.of(Links.org(victim), Links.org(victim) + "?ledger=x", Links.OPERATOR, Links.usage(victim),
        Links.org(victim) + "/usage/csv", Links.statements(victim, ""), Links.org(victim) + "/statements/2026-12-01T00:00:00Z",
        Links.DIRECTORY)) {
      HttpResponse<String> page = get(path, session);
      assertEquals(403, page.statusCode(), path);
      assertFalse(page.body().contains(victim), "the other org's id is not in the page");
      assertFalse(page.body().contains("Victim Corp"));
      assertFalse(page.body().contains(victimBalance), "nor its balance");
    }
    long before = available(victim);
    HttpResponse<String> redeem = post(Links.orgAction(victim, "redeem"), session, "csrf=" + csrf + "&code=tc_x&request_id=r1", null);
    assertEquals(403, redeem.statusCode());
    assertEquals(before, available(victim));
  }

  @Test
  void formsWithoutTheSessionsTokenOrFromAnotherSiteAreRefused() throws Exception {
    String org = org("guarded", "Guarded", 50_000_000L);
    signedIn(org, key("metering", org));
    String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");
    String session = sessionCookie();
    String request = "request_id=req-" + org + "&amount=10&reason=more";

    assertEquals(403, post(Links.orgAction(org, "requests"), session, request, null).statusCode(), "no token");
    assertEquals(403, post(Links.orgAction(org, "requests"), session, request + "&csrf=forged", null).statusCode());
    assertEquals(403, post(Links.orgAction(org, "requests"), session, request + "&csrf=" + csrf, "https://evil.example")
        .statusCode(), "another site's form");
    assertEquals(303, post(Links.orgAction(org, "requests"), session, request + "&csrf=" + csrf, null).statusCode());
  }

  @Test
  void theSessionCookieIsHttpOnlyAndStrictAndPagesCarryTheSecurityHeaders() throws Exception {
    String org = org("headers", "Headers", 0);
    String key = key("reader", org);
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(url("/signin"))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String signInCookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String token = signInCookie.substring(signInCookie.indexOf('=') + 1);
    HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(url("/signin")))
        .header("Cookie", signInCookie).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + token + "&org=" + org + "&key=" + key)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(303, signedIn.statusCode(), signedIn::body);
    String cookie = signedIn.headers().allValues("Set-Cookie").stream()
        .filter(value -> value.startsWith(Routes.SESSION_COOKIE + "=")).findFirst().orElseThrow();
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    assertFalse(signedIn.headers().map().toString().contains(key), "the key is in no header");
    assertEquals(Links.org(org), signedIn.headers().firstValue("Location").orElseThrow());

    String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    HttpResponse<String> page = get(Links.org(org), session);
    assertEquals(200, page.statusCode());
    assertFalse(page.body().contains(key), "the key is not in the page");
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
    assertEquals("no-store", page.headers().firstValue("Cache-Control").orElseThrow());
    assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'none'"));
    assertFalse(page.body().contains("<script"), "the console sends no script");
  }

  @Test
  void anOperatorApprovesACreditRequestAndTheOrgSeesTheGrant() throws Exception {
    String org = org("asker", "Asker", 100_000_000L);
    admin.charge(ChargeRequest.newBuilder().setOrgId(org).setAmount(85_000_000L).build());
    String orgKey = key("metering", org);
    signedIn(org, orgKey);
    browser.findElement(By.id("request-amount")).sendKeys("2000000000");
    browser.findElement(By.id("request-reason")).sendKeys("everything");
    submit(Links.orgAction(org, "requests"));
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.error")));
    String refusal = browser.findElement(By.cssSelector("#requests-h ~ .notice.error")).getText();
    assertTrue(refusal.startsWith("amount: "), "the node's field message next to the form: " + refusal);
    browser.findElement(By.id("request-amount")).sendKeys("40");
    browser.findElement(By.id("request-reason")).sendKeys("launch week <b>now</b>");
    submit(Links.orgAction(org, "requests"));
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.ok")));
    assertTrue(browser.findElement(By.cssSelector(".notice.ok")).getText().contains("Filed request 1"));
    signOut();

    signedIn("", TestKeys.ADMIN);
    // The operators' listing may trail a filed request by a moment (ListCreditRequests): reload until it is there.
    By approveButton = By.xpath("//form[@class='decide'][input[@name='org' and @value='" + org + "']]//button[@value='approve']");
    waiting().until(page -> {
      if (!page.findElements(approveButton).isEmpty()) return true;
      page.navigate().refresh();
      return false;
    });
    WebElement approve = browser.findElement(approveButton);
    assertTrue(browser.findElement(By.cssSelector("table.requests")).getText().contains("launch week <b>now</b>"));
    Browser.screenshot(browser, "operator");
    long before = available(org);
    approve.click();
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".notice.ok")));
    assertTrue(browser.findElement(By.cssSelector(".notice.ok")).getText().contains("approved"));
    assertEquals(before + 40_000_000L, available(org));

    browser.get(url(Links.org(org)));
    Browser.screenshot(browser, "operator-org-view");
    signOut();
    signedIn(org, orgKey);
    String grants = browser.findElement(By.id("grants")).getText();
    assertTrue(grants.contains("credit-request:1"), grants);
    assertEquals(available(org), shownAvailable());
  }

  @Test
  void aWrongRevokedOrForeignKeyIsRefusedAtSignIn() throws Exception {
    signIn("", ApiKey.generate().secret());
    assertTrue(browser.findElement(By.id("signin-refused")).getText().contains("does not accept this key"));
    assertNull(browser.manage().getCookieNamed(Routes.SESSION_COOKIE), "no session");
    Browser.screenshot(browser, "signin-refused");

    String org = org("revoked", "Revoked", 0);
    var made = admin.accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole("metering").setOrgId(org).build());
    admin.accounts().revokeApiKey(made.getKeyId());
    signIn(org, made.getKey());
    assertTrue(browser.findElement(By.id("signin-refused")).getText().contains("does not accept this key"));

    String other = org("other", "Other", 0);
    signIn(other, key("reader", org));
    assertTrue(browser.findElement(By.id("signin-refused")).getText().contains("not a key of that org"));
    assertNull(browser.manage().getCookieNamed(Routes.SESSION_COOKIE));
  }
}
