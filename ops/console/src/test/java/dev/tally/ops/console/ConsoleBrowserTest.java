package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.tally.v1.ClusterMember;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListClusterMembersResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.WebhookEndpoint;
import dev.tally.v1.WebhookEventType;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
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

    for (String path : List.of(Links.org(victim), Links.org(victim) + "?ledger=x", Links.OPERATOR, Links.CLUSTER, Links.usage(victim),
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

  // ---- alerts, own terms, webhook endpoints, the cluster; labels, keyboard, numbers and phone width on every page ----

  /** The notice next to the form of the section headed {@code headingId}, once it says {@code words}. */
  private String noticeOf(String headingId, String kind, String words) {
    By notice = By.cssSelector("#" + headingId + " ~ .notice." + kind);
    awaitPage(ExpectedConditions.textToBePresentInElementLocated(notice, words));
    return browser.findElement(notice).getText();
  }

  private List<LedgerEntry> alertEntries(String org) {
    return admin.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1_000).build())
        .getEntriesList().stream().filter(LedgerEntry::hasAlert).toList();
  }

  @Test
  void theOwnTermsFormNamesEveryBadFieldAndAFloorItSetsRaisesALowBalanceAlertTheOrgSees() throws Exception {
    String org = org("floored", "Floored", 100_000_000L);
    signedIn("", TestKeys.ADMIN);
    browser.get(url(Links.org(org)));
    assertEquals("No alerts.", browser.findElement(By.id("no-alerts")).getText());

    browser.findElement(By.id("ovr-multiplier")).sendKeys("1000");
    browser.findElement(By.id("ovr-thresholds")).sendKeys("80, lots");
    browser.findElement(By.id("ovr-rollover")).sendKeys("121");
    browser.findElement(By.id("ovr-floor")).sendKeys("12.5");
    submit(Links.orgAction(org, "overrides"));
    String refusal = noticeOf("overrides-h", "error", "Price multiplier");
    assertTrue(refusal.contains("Price multiplier: from 0.001 to 100") && refusal.contains("Usage alert thresholds: whole percents")
        && refusal.contains("Rollover: a whole number from 0 to 120"), refusal);
    assertFalse(refusal.contains("Low-balance"), "a good field is not named: " + refusal);
    assertTrue(alertEntries(org).isEmpty());

    browser.findElement(By.id("ovr-floor")).sendKeys("50");
    browser.findElement(By.id("ovr-thresholds")).sendKeys("100, 80");
    browser.findElement(By.id("ovr-multiplier")).sendKeys("1");
    submit(Links.orgAction(org, "overrides"));
    String saved = noticeOf("overrides-h", "ok", "Saved");
    assertTrue(saved.contains("prices ×1, alerts at 80 %, 100 %, low balance below 50 credits"), saved);
    Browser.screenshot(browser, "operator-org-terms");

    // 85 of the 100 credits: past the 80 % threshold, and 15 left is below the floor of 50.
    admin.charge(ChargeRequest.newBuilder().setOrgId(org).setAmount(85_000_000L).build());
    String orgKey = key("reader", org);
    signOut();
    signedIn(org, orgKey);
    waiting().until(page -> {
      List<WebElement> table = page.findElements(By.id("alerts"));
      if (!table.isEmpty() && table.get(0).getText().contains("Low balance") && table.get(0).getText().contains("Usage reached 80 %")) {
        return true;
      }
      page.navigate().refresh();
      return false;
    });
    List<LedgerEntry> raised = alertEntries(org);
    List<WebElement> rows = browser.findElements(By.cssSelector("#alerts tbody tr"));
    assertEquals(raised.size(), rows.size(), "a row for each ALERT_RAISED entry of the ledger");
    String newest = rows.get(0).getText();
    String expectedNewest = AlertsSection.describe(raised.get(raised.size() - 1).getAlert());
    assertTrue(newest.contains(expectedNewest), "newest first: " + newest + " / " + expectedNewest);
    String all = browser.findElement(By.id("alerts")).getText();
    assertTrue(all.contains("Low balance") && all.contains("Usage reached 80 % of the period"), all);
    assertTrue(all.contains("85") && all.contains("15"), "charged and available in credits: " + all);
    assertFalse(all.contains("85000000") || all.contains("15000000"), "never micro-credits: " + all);
    Browser.screenshot(browser, "org-alerts");
  }

  @Test
  void anOperatorAddsDisablesRotatesAndDeletesAWebhookEndpointAndEachSecretShowsOnce() throws Exception {
    String org = org("hooked", "Hooked", 0);
    String endpointUrl = "https://93.184.215.14/tally/events";
    signedIn("", TestKeys.ADMIN);
    browser.get(url(Links.org(org)));

    browser.findElement(By.id("webhook-url")).sendKeys("ftp://93.184.215.14/events");
    submit(Links.orgAction(org, "webhooks"));
    assertTrue(noticeOf("webhooks-h", "error", "url").startsWith("url: "), "the node's field message");
    assertEquals(0, admin.accounts().listWebhookEndpoints(org).getEndpointsCount());

    browser.findElement(By.id("webhook-url")).sendKeys(endpointUrl);
    browser.findElement(By.id("webhook-description")).sendKeys("billing <b>back end</b>");
    browser.findElement(By.id("webhook-event-balance_low")).click();
    browser.findElement(By.id("webhook-event-usage_threshold_reached")).sendKeys(" ");  // ticked by keyboard
    submit(Links.orgAction(org, "webhooks"));
    noticeOf("webhooks-h", "ok", "Added");
    String secret = browser.findElement(By.cssSelector("#webhooks-h ~ .secrets code")).getText();
    WebhookEndpoint made = admin.accounts().listWebhookEndpoints(org).getEndpoints(0);
    assertEquals(endpointUrl, made.getUrl());
    assertEquals(List.of(WebhookEventType.WEBHOOK_EVENT_TYPE_USAGE_THRESHOLD_REACHED, WebhookEventType.WEBHOOK_EVENT_TYPE_BALANCE_LOW),
        made.getEventTypesList());
    assertTrue(made.getEnabled());
    assertTrue(secret.startsWith("whsec_") && made.getSecrets(0).getHint().endsWith(secret.substring(secret.length() - 4)),
        "the secret shown is the endpoint's: " + made.getSecrets(0).getHint());
    String table = browser.findElement(By.id("webhooks")).getText();
    assertTrue(table.contains(endpointUrl) && table.contains("usage threshold reached, balance low")
        && table.contains("billing <b>back end</b>") && table.contains("enabled") && table.contains(made.getSecrets(0).getHint()), table);
    Browser.screenshot(browser, "operator-org-webhooks");
    browser.navigate().refresh();
    assertFalse(browser.getPageSource().contains(secret), "the secret is shown once");

    browser.findElement(By.cssSelector("button[aria-label='Disable " + endpointUrl + "']")).click();
    noticeOf("webhooks-h", "ok", "Disabled");
    assertFalse(admin.accounts().listWebhookEndpoints(org).getEndpoints(0).getEnabled());
    assertTrue(browser.findElement(By.id("webhooks")).getText().contains("disabled"));

    browser.findElement(By.cssSelector("button[aria-label='Rotate secret " + endpointUrl + "']")).click();
    noticeOf("webhooks-h", "ok", "New signing secret");
    String rotated = browser.findElement(By.cssSelector("#webhooks-h ~ .secrets code")).getText();
    assertNotEquals(secret, rotated);
    WebhookEndpoint afterRotation = admin.accounts().listWebhookEndpoints(org).getEndpoints(0);
    assertEquals(2, afterRotation.getSecretsCount(), "the old secret signs beside the new one for the overlap");
    assertTrue(afterRotation.getSecrets(0).getHint().endsWith(rotated.substring(rotated.length() - 4)));

    browser.findElement(By.cssSelector("button[aria-label='Delete " + endpointUrl + "']")).click();
    noticeOf("webhooks-h", "ok", "Deleted");
    assertEquals(0, admin.accounts().listWebhookEndpoints(org).getEndpointsCount());
    assertTrue(browser.findElements(By.id("webhooks")).isEmpty());

    // The org's own key: told who manages endpoints, offered no form, and refused by the node if it posts one.
    signOut();
    signedIn(org, key("metering", org));
    assertTrue(browser.findElement(By.id("webhooks-managed")).getText().contains("an operator registers it"));
    assertTrue(browser.findElements(By.id("webhook-url")).isEmpty());
    String csrf = browser.findElement(By.name(Routes.CSRF_FIELD)).getAttribute("value");
    HttpResponse<String> posted = post(Links.orgAction(org, "webhooks"), sessionCookie(),
        "csrf=" + csrf + "&request_id=r-" + org + "&url=" + endpointUrl, null);
    assertEquals(303, posted.statusCode());
    assertEquals(0, admin.accounts().listWebhookEndpoints(org).getEndpointsCount(), "nothing was added");
    browser.navigate().refresh();
    assertEquals("Your API key may not do this.", browser.findElement(By.cssSelector("#webhooks-h ~ .notice.error")).getText());
  }

  @Test
  void anOperatorReachesTheClusterPageByKeyboardAndSeesEachMemberAsListClusterMembersReports() throws Exception {
    signedIn("", TestKeys.ADMIN);
    // From the top of the page, Tab to the Cluster link and press Enter.
    WebElement focused = null;
    for (int i = 0; i < 15; i++) {
      new Actions(browser).sendKeys(Keys.TAB).perform();
      focused = browser.switchTo().activeElement();
      if (focused.getText().equals("Cluster")) break;
    }
    assertEquals("Cluster", focused.getText(), "the Cluster link is reached by Tab");
    focused.sendKeys(Keys.ENTER);
    awaitPage(ExpectedConditions.presenceOfElementLocated(By.id("members")));

    ListClusterMembersResponse cluster = admin.accounts().listClusterMembers();
    List<WebElement> rows = browser.findElements(By.cssSelector("#members tbody tr"));
    assertEquals(cluster.getMembersCount(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      ClusterMember member = cluster.getMembers(i);
      List<WebElement> cells = rows.get(i).findElements(By.tagName("td"));
      assertEquals(member.getAddress(), cells.get(0).getText());
      assertEquals(member.getStatus().name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT), cells.get(1).getText());
      assertEquals(member.getReachable() ? "yes" : "no", cells.get(2).getText());
    }
    String self = browser.findElement(By.xpath("//table[@id='members']//tr[td[1]='" + TestNode.node().clusterAddress() + "']"))
        .getText();
    assertTrue(self.contains(" up ") && self.contains("yes") && self.contains("answered this page"), self);
    Browser.screenshot(browser, "cluster");
  }

  @Test
  void everyPageLabelsItsFieldsShowsCreditsWithSeparatorsAndFitsAPhone() throws Exception {
    String org = org("sweep", "Sweep", 1_234_567_890_000L);
    admin.charge(ChargeRequest.newBuilder().setOrgId(org).setAmount(1_000_500_000L).build());
    admin.accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(org).setRequestId("hook-" + org)
        .setUrl("https://93.184.215.14/" + "long-path/".repeat(12)).build());
    String endpointId = admin.accounts().listWebhookEndpoints(org).getEndpoints(0).getEndpointId();
    String orgKey = key("metering", org);
    signedIn("", TestKeys.ADMIN);
    for (String path : List.of(Links.OPERATOR, Links.DIRECTORY, Links.CLUSTER, Links.org(org), Links.usage(org),
        Links.statements(org, ""), Links.deliveries(org, endpointId, ""))) {
      sweep(path);
    }
    signOut();
    signedIn(org, orgKey);
    for (String path : List.of(Links.org(org), Links.usage(org), Links.statements(org, ""))) sweep(path);
  }

  /** {@code path} at desktop and at phone width: labelled fields, named buttons and links, credits with separators, no sideways scroll. */
  private void sweep(String path) {
    for (Dimension size : List.of(new Dimension(1280, 1000), new Dimension(390, 844))) {
      browser.manage().window().setSize(size);
      browser.get(url(path));
      awaitPage(ExpectedConditions.presenceOfElementLocated(By.tagName("h1")));
      @SuppressWarnings("unchecked")
      List<String> problems = (List<String>) ((JavascriptExecutor) browser).executeScript("""
          const problems = [];
          document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(e => {
            if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label')) problems.push('unlabelled ' + e.outerHTML);
          });
          document.querySelectorAll('button, a[href]').forEach(e => {
            if (!(e.getAttribute('aria-label') || e.textContent.trim())) problems.push('nameless ' + e.outerHTML);
          });
          document.querySelectorAll('[tabindex]').forEach(e => {
            if (Number(e.getAttribute('tabindex')) > 0) problems.push('out of tab order ' + e.outerHTML);
          });
          document.querySelectorAll('td.num, .figures dd, #period-charged').forEach(e => {
            if (/\\d{4,}/.test(e.textContent.replace(/\\.\\d+/g, ''))) problems.push('no separators: ' + e.textContent);
          });
          if (/µcr|micro-credit/i.test(document.body.innerText)) problems.push('micro-credits shown');
          const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
          if (overflow > 0) problems.push('scrolls sideways by ' + overflow + ' px');
          return problems;""");
      assertEquals(List.of(), problems, path + " at " + size);
    }
  }
}
